import { BaseError } from "../errors";
import { sha256 } from "../hash";
import { utf8 } from "../bytes";
import { canonicalJson } from "../jcs";

/**
 * Release metadata: what a release's signers vouch for besides the compose hash. The signers sign
 * only its digest (`metadataDigest` in the EIP-712 `Release` struct and the `ReleaseApproved`
 * event); the metadata itself travels in the signature files, so anyone holding them can
 * recompute the digest and check it against the chain.
 *
 *   metadataDigest = SHA-256( JCS({ "sourceCommit": ..., "imageDigests": [...], "releaseTag": ... }) )
 *
 * JCS is RFC 8785 (`core/jcs.ts`), so key order and whitespace never matter. The object has
 * exactly these three members; `imageDigests` keeps the order given (it is an array, and JCS
 * does not sort arrays). Malformed metadata is refused before it is hashed, so no digest is
 * ever produced for a value another tool would read differently.
 */
export interface ReleaseMetadata {
  /** The full git commit of the source: 40 (SHA-1) or 64 (SHA-256) lowercase hex characters. */
  sourceCommit: string;
  /** OCI image digests, `sha256:<64 hex>`, optionally prefixed by a repository (`ghcr.io/x/y@sha256:...`). */
  imageDigests: string[];
  /** The release tag, for example `v1.2.0`: 1 to 128 printable characters, no whitespace. */
  releaseTag: string;
}

export type ReleaseMetadataErrorCode = "RELEASE_METADATA_INVALID";
export class ReleaseMetadataError extends BaseError<ReleaseMetadataErrorCode> {}

const SOURCE_COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const IMAGE_DIGEST = /^(?:[^\s@]+@)?sha256:[0-9a-f]{64}$/;
const RELEASE_TAG = /^[\x21-\x7e]{1,128}$/;
const MAX_IMAGES = 64;

/**
 * Checks a value is well-formed release metadata and returns a fresh object with exactly the
 * three members. Throws `ReleaseMetadataError` `RELEASE_METADATA_INVALID` naming the bad field.
 */
export function parseReleaseMetadata(value: unknown): ReleaseMetadata {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail("metadata must be an object");
  const record = value as Record<string, unknown>;
  const extra = Object.keys(record).filter((key) => key !== "sourceCommit" && key !== "imageDigests" && key !== "releaseTag");
  if (extra.length > 0) fail(`metadata has unknown member(s): ${extra.join(", ")}`);
  const { sourceCommit, imageDigests, releaseTag } = record;
  if (typeof sourceCommit !== "string" || !SOURCE_COMMIT.test(sourceCommit)) {
    fail("sourceCommit must be a full git commit: 40 or 64 lowercase hex characters");
  }
  if (!Array.isArray(imageDigests) || imageDigests.length === 0 || imageDigests.length > MAX_IMAGES) {
    fail(`imageDigests must list 1 to ${MAX_IMAGES} image digests`);
  }
  for (const digest of imageDigests) {
    if (typeof digest !== "string" || !IMAGE_DIGEST.test(digest)) {
      fail(`image digest ${JSON.stringify(digest)} must be sha256:<64 lowercase hex>, optionally after "<repository>@"`);
    }
  }
  if (new Set(imageDigests).size !== imageDigests.length) fail("imageDigests lists the same image twice");
  if (typeof releaseTag !== "string" || !RELEASE_TAG.test(releaseTag)) {
    fail("releaseTag must be 1 to 128 printable ASCII characters without spaces");
  }
  return { sourceCommit, imageDigests: [...(imageDigests as string[])], releaseTag };
}

/** The canonical text that is hashed: JCS of the validated metadata. */
export function releaseMetadataCanonicalJson(metadata: ReleaseMetadata): string {
  return canonicalJson(parseReleaseMetadata(metadata));
}

/** `SHA-256(JCS(metadata))`, 32 bytes: the `metadataDigest` the release signers sign. */
export function releaseMetadataDigest(metadata: ReleaseMetadata): Uint8Array {
  return sha256(utf8(releaseMetadataCanonicalJson(metadata)));
}

function fail(message: string): never {
  throw new ReleaseMetadataError("RELEASE_METADATA_INVALID", message);
}
