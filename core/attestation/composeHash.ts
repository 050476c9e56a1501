import { sha256 } from "../hash";
import { utf8 } from "../bytes";
import { canonicalJson } from "../jcs";
import { AttestationError } from "./errors";

/**
 * The compose hash of an app: `SHA-256(JCS(app-compose.json))` (RFC 8785). The maintainer
 * CLI, the agent and the auditor all call this one function, so a key formatting change
 * or reordering of the file never changes the hash.
 *
 * Note: dstack hashes the app-compose *text* as written (`SHA-256(text)`), which equals
 * this only when the text is already canonical. See `composeHashOfText`.
 * Throws `AttestationError` `APP_COMPOSE_MALFORMED` for values JSON cannot represent
 * (undefined, functions, NaN, Infinity, BigInt, cycles).
 */
export function composeHash(appCompose: unknown): Uint8Array {
  let canonical: string;
  try {
    canonical = canonicalJson(appCompose);
  } catch (cause) {
    throw new AttestationError("APP_COMPOSE_MALFORMED", "app-compose cannot be canonicalized as JSON", { cause });
  }
  return sha256(utf8(canonical));
}

/** Parses app-compose.json text, then hashes it with `composeHash`. */
export function composeHashOfText(text: string): Uint8Array {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new AttestationError("APP_COMPOSE_MALFORMED", "app-compose is not valid JSON", { cause });
  }
  return composeHash(parsed);
}
