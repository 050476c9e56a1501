import { describe, expect, it } from "vitest";
import { toHex } from "../../core/bytes";
import { CryptoError } from "../../core/crypto/errors";
import { sealInfo, type SealInfoContext } from "../../core/crypto/sealInfo";

// Expected bytes assembled independently with Python struct.pack (see docs/protocol-key-derivation.md).
const CONTEXT: SealInfoContext = {
  chainId: 84532,
  appRegistry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  appId: new Uint8Array(20).fill(0x11),
  instanceId: new Uint8Array(20).fill(0x22),
  logIndex: 7n,
};
const EXPECTED =
  "626173656b6d732f6b65792d72656c656173652f7631" + // "basekms/key-release/v1"
  "0000000000014a34" + // chainId 84532
  "5fbdb2315678afecb367f032d93f642f64180aa3" + // appRegistry
  "1111111111111111111111111111111111111111" + // appId
  "0014" + // len(instanceId) = 20
  "2222222222222222222222222222222222222222" + // instanceId
  "0000000000000007"; // logIndex

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CryptoError);
    return (error as CryptoError).code;
  }
  return undefined;
}

describe("sealInfo", () => {
  it("lays out label, chain id, registry, app id, length-prefixed instance id and log index", () => {
    expect(toHex(sealInfo(CONTEXT))).toBe(EXPECTED);
  });

  it("changes when the log index changes, so an envelope is tied to its log entry", () => {
    expect(toHex(sealInfo({ ...CONTEXT, logIndex: 8 }))).not.toBe(EXPECTED);
  });

  it("refuses malformed fields with INPUT_INVALID", () => {
    const bad: Partial<Record<keyof SealInfoContext, unknown>>[] = [
      { appId: new Uint8Array(21) },
      { appRegistry: "0xabc" },
      { instanceId: new Uint8Array(257) },
      { instanceId: "22" },
      { logIndex: -1 },
      { chainId: 1n << 64n },
    ];
    for (const patch of bad) expect(codeOf(() => sealInfo({ ...CONTEXT, ...patch } as SealInfoContext))).toBe("INPUT_INVALID");
  });
});
