import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../core/bytes";
import { deriveDiskKey, diskKeyInfo, type DiskKeyContext } from "../../core/crypto/keyDerivation";
import { CryptoError, type CryptoErrorCode } from "../../core/crypto/errors";

/**
 * Expected values were computed once, independently of this code base, with Python's
 * `hmac`/`hashlib` (RFC 5869 HKDF written out by hand) and `struct.pack` for the layout.
 */
const ROOT_SECRET = Uint8Array.from({ length: 32 }, (_, i) => i);
const CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

const VECTORS: { name: string; context: DiskKeyContext; info: string; key: string }[] = [
  {
    name: "Base Sepolia, 20-byte instance id, epoch 0",
    context: { chainId: 84532, contract: CONTRACT, appId: new Uint8Array(20).fill(0x11), instanceId: new Uint8Array(20).fill(0x22), epoch: 0 },
    info: "6469736b0000000000014a345fbdb2315678afecb367f032d93f642f64180aa311111111111111111111111111111111111111110014222222222222222222222222222222222222222200000000",
    key: "3ced1c3284d29c722be14866b6ffda4b29c7b87ea538880032a639682355b310",
  },
  {
    name: "Hardhat, empty instance id, epoch 1",
    context: { chainId: 31337n, contract: CONTRACT, appId: new Uint8Array(20).fill(0x11), instanceId: new Uint8Array(0), epoch: 1 },
    info: "6469736b0000000000007a695fbdb2315678afecb367f032d93f642f64180aa31111111111111111111111111111111111111111000000000001",
    key: "b425d4c686301850a0f0ba608d7dee4ae09796948e16cbb7541cb12110b86111",
  },
  {
    name: "maximal chain id and epoch, 1-byte instance id",
    context: {
      chainId: (1n << 64n) - 1n,
      contract: CONTRACT,
      appId: Uint8Array.from({ length: 20 }, (_, i) => 100 + i),
      instanceId: new Uint8Array([0xff]),
      epoch: 0xffff_ffff,
    },
    info: "6469736bffffffffffffffff5fbdb2315678afecb367f032d93f642f64180aa36465666768696a6b6c6d6e6f70717273747576770001ffffffffff",
    key: "e67fd2f19af7656886e7d4803d27f1b442a9bb551b8c887d078920e188145bec",
  },
];

const BASE = VECTORS[0]!.context;

function expectCode(run: () => unknown, code: CryptoErrorCode): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(CryptoError);
  expect((thrown as CryptoError).code).toBe(code);
}

describe("deriveDiskKey", () => {
  for (const vector of VECTORS) {
    it(`matches the independently computed vector: ${vector.name}`, () => {
      expect(toHex(diskKeyInfo(vector.context))).toBe(vector.info);
      expect(toHex(deriveDiskKey(ROOT_SECRET, vector.context))).toBe(vector.key);
    });
  }

  it("is deterministic, and the contract address is read case-insensitively", () => {
    const lower = { ...BASE, contract: CONTRACT.toLowerCase() as `0x${string}` };
    expect(deriveDiskKey(ROOT_SECRET, lower)).toEqual(deriveDiskKey(ROOT_SECRET, BASE));
  });

  it("gives a different key when any single input changes", () => {
    const base = toHex(deriveDiskKey(ROOT_SECRET, BASE));
    const variants: DiskKeyContext[] = [
      { ...BASE, chainId: 84533 },
      { ...BASE, contract: "0x5fbdb2315678afecb367f032d93f642f64180aa4" },
      { ...BASE, appId: new Uint8Array(20).fill(0x12) },
      { ...BASE, instanceId: new Uint8Array(21).fill(0x22) },
      { ...BASE, epoch: 1 },
    ];
    const otherRoot = ROOT_SECRET.slice();
    otherRoot[0] = 0xff;
    const keys = new Set(variants.map((context) => toHex(deriveDiskKey(ROOT_SECRET, context))));
    keys.add(toHex(deriveDiskKey(otherRoot, BASE)));
    expect(keys.size).toBe(variants.length + 1);
    expect(keys.has(base)).toBe(false);
  });

  it("keeps fields apart: moving a byte between instance id and epoch changes the info", () => {
    // Without the length prefix, instanceId=0x..00 ‖ epoch and a shorter instanceId could collide.
    const a = diskKeyInfo({ ...BASE, instanceId: new Uint8Array([1, 0]), epoch: 0 });
    const b = diskKeyInfo({ ...BASE, instanceId: new Uint8Array([1]), epoch: 0 });
    expect(toHex(a)).not.toBe(toHex(b));
  });

  it("refuses a root secret that is not 32 bytes, or is all zero, with KEY_INVALID", () => {
    expectCode(() => deriveDiskKey(new Uint8Array(31).fill(1), BASE), "KEY_INVALID");
    expectCode(() => deriveDiskKey(new Uint8Array(33).fill(1), BASE), "KEY_INVALID");
    expectCode(() => deriveDiskKey(new Uint8Array(32), BASE), "KEY_INVALID");
  });

  it("refuses a malformed context with INPUT_INVALID", () => {
    const bad: Partial<Record<keyof DiskKeyContext, unknown>>[] = [
      { appId: new Uint8Array(19) },
      { appId: fromHex("11".repeat(32)) },
      { instanceId: new Uint8Array(257) },
      { contract: "0x1234" },
      { contract: "5fbdb2315678afecb367f032d93f642f64180aa3" },
      { contract: "0xZZbdb2315678afecb367f032d93f642f64180aa3" },
      { chainId: -1 },
      { chainId: 1n << 64n },
      { chainId: 1.5 },
      { chainId: Number.MAX_SAFE_INTEGER + 1 },
      { epoch: -1 },
      { epoch: 2 ** 32 },
      { epoch: 0.5 },
    ];
    for (const patch of bad) {
      expectCode(() => deriveDiskKey(ROOT_SECRET, { ...BASE, ...patch } as DiskKeyContext), "INPUT_INVALID");
    }
  });

  it("accepts an instance id of exactly the maximum length", () => {
    expect(deriveDiskKey(ROOT_SECRET, { ...BASE, instanceId: new Uint8Array(256) })).toHaveLength(32);
  });
});
