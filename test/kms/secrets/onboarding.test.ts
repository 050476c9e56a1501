import { describe, expect, it } from "vitest";
import { toHex, utf8 } from "../../../core/bytes";
import { CryptoError } from "../../../core/crypto/errors";
import { generateAgentKeyPair, sealToAgent } from "../../../core/crypto/hpke";
import { deriveDiskKey } from "../../../core/crypto/keyDerivation";
import { SecretError, type SecretErrorCode } from "../../../kms/secrets/errors";
import { onboardingSealInfo, openOnboardedRootSecret, sealRootSecretForOnboarding } from "../../../kms/secrets/onboarding";

const ROOT_SECRET = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);
const CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const INFO = onboardingSealInfo({ chainId: 84532, contract: CONTRACT, logIndex: 3 });

async function expectCode(run: () => Promise<unknown>, code: SecretErrorCode): Promise<SecretError> {
  let thrown: unknown;
  try {
    await run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(SecretError);
  expect((thrown as SecretError).code).toBe(code);
  return thrown as SecretError;
}

describe("root secret onboarding", () => {
  it("lays out the onboarding info as label, chain id, contract and log index", () => {
    // Assembled independently with Python struct.pack.
    expect(toHex(INFO)).toBe(
      "626173656b6d732f6b6d732d6f6e626f617264696e672d7365616c2f7631" +
        "0000000000014a34" +
        "5fbdb2315678afecb367f032d93f642f64180aa3" +
        "0000000000000003",
    );
  });

  it("a joining KMS opens the sealed root secret and derives identical disk keys", async () => {
    const joiner = await generateAgentKeyPair();
    const sealed = await sealRootSecretForOnboarding(ROOT_SECRET, joiner.publicKey, INFO);
    const received = await openOnboardedRootSecret(joiner, sealed, INFO);
    expect(received).toEqual(ROOT_SECRET);
    const context = { chainId: 84532, contract: CONTRACT, appId: new Uint8Array(20).fill(1), instanceId: new Uint8Array(0), epoch: 0 } as const;
    expect(deriveDiskKey(received, context)).toEqual(deriveDiskKey(ROOT_SECRET, context));
  });

  it("refuses an envelope opened under another onboarding entry: ONBOARDING_OPEN_FAILED", async () => {
    const joiner = await generateAgentKeyPair();
    const sealed = await sealRootSecretForOnboarding(ROOT_SECRET, joiner.publicKey, INFO);
    const otherInfo = onboardingSealInfo({ chainId: 84532, contract: CONTRACT, logIndex: 4 });
    const error = await expectCode(() => openOnboardedRootSecret(joiner, sealed, otherInfo), "ONBOARDING_OPEN_FAILED");
    expect((error.cause as CryptoError).code).toBe("OPEN_FAILED");
  });

  it("refuses an envelope sealed to another KMS: ONBOARDING_OPEN_FAILED", async () => {
    const joiner = await generateAgentKeyPair();
    const intruder = await generateAgentKeyPair();
    const sealed = await sealRootSecretForOnboarding(ROOT_SECRET, joiner.publicKey, INFO);
    await expectCode(() => openOnboardedRootSecret(intruder, sealed, INFO), "ONBOARDING_OPEN_FAILED");
  });

  it("never accepts a key-release envelope as a root secret, even with the same info", async () => {
    const joiner = await generateAgentKeyPair();
    const keyRelease = await sealToAgent(joiner.publicKey, ROOT_SECRET, INFO);
    await expectCode(() => openOnboardedRootSecret(joiner, keyRelease, INFO), "ONBOARDING_OPEN_FAILED");
  });

  it("refuses a root secret that is not 32 non-zero bytes: ROOT_SECRET_INVALID", async () => {
    const joiner = await generateAgentKeyPair();
    await expectCode(() => sealRootSecretForOnboarding(new Uint8Array(31).fill(1), joiner.publicKey, INFO), "ROOT_SECRET_INVALID");
    await expectCode(() => sealRootSecretForOnboarding(new Uint8Array(32), joiner.publicKey, INFO), "ROOT_SECRET_INVALID");
  });

  it("refuses to open an envelope whose plaintext is not a root secret: ROOT_SECRET_INVALID", async () => {
    const joiner = await generateAgentKeyPair();
    // Sealed with the right aad and info but the wrong length: only a buggy or hostile KMS sends this.
    const sealed = await sealToAgent(joiner.publicKey, new Uint8Array(16).fill(1), INFO, utf8("basekms/root-secret/v1"));
    await expectCode(() => openOnboardedRootSecret(joiner, sealed, INFO), "ROOT_SECRET_INVALID");
  });

  it("refuses a joining key that is not an X25519 public key: ONBOARDING_SEAL_FAILED", async () => {
    const error = await expectCode(() => sealRootSecretForOnboarding(ROOT_SECRET, new Uint8Array(31), INFO), "ONBOARDING_SEAL_FAILED");
    expect((error.cause as CryptoError).code).toBe("KEY_INVALID");
  });
});
