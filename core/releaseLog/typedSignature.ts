import type { Address, Hex } from "viem";
import { getAddress } from "viem";
import { toHex0x, tryFromHex } from "../bytes";
import { HASH_SIZE } from "../merkle/hash";

/**
 * Shared checks for the KMS's EIP-712 signatures (checkpoints and receipts). Off-chain
 * verifiers accept exactly what OpenZeppelin's `ECDSA.tryRecover` accepts on chain: 65 bytes
 * `r ‖ s ‖ v`, `s` in the lower half of the curve order (no malleable twin), `v` 27 or 28.
 * Otherwise a signature the anchor contract refuses could pass an off-chain check.
 */
const SECP256K1_HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

export function isStrictSignature(signature: unknown): signature is Hex {
  if (typeof signature !== "string" || !/^0x[0-9a-fA-F]{130}$/.test(signature)) return false;
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  const v = Number.parseInt(signature.slice(130, 132), 16);
  return s > 0n && s <= SECP256K1_HALF_ORDER && (v === 27 || v === 28);
}

/** A 32-byte hash as lowercase `0x` hex, from bytes or hex; undefined when it is not 32 bytes. */
export function hash32Hex(value: unknown): Hex | undefined {
  const bytes = value instanceof Uint8Array ? value : typeof value === "string" ? tryFromHex(value) : undefined;
  if (!bytes || bytes.length !== HASH_SIZE || (typeof value === "string" && !value.startsWith("0x"))) return undefined;
  return toHex0x(bytes);
}

/** A uint64 that JavaScript numbers hold exactly (below 2^53), from a number or bigint. */
export function safeUint(value: unknown): number | undefined {
  const number = typeof value === "bigint" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isSafeInteger(number) || number < 0) return undefined;
  if (typeof value === "bigint" && BigInt(number) !== value) return undefined;
  return number;
}

/** An address in EIP-55 form, or undefined when it is not one. */
export function checksumAddress(value: unknown): Address | undefined {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(value)) return undefined;
  return getAddress(value);
}
