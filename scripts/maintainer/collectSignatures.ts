import type { Address, Hex } from "viem";
import { canonicalJson } from "../../core/jcs";
import { MaintainerError } from "./errors";
import { requestKey } from "./signatureFile";
import type { SignatureFile, SignatureRequest } from "./signatureRequest";

export interface SourcedSignatureFile<Request extends SignatureRequest = SignatureRequest> {
  file: SignatureFile<Request>;
  /** Where it came from (a path), for messages. */
  source: string;
}

export interface SignatureBundle<Request extends SignatureRequest = SignatureRequest> {
  request: Request;
  /** Sorted by strictly ascending signer address, as the contract requires; the submitter left out. */
  signatures: { signer: Address; signature: Hex }[];
  /** True when the submitter signed too: the contract counts the sender, so its signature was dropped. */
  submitterSignatureDropped: boolean;
}

/**
 * Turns co-signers' files into the bundle `approveRelease` / `freezeApp` takes:
 * - every file signs the same request (`SIGNATURE_FILES_DISAGREE`, naming the first differing member);
 * - no signer appears twice (`SIGNATURE_DUPLICATE_SIGNER`);
 * - sorted by signer address, ascending (compared as numbers, which is what the contract does);
 * - the submitter's own signature is dropped, because the contract counts a signer-sender as
 *   an approval and refuses it in the bundle as well (`AppRegistryDuplicateSigner`).
 */
export function collectSignatures<Request extends SignatureRequest>(
  files: readonly SourcedSignatureFile<Request>[],
  options: { submitter?: Address } = {},
): SignatureBundle<Request> {
  const first = files[0];
  if (!first) throw new MaintainerError("SIGNATURE_FILE_INVALID", "no signature files given");
  const expected = requestKey(first.file.request);
  for (const other of files.slice(1)) {
    if (requestKey(other.file.request) !== expected) {
      const member = firstDifference(first.file.request, other.file.request);
      throw new MaintainerError(
        "SIGNATURE_FILES_DISAGREE",
        `${first.source} and ${other.source} sign different messages: they differ in ${member} ` +
          `(${describe(first.file.request, member)} vs ${describe(other.file.request, member)})`,
      );
    }
  }
  const bySigner = new Map<string, SourcedSignatureFile<Request>>();
  for (const entry of files) {
    const key = entry.file.signer.toLowerCase();
    const earlier = bySigner.get(key);
    if (earlier) {
      throw new MaintainerError("SIGNATURE_DUPLICATE_SIGNER", `${earlier.source} and ${entry.source} are both signed by ${entry.file.signer}`);
    }
    bySigner.set(key, entry);
  }
  const submitter = options.submitter?.toLowerCase();
  const sorted = [...bySigner.entries()].sort(([a], [b]) => (BigInt(a) < BigInt(b) ? -1 : 1));
  return {
    request: first.file.request,
    signatures: sorted.filter(([key]) => key !== submitter).map(([, entry]) => ({ signer: entry.file.signer, signature: entry.file.signature })),
    submitterSignatureDropped: submitter !== undefined && bySigner.has(submitter),
  };
}

function firstDifference(a: SignatureRequest, b: SignatureRequest): string {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if (key === "verifyingContract") {
      if (a.verifyingContract.toLowerCase() !== b.verifyingContract.toLowerCase()) return key;
    } else if (canonicalJson(field(a, key) ?? null) !== canonicalJson(field(b, key) ?? null)) {
      return key;
    }
  }
  return "(nothing)";
}

function describe(request: SignatureRequest, member: string): string {
  const value = field(request, member);
  return value === undefined ? "absent" : canonicalJson(value);
}

function field(request: SignatureRequest, member: string): unknown {
  return (request as unknown as Record<string, unknown>)[member];
}
