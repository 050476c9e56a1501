import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { platformPolicyDomain } from "../../core/contracts/typedData";
import { leafHash } from "../../core/merkle";
import { type ReceiptInput, recoverReceiptSigner, signReceipt, verifyReceiptSignature } from "../../core/releaseLog";
import { expectReleaseLogRejection, malleableTwin } from "./signatures";

const kmsAccount = privateKeyToAccount("0x59c6995e998f97a0a8a3ae0ba0d6b6e24b07d6c85a4a3b7e0b7b2b1d2a4e0b01");
const otherAccount = privateKeyToAccount("0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba");
const POLICY = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as const;
const domain = platformPolicyDomain(31337n, POLICY);

const input: ReceiptInput = {
  logIndex: 9,
  leafHash: leafHash(new Uint8Array([9])),
  treeSize: 10,
  rootHash: leafHash(new Uint8Array([10])),
  policyBlock: { number: 1234n, hash: `0x${"ab".repeat(32)}` },
};

describe("key-release receipts (EIP-712 Receipt under the PlatformPolicy domain)", () => {
  it("signs a receipt that recovers to the KMS identity, with 0x hex hashes and number fields", async () => {
    const receipt = await signReceipt(kmsAccount, domain, input);
    expect(receipt).toMatchObject({ logIndex: 9, treeSize: 10, policyBlock: { number: 1234 }, kms: kmsAccount.address });
    expect(receipt.leafHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await recoverReceiptSigner(receipt, domain)).toBe(kmsAccount.address);
    await verifyReceiptSignature(receipt, domain);
  });

  const tampered: Array<[string, (receipt: Awaited<ReturnType<typeof signReceipt>>) => object]> = [
    ["logIndex", (r) => ({ ...r, logIndex: 8 })],
    ["leafHash", (r) => ({ ...r, leafHash: r.rootHash })],
    ["treeSize", (r) => ({ ...r, treeSize: 11 })],
    ["rootHash", (r) => ({ ...r, rootHash: r.leafHash })],
    ["policy block number", (r) => ({ ...r, policyBlock: { ...r.policyBlock, number: 1235 } })],
    ["policy block hash", (r) => ({ ...r, policyBlock: { ...r.policyBlock, hash: `0x${"cd".repeat(32)}` } })],
    ["kms", (r) => ({ ...r, kms: otherAccount.address })],
  ];
  for (const [field, tamper] of tampered) {
    it(`refuses a receipt whose ${field} was changed after signing`, async () => {
      const receipt = await signReceipt(kmsAccount, domain, input);
      await expectReleaseLogRejection(() => verifyReceiptSignature(tamper(receipt) as typeof receipt, domain), "RECEIPT_SIGNATURE_INVALID");
    });
  }

  it("refuses a receipt under another chain id or another policy contract", async () => {
    const receipt = await signReceipt(kmsAccount, domain, input);
    await expectReleaseLogRejection(() => verifyReceiptSignature(receipt, platformPolicyDomain(1, POLICY)), "RECEIPT_SIGNATURE_INVALID");
    const otherPolicy = platformPolicyDomain(31337, "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
    await expectReleaseLogRejection(() => verifyReceiptSignature(receipt, otherPolicy), "RECEIPT_SIGNATURE_INVALID");
  });

  it("refuses a malleable (high-s) or truncated signature", async () => {
    const receipt = await signReceipt(kmsAccount, domain, input);
    await expectReleaseLogRejection(() => recoverReceiptSigner({ ...receipt, signature: malleableTwin(receipt.signature) }, domain), "RECEIPT_SIGNATURE_INVALID");
    await expectReleaseLogRejection(() => recoverReceiptSigner({ ...receipt, signature: "0x1234" }, domain), "RECEIPT_SIGNATURE_INVALID");
  });

  it("refuses to sign a receipt whose index is outside its tree, or with bad hashes, as RECEIPT_INVALID", async () => {
    await expectReleaseLogRejection(() => signReceipt(kmsAccount, domain, { ...input, logIndex: 10 }), "RECEIPT_INVALID");
    await expectReleaseLogRejection(() => signReceipt(kmsAccount, domain, { ...input, leafHash: new Uint8Array(31) }), "RECEIPT_INVALID");
    await expectReleaseLogRejection(
      () => signReceipt(kmsAccount, domain, { ...input, policyBlock: { number: 2n ** 64n, hash: input.policyBlock.hash } }),
      "RECEIPT_INVALID",
    );
    await expectReleaseLogRejection(() => signReceipt(kmsAccount, domain, { ...input, treeSize: 10.5 }), "RECEIPT_INVALID");
  });
});
