import { type Address, type Hex, type LocalAccount, isAddressEqual, recoverTypedDataAddress } from "viem";
import { type ContractDomain, receiptTypes } from "../contracts/typedData";
import { ReleaseLogError } from "./errors";
import { checksumAddress, hash32Hex, isStrictSignature, safeUint } from "./typedSignature";

/**
 * Key-release receipts: the KMS identity signs, under the PlatformPolicy EIP-712 domain,
 * where the release sits in its log (`logIndex`, `leafHash`, and a tree head that contains
 * it) and which policy block it was decided at. The agent recovers the signer and checks it
 * is a registered KMS identity before it uses the key.
 */
export interface ReceiptFields {
  logIndex: number;
  leafHash: Hex;
  treeSize: number;
  rootHash: Hex;
  policyBlock: { number: number; hash: Hex };
}

export interface SignedReceipt extends ReceiptFields {
  kms: Address;
  signature: Hex;
}

export interface ReceiptInput {
  logIndex: number;
  leafHash: Uint8Array | Hex;
  treeSize: number;
  rootHash: Uint8Array | Hex;
  policyBlock: { number: number | bigint; hash: Uint8Array | Hex };
}

function invalid(message: string): never {
  throw new ReleaseLogError("RECEIPT_INVALID", message);
}

/** Checks and normalizes the fields (0x lowercase hashes, numbers) of a receipt. */
function receiptFields(input: ReceiptInput): ReceiptFields {
  const logIndex = safeUint(input.logIndex) ?? invalid("receipt logIndex must be a safe non-negative integer");
  const treeSize = safeUint(input.treeSize) ?? invalid("receipt treeSize must be a safe non-negative integer");
  if (logIndex >= treeSize) invalid(`receipt logIndex ${logIndex} is not inside tree size ${treeSize}`);
  const policyNumber = safeUint(input.policyBlock?.number) ?? invalid("receipt policy block number must be a safe integer");
  return {
    logIndex,
    leafHash: hash32Hex(input.leafHash) ?? invalid("receipt leafHash must be 32 bytes"),
    treeSize,
    rootHash: hash32Hex(input.rootHash) ?? invalid("receipt rootHash must be 32 bytes"),
    policyBlock: { number: policyNumber, hash: hash32Hex(input.policyBlock.hash) ?? invalid("receipt policy block hash must be 32 bytes") },
  };
}

function receiptMessage(fields: ReceiptFields) {
  return {
    logIndex: BigInt(fields.logIndex),
    leafHash: fields.leafHash,
    treeSize: BigInt(fields.treeSize),
    rootHash: fields.rootHash,
    policyBlockNumber: BigInt(fields.policyBlock.number),
    policyBlockHash: fields.policyBlock.hash,
  };
}

/** Signs a receipt with the KMS identity `account`. Throws `RECEIPT_INVALID` on bad fields. */
export async function signReceipt(account: LocalAccount, domain: ContractDomain, input: ReceiptInput): Promise<SignedReceipt> {
  const fields = receiptFields(input);
  const signature = await account.signTypedData({
    domain,
    types: receiptTypes,
    primaryType: "Receipt",
    message: receiptMessage(fields),
  });
  return { ...fields, kms: account.address, signature };
}

/** The address that signed the receipt. Throws `RECEIPT_INVALID` or `RECEIPT_SIGNATURE_INVALID`. */
export async function recoverReceiptSigner(
  receipt: ReceiptInput & { signature: Hex },
  domain: ContractDomain,
): Promise<Address> {
  const fields = receiptFields(receipt);
  if (!isStrictSignature(receipt.signature)) {
    throw new ReleaseLogError("RECEIPT_SIGNATURE_INVALID", "receipt signature is not a 65-byte low-s ECDSA signature");
  }
  try {
    return await recoverTypedDataAddress({
      domain,
      types: receiptTypes,
      primaryType: "Receipt",
      message: receiptMessage(fields),
      signature: receipt.signature,
    });
  } catch (cause) {
    throw new ReleaseLogError("RECEIPT_SIGNATURE_INVALID", "receipt signature recovers no key", { cause });
  }
}

/**
 * Checks that `receipt.kms` signed the receipt under `domain`. The agent must still check
 * that `receipt.kms` is a registered KMS identity on chain.
 */
export async function verifyReceiptSignature(receipt: SignedReceipt, domain: ContractDomain): Promise<void> {
  const kms = checksumAddress(receipt.kms) ?? invalid("receipt kms must be an address");
  const signer = await recoverReceiptSigner(receipt, domain);
  if (!isAddressEqual(signer, kms)) {
    throw new ReleaseLogError("RECEIPT_SIGNATURE_INVALID", `receipt is signed by ${signer}, not ${kms}`);
  }
}
