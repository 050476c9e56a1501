import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex, utf8 } from "../../core/bytes";
import {
  type KeyReleaseLeafFields,
  type OnboardingLeafFields,
  ReleaseLogError,
  type ReleaseLogErrorCode,
  keyReleaseLeaf,
  onboardingLeaf,
  parseLeaf,
} from "../../core/releaseLog";

function expectLeafError(run: () => unknown, code: ReleaseLogErrorCode, label = ""): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `${label}: expected ${code}`).toBeInstanceOf(ReleaseLogError);
  expect((thrown as ReleaseLogError).code, label).toBe(code);
}

const KEY_RELEASE: KeyReleaseLeafFields = {
  time: 1767225600,
  kms: "0x1111111111111111111111111111111111111111",
  chainId: 8453,
  appRegistry: "0x2222222222222222222222222222222222222222",
  appId: "0x3333333333333333333333333333333333333333",
  instanceId: "4444444444444444444444444444444444444444",
  composeHash: "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
  platformHash: "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
  tcbStatus: "SWHardeningNeeded",
  advisoryIds: ["INTEL-SA-00828", "INTEL-SA-00837"],
  quoteSha256: "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
  policyBlock: { number: 123456, hash: "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" },
  agentKeySha256: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  keyEpoch: 0,
};

/** JCS of KEY_RELEASE written out by hand: keys sorted by UTF-16 code units, no whitespace. */
const KEY_RELEASE_JCS =
  '{"advisoryIds":["INTEL-SA-00828","INTEL-SA-00837"],' +
  '"agentKeySha256":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",' +
  '"appId":"0x3333333333333333333333333333333333333333",' +
  '"appRegistry":"0x2222222222222222222222222222222222222222",' +
  '"chainId":8453,' +
  '"composeHash":"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",' +
  '"instanceId":"4444444444444444444444444444444444444444",' +
  '"keyEpoch":0,' +
  '"kind":"key-release",' +
  '"kms":"0x1111111111111111111111111111111111111111",' +
  '"platformHash":"dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",' +
  '"policyBlock":{"hash":"0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff","number":123456},' +
  '"quoteSha256":"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee",' +
  '"tcbStatus":"SWHardeningNeeded",' +
  '"time":1767225600,' +
  '"v":1}';

const { appId: _a, instanceId: _i, composeHash: _c, ...commonFields } = KEY_RELEASE;
const ONBOARDING: OnboardingLeafFields = {
  ...commonFields,
  advisoryIds: [],
  tcbStatus: "UpToDate",
  keyEpoch: 7,
  newKms: "0x5555555555555555555555555555555555555555",
  kmsMeasurement: "9999999999999999999999999999999999999999999999999999999999999999",
};

const ONBOARDING_JCS =
  '{"advisoryIds":[],' +
  '"agentKeySha256":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",' +
  '"appRegistry":"0x2222222222222222222222222222222222222222",' +
  '"chainId":8453,' +
  '"keyEpoch":7,' +
  '"kind":"kms-onboarding",' +
  '"kms":"0x1111111111111111111111111111111111111111",' +
  '"kmsMeasurement":"9999999999999999999999999999999999999999999999999999999999999999",' +
  '"newKms":"0x5555555555555555555555555555555555555555",' +
  '"platformHash":"dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",' +
  '"policyBlock":{"hash":"0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff","number":123456},' +
  '"quoteSha256":"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee",' +
  '"tcbStatus":"UpToDate",' +
  '"time":1767225600,' +
  '"v":1}';

const independentLeafHash = (text: string) =>
  createHash("sha256").update(Buffer.from([0])).update(text, "utf8").digest("hex");
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8");

describe("release-log leaf encoding (JCS, RFC 8785)", () => {
  it("encodes a key-release leaf to its exact JCS bytes and hashes SHA-256(0x00 ‖ bytes)", () => {
    const encoded = keyReleaseLeaf(KEY_RELEASE);
    expect(text(encoded.bytes)).toBe(KEY_RELEASE_JCS);
    expect(toHex(encoded.leafHash)).toBe(independentLeafHash(KEY_RELEASE_JCS));
    expect(encoded.leaf).toEqual({ ...KEY_RELEASE, v: 1, kind: "key-release" });
  });

  it("encodes a kms-onboarding leaf with newKms and kmsMeasurement instead of the app fields", () => {
    const encoded = onboardingLeaf(ONBOARDING);
    expect(text(encoded.bytes)).toBe(ONBOARDING_JCS);
    expect(toHex(encoded.leafHash)).toBe(independentLeafHash(ONBOARDING_JCS));
  });

  it("builders lowercase checksummed addresses and hex, and sort and de-duplicate advisory ids", () => {
    const encoded = keyReleaseLeaf({
      ...KEY_RELEASE,
      kms: "0xABCDEF1111111111111111111111111111111111",
      composeHash: KEY_RELEASE.composeHash.toUpperCase(),
      policyBlock: { number: 123456, hash: `0x${"FF".repeat(32)}` },
      advisoryIds: ["INTEL-SA-00837", "INTEL-SA-00828", "INTEL-SA-00837"],
    });
    expect(encoded.leaf.kms).toBe("0xabcdef1111111111111111111111111111111111");
    expect(encoded.leaf.composeHash).toBe(KEY_RELEASE.composeHash);
    expect(encoded.leaf.policyBlock.hash).toBe(KEY_RELEASE.policyBlock.hash);
    expect(encoded.leaf.advisoryIds).toEqual(["INTEL-SA-00828", "INTEL-SA-00837"]);
  });

  it("builders refuse fields outside the schema with LEAF_SCHEMA_INVALID", () => {
    expectLeafError(() => keyReleaseLeaf({ ...KEY_RELEASE, composeHash: "cc".repeat(31) }), "LEAF_SCHEMA_INVALID");
    expectLeafError(() => keyReleaseLeaf({ ...KEY_RELEASE, keyEpoch: 2 ** 32 }), "LEAF_SCHEMA_INVALID");
    expectLeafError(() => keyReleaseLeaf({ ...KEY_RELEASE, newKms: ONBOARDING.newKms } as never), "LEAF_SCHEMA_INVALID");
    expectLeafError(() => onboardingLeaf({ ...ONBOARDING, appId: KEY_RELEASE.appId } as never), "LEAF_SCHEMA_INVALID");
  });
});

describe("parseLeaf", () => {
  it("round-trips both kinds: same leaf, same bytes, same leaf hash", () => {
    for (const encoded of [keyReleaseLeaf(KEY_RELEASE), onboardingLeaf(ONBOARDING)]) {
      const parsed = parseLeaf(encoded.bytes);
      expect(parsed.leaf).toEqual(encoded.leaf);
      expect(parsed.bytes).toEqual(encoded.bytes);
      expect(parsed.leafHash).toEqual(encoded.leafHash);
    }
  });

  const nonCanonical: Array<[string, string]> = [
    ["whitespace between tokens", KEY_RELEASE_JCS.replace('"v":1', '"v": 1')],
    ["a trailing newline", `${KEY_RELEASE_JCS}\n`],
    ["keys out of order", `{"v":1,${KEY_RELEASE_JCS.slice(1, -"\"v\":1}".length - 1)}}`],
    ["a number written as 1.0", KEY_RELEASE_JCS.replace('"v":1}', '"v":1.0}')],
    ["a number written as 1e0", KEY_RELEASE_JCS.replace('"v":1}', '"v":1e0}')],
    ["an escaped character JCS writes literally", KEY_RELEASE_JCS.replace('"key-release"', '"key-\\u0072elease"')],
    ["a duplicated key", KEY_RELEASE_JCS.replace('"v":1}', '"v":2,"v":1}')],
    ["unsorted advisory ids", KEY_RELEASE_JCS.replace('"INTEL-SA-00828","INTEL-SA-00837"', '"INTEL-SA-00837","INTEL-SA-00828"')],
    ["duplicated advisory ids", KEY_RELEASE_JCS.replace('"INTEL-SA-00828","INTEL-SA-00837"', '"INTEL-SA-00828","INTEL-SA-00828"')],
  ];
  for (const [label, variant] of nonCanonical) {
    it(`refuses a leaf with ${label} as LEAF_NOT_CANONICAL`, () => {
      expect(JSON.parse(variant)).toBeTruthy(); // still valid JSON: only the encoding is wrong
      expectLeafError(() => parseLeaf(utf8(variant)), "LEAF_NOT_CANONICAL", label);
    });
  }

  it("refuses bytes that are not UTF-8 JSON, or too large, as LEAF_MALFORMED", () => {
    expectLeafError(() => parseLeaf(Uint8Array.of(0x7b, 0xff, 0x7d)), "LEAF_MALFORMED", "invalid UTF-8");
    expectLeafError(() => parseLeaf(utf8(KEY_RELEASE_JCS.slice(0, -1))), "LEAF_MALFORMED", "truncated JSON");
    expectLeafError(() => parseLeaf(Uint8Array.of(0xef, 0xbb, 0xbf, ...utf8(KEY_RELEASE_JCS))), "LEAF_MALFORMED", "BOM");
    expectLeafError(() => parseLeaf(utf8(`"${"a".repeat(9000)}"`)), "LEAF_MALFORMED", "oversized");
    expectLeafError(() => parseLeaf("{}" as never), "LEAF_MALFORMED", "a string, not bytes");
  });

  const base = JSON.parse(KEY_RELEASE_JCS) as Record<string, unknown>;
  const schemaViolations: Array<[string, Record<string, unknown>]> = [
    ["a missing field", (({ quoteSha256: _q, ...rest }) => rest)(base)],
    ["an extra field", { ...base, note: "x" }],
    ["version 2", { ...base, v: 2 }],
    ["an unknown kind", { ...base, kind: "key-revocation" }],
    ["an unknown TCB status", { ...base, tcbStatus: "Great" }],
    ["uppercase hex", { ...base, composeHash: "C".repeat(64) }],
    ["a 0x prefix on a plain hash", { ...base, composeHash: `0x${"c".repeat(62)}` }],
    ["a checksummed (mixed-case) address", { ...base, kms: "0xAbCdEf1111111111111111111111111111111111" }],
    ["a short address", { ...base, appId: "0x3333" }],
    ["an odd-length instance id", { ...base, instanceId: "444" }],
    ["a key epoch beyond u32", { ...base, keyEpoch: 4294967296 }],
    ["a negative time", { ...base, time: -1 }],
    ["a fractional time", { ...base, time: 1.5 }],
    ["chain id 0", { ...base, chainId: 0 }],
    ["a string block number", { ...base, policyBlock: { hash: KEY_RELEASE.policyBlock.hash, number: "1" } }],
    ["an extra key in policyBlock", { ...base, policyBlock: { ...KEY_RELEASE.policyBlock, parent: "0x" } }],
    ["an advisory id with spaces", { ...base, advisoryIds: ["INTEL SA"] }],
    ["onboarding fields on a key release", { ...base, newKms: ONBOARDING.newKms }],
    ["a JSON array", [] as unknown as Record<string, unknown>],
  ];
  for (const [label, value] of schemaViolations) {
    it(`refuses a leaf with ${label} as LEAF_SCHEMA_INVALID`, () => {
      expectLeafError(() => parseLeaf(utf8(JSON.stringify(value))), "LEAF_SCHEMA_INVALID", label);
    });
  }

  it("refuses an onboarding leaf that carries app fields as LEAF_SCHEMA_INVALID", () => {
    const onboarding = JSON.parse(ONBOARDING_JCS) as Record<string, unknown>;
    expectLeafError(() => parseLeaf(utf8(JSON.stringify({ ...onboarding, appId: KEY_RELEASE.appId }))), "LEAF_SCHEMA_INVALID");
  });

  it("property: every built leaf parses back to itself", () => {
    const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map(toHex);
    const fields = fc.record({
      time: fc.nat(),
      chainId: fc.integer({ min: 1, max: 2 ** 40 }),
      composeHash: hex(32),
      instanceId: fc.integer({ min: 0, max: 40 }).chain((n) => hex(n)),
      advisoryIds: fc.uniqueArray(fc.stringMatching(/^INTEL-SA-[0-9]{5}$/), { maxLength: 5 }),
      keyEpoch: fc.integer({ min: 0, max: 0xffffffff }),
      blockNumber: fc.nat(),
    });
    fc.assert(
      fc.property(fields, ({ blockNumber, ...rest }) => {
        const encoded = keyReleaseLeaf({ ...KEY_RELEASE, ...rest, policyBlock: { ...KEY_RELEASE.policyBlock, number: blockNumber } });
        const parsed = parseLeaf(encoded.bytes);
        expect(parsed.leafHash).toEqual(encoded.leafHash);
        expect(parsed.leaf).toEqual(encoded.leaf);
      }),
      { numRuns: 100 },
    );
  });

  it("property: any single-byte change to a leaf is refused with a leaf code or parses to a different hash", () => {
    const encoded = keyReleaseLeaf(KEY_RELEASE);
    fc.assert(
      fc.property(fc.nat({ max: encoded.bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const mutated = Uint8Array.from(encoded.bytes);
        mutated[at] = (mutated[at] as number) ^ xor;
        try {
          const parsed = parseLeaf(mutated);
          expect(parsed.leafHash).not.toEqual(encoded.leafHash);
        } catch (error) {
          expect(error).toBeInstanceOf(ReleaseLogError);
          expect(["LEAF_MALFORMED", "LEAF_SCHEMA_INVALID", "LEAF_NOT_CANONICAL"]).toContain((error as ReleaseLogError).code);
        }
      }),
      { numRuns: 300 },
    );
  });
});
