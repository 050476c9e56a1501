import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../core/bytes";
import {
  parseReleaseMetadata,
  releaseMetadataCanonicalJson,
  releaseMetadataDigest,
  ReleaseMetadataError,
  type ReleaseMetadata,
} from "../../core/release/metadata";

/**
 * The release metadata digest is `SHA-256(JCS({sourceCommit, imageDigests, releaseTag}))`. The
 * vector's canonical text was written by hand (keys sorted, no whitespace) and hashed with
 * `sha256sum`, independently of this code.
 */
const VECTOR: ReleaseMetadata = {
  sourceCommit: "1f2e3d4c5b6a79880716253443526170f9e8d7c6",
  imageDigests: [
    "ghcr.io/basekms/social-demo-app@sha256:0975cf633042861cb550faad6a19a9cdf055824fe3d0926cecc61cc76ee97e36",
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  ],
  releaseTag: "v1.0.0",
};
const VECTOR_CANONICAL =
  '{"imageDigests":["ghcr.io/basekms/social-demo-app@sha256:0975cf633042861cb550faad6a19a9cdf055824fe3d0926cecc61cc76ee97e36",' +
  '"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],"releaseTag":"v1.0.0","sourceCommit":"1f2e3d4c5b6a79880716253443526170f9e8d7c6"}';
const VECTOR_DIGEST = "42d85f536d4ff4f31ef232a7f7d929a0968191d73c8f82b7fce33846c8cde545";

function expectInvalid(value: unknown, pattern: RegExp): void {
  let thrown: unknown;
  try {
    parseReleaseMetadata(value);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ReleaseMetadataError);
  expect((thrown as ReleaseMetadataError).code).toBe("RELEASE_METADATA_INVALID");
  expect((thrown as Error).message).toMatch(pattern);
}

describe("releaseMetadataDigest", () => {
  it("hashes the JCS text of the three members, byte for byte (fixed vector)", () => {
    expect(releaseMetadataCanonicalJson(VECTOR)).toBe(VECTOR_CANONICAL);
    expect(toHex(releaseMetadataDigest(VECTOR))).toBe(VECTOR_DIGEST);
  });

  it("does not depend on the order of the object's keys", () => {
    const reordered = { releaseTag: VECTOR.releaseTag, imageDigests: VECTOR.imageDigests, sourceCommit: VECTOR.sourceCommit };
    expect(toHex(releaseMetadataDigest(reordered))).toBe(VECTOR_DIGEST);
  });

  it("changes when any field changes, including the order of the image digests", () => {
    const mutations: ReleaseMetadata[] = [
      { ...VECTOR, sourceCommit: "0f2e3d4c5b6a79880716253443526170f9e8d7c6" },
      { ...VECTOR, releaseTag: "v1.0.1" },
      { ...VECTOR, imageDigests: [...VECTOR.imageDigests].reverse() },
      { ...VECTOR, imageDigests: VECTOR.imageDigests.slice(0, 1) },
    ];
    for (const mutation of mutations) expect(toHex(releaseMetadataDigest(mutation))).not.toBe(VECTOR_DIGEST);
  });

  it("equals SHA-256 of the canonical text for any valid metadata (property)", () => {
    const hex = (length: number) => fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: length, maxLength: length });
    const metadata = fc.record({
      sourceCommit: fc.oneof(hex(40), hex(64)),
      imageDigests: fc.uniqueArray(hex(64).map((body) => `sha256:${body}`), { minLength: 1, maxLength: 4 }),
      releaseTag: fc.string({ unit: fc.constantFrom(..."abcXYZ019.-_+/"), minLength: 1, maxLength: 20 }),
    });
    fc.assert(
      fc.property(metadata, (value) => {
        const expected = createHash("sha256").update(releaseMetadataCanonicalJson(value)).digest("hex");
        expect(toHex(releaseMetadataDigest(value))).toBe(expected);
      }),
      { numRuns: 50 },
    );
  });
});

describe("parseReleaseMetadata", () => {
  it("refuses a short or uppercase source commit", () => {
    expectInvalid({ ...VECTOR, sourceCommit: "1f2e3d4" }, /sourceCommit/);
    expectInvalid({ ...VECTOR, sourceCommit: VECTOR.sourceCommit.toUpperCase() }, /sourceCommit/);
  });

  it("refuses an image reference that is not pinned by a sha256 digest", () => {
    expectInvalid({ ...VECTOR, imageDigests: ["ghcr.io/basekms/app:latest"] }, /image digest/);
    expectInvalid({ ...VECTOR, imageDigests: [] }, /imageDigests/);
  });

  it("refuses the same image twice", () => {
    expectInvalid({ ...VECTOR, imageDigests: [VECTOR.imageDigests[1], VECTOR.imageDigests[1]] }, /twice/);
  });

  it("refuses an empty tag or one with spaces", () => {
    expectInvalid({ ...VECTOR, releaseTag: "" }, /releaseTag/);
    expectInvalid({ ...VECTOR, releaseTag: "v1 final" }, /releaseTag/);
  });

  it("refuses unknown members, so two tools cannot hash different objects under one name", () => {
    expectInvalid({ ...VECTOR, notes: "x" }, /unknown member/);
    expectInvalid(null, /object/);
  });

  it("returns a fresh object with exactly the three members", () => {
    const parsed = parseReleaseMetadata(VECTOR);
    expect(parsed).toEqual(VECTOR);
    expect(parsed.imageDigests).not.toBe(VECTOR.imageDigests);
  });
});
