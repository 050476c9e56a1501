import { toHex } from "../../bytes";

/**
 * Certificate serial numbers as lowercase hex of the INTEGER contents without the single
 * 0x00 sign byte DER adds when the top bit is set (so `00ba81…` reads `ba81…`, as OpenSSL
 * prints it). Certificates and CRL entries use this same function, so revocation lookups
 * compare like with like.
 */
export function serialToHex(integerContents: Uint8Array): string {
  const unsigned =
    integerContents.length > 1 && integerContents[0] === 0 ? integerContents.subarray(1) : integerContents;
  return toHex(unsigned);
}
