import { randomBytes } from "node:crypto";
import { tryFromHex } from "../core/bytes";
import { AttestationError } from "../core/attestation/errors";
import { composeHash, composeHashOfText } from "../core/attestation/composeHash";
import { APP_ID_LENGTH, MAX_INSTANCE_ID_LENGTH } from "../core/crypto";
import { AgentError } from "./errors";

/**
 * Who the agent measures and asks a key for: the three values it extends into RTMR3 and
 * that the KMS reads back from the event log.
 */
export interface AppIdentity {
  /** 20 bytes, as registered in the AppRegistry. */
  appId: Uint8Array;
  /** `SHA-256(JCS(app-compose.json))`, 32 bytes. */
  composeHash: Uint8Array;
  /** 0..256 bytes; dstack uses 20. The disk key depends on it. */
  instanceId: Uint8Array;
}

/** dstack's instance-id length, used when the agent makes one up. */
export const GENERATED_INSTANCE_ID_LENGTH = 20;

/** A `0x`-prefixed 20-byte app id. Throws `INPUT_INVALID`. */
export function parseAppId(text: string): Uint8Array {
  const bytes = /^0x[0-9a-fA-F]*$/.test(text) ? tryFromHex(text) : undefined;
  if (!bytes || bytes.length !== APP_ID_LENGTH) {
    throw new AgentError("INPUT_INVALID", `app id must be 0x followed by ${APP_ID_LENGTH} bytes of hex, got ${JSON.stringify(text)}`);
  }
  return bytes;
}

/**
 * An instance id as hex, with or without `0x`, 0..256 bytes. `0x` alone (or "") is the empty
 * instance id: every instance of the app then shares one disk key. Throws `INPUT_INVALID`.
 */
export function parseInstanceId(text: string): Uint8Array {
  const bytes = tryFromHex(text);
  if (!bytes || bytes.length > MAX_INSTANCE_ID_LENGTH) {
    throw new AgentError("INPUT_INVALID", `instance id must be hex of at most ${MAX_INSTANCE_ID_LENGTH} bytes`);
  }
  return bytes;
}

/** A fresh random 20-byte instance id. The caller must print it: the disk key depends on it. */
export function generateInstanceId(): Uint8Array {
  return new Uint8Array(randomBytes(GENERATED_INSTANCE_ID_LENGTH));
}

/**
 * The compose hash of app-compose given as text (parsed, then JCS) or as a parsed value,
 * through the one shared `composeHash`. Throws `INPUT_INVALID` for JSON it cannot hash.
 */
export function appComposeHash(appCompose: unknown): Uint8Array {
  try {
    return typeof appCompose === "string" ? composeHashOfText(appCompose) : composeHash(appCompose);
  } catch (error) {
    if (error instanceof AttestationError) throw new AgentError("INPUT_INVALID", `app-compose: ${error.message}`, { cause: error });
    throw error;
  }
}
