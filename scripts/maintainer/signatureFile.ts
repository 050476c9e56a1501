import { getAddress, type Address, type Hex } from "viem";
import { canonicalJson } from "../../core/jcs";
import { toHex0x } from "../../core/bytes";
import { parseReleaseMetadata, releaseMetadataDigest, ReleaseMetadataError } from "../../core/release/metadata";
import { MaintainerError } from "./errors";
import { SIGNATURE_FILE_FORMAT, signingDigestOf, type SignatureFile, type SignatureRequest } from "./signatureRequest";

/**
 * Signature files on disk: one flat JSON object per signer, the request's fields plus `signer`,
 * `signature` and (informational, checked when present) `signingDigest`, the EIP-712 digest.
 *
 *   { "format": "basekms-signature/v1", "kind": "Release", "chainId": 8453,
 *     "verifyingContract": "0x…", "appId": "0x…", "composeHash": "0x…",
 *     "metadata": { "sourceCommit": "…", "imageDigests": ["sha256:…"], "releaseTag": "v1.0.0" },
 *     "metadataDigest": "0x…", "nonce": 0, "deadline": 1767225600,
 *     "signingDigest": "0x…", "signer": "0x…", "signature": "0x…" }
 *
 * Parsing refuses anything that does not hold together (`SIGNATURE_FILE_INVALID`): unknown or
 * missing members, malformed hex, or a `metadataDigest` that is not the digest of `metadata`.
 */
export function serializeSignatureFile(file: SignatureFile): string {
  return `${JSON.stringify({ ...file.request, signingDigest: signingDigestOf(file.request), signer: file.signer, signature: file.signature }, null, 2)}\n`;
}

const COMMON_MEMBERS = ["format", "kind", "chainId", "verifyingContract", "appId", "deadline", "signingDigest", "signer", "signature"];
const KIND_MEMBERS: Record<SignatureRequest["kind"], string[]> = {
  Release: ["composeHash", "metadata", "metadataDigest", "nonce"],
  AppFreeze: ["configVersion"],
};

export function parseSignatureFile(text: string, source = "signature file"): SignatureFile {
  const fail = (reason: string): never => {
    throw new MaintainerError("SIGNATURE_FILE_INVALID", `${source} is not a valid basekms signature file: ${reason}`);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail("it is not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fail("it is not a JSON object");
  const record = value as Record<string, unknown>;
  if (record.format !== SIGNATURE_FILE_FORMAT) return fail(`format must be "${SIGNATURE_FILE_FORMAT}"`);
  const kind = record.kind;
  if (kind !== "Release" && kind !== "AppFreeze") return fail('kind must be "Release" or "AppFreeze"');
  const allowed = new Set([...COMMON_MEMBERS, ...KIND_MEMBERS[kind]]);
  const unknown = Object.keys(record).filter((key) => !allowed.has(key));
  if (unknown.length > 0) return fail(`unknown member(s) ${unknown.join(", ")}`);

  const hex = (name: string, bytes: number): Hex => {
    const field = record[name];
    if (typeof field !== "string" || !new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`).test(field)) return fail(`${name} must be 0x and ${bytes} bytes of hex`);
    return field.toLowerCase() as Hex;
  };
  const integer = (name: string): number => {
    const field = record[name];
    if (typeof field !== "number" || !Number.isSafeInteger(field) || field < 0) return fail(`${name} must be a non-negative integer`);
    return field;
  };
  const address = (name: string): Address => getAddress(hex(name, 20));
  const signatureField = record.signature;
  if (typeof signatureField !== "string" || !/^0x(?:[0-9a-fA-F]{2})+$/.test(signatureField)) return fail("signature must be 0x-hex");

  const common = {
    format: SIGNATURE_FILE_FORMAT,
    chainId: integer("chainId"),
    verifyingContract: address("verifyingContract"),
    appId: hex("appId", 20),
    deadline: integer("deadline"),
  } as const;
  let request: SignatureRequest;
  if (kind === "Release") {
    let metadata;
    try {
      metadata = parseReleaseMetadata(record.metadata);
    } catch (error) {
      return fail(error instanceof ReleaseMetadataError ? error.message : "metadata is malformed");
    }
    const metadataDigest = hex("metadataDigest", 32);
    if (metadataDigest !== toHex0x(releaseMetadataDigest(metadata))) return fail("metadataDigest is not the digest of metadata");
    const nonce = integer("nonce");
    if (nonce > 0xffffffff) return fail("nonce must fit in 32 bits");
    request = { ...common, kind, composeHash: hex("composeHash", 32), metadata, metadataDigest, nonce };
  } else {
    request = { ...common, kind, configVersion: integer("configVersion") };
  }
  if (record.signingDigest !== undefined && hex("signingDigest", 32) !== signingDigestOf(request)) {
    return fail("signingDigest is not the EIP-712 digest of the request");
  }
  return { request, signer: address("signer"), signature: signatureField.toLowerCase() as Hex };
}

/** The canonical text of a request: two files sign the same message exactly when these are equal. */
export function requestKey(request: SignatureRequest): string {
  return canonicalJson({ ...request, verifyingContract: request.verifyingContract.toLowerCase() });
}
