import canonicalizeImpl = require("canonicalize");

/**
 * RFC 8785 JSON Canonicalization Scheme. The one JCS entry point: compose hashes,
 * release-log leaves and release metadata digests all go through here.
 */
export function canonicalJson(value: unknown): string {
  const text = (canonicalizeImpl as unknown as (input: unknown) => string | undefined)(value);
  if (text === undefined) throw new TypeError("value cannot be canonicalized as JSON");
  return text;
}
