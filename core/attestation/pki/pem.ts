import { AttestationError } from "../errors";

/**
 * PEM certificate chains as they reach us: inside quotes (certification data type 5, often
 * NUL-terminated), in collateral JSON, and URL-encoded in Intel PCS response headers
 * (`SGX-PCK-Certificate-Issuer-Chain`, `TCB-Info-Issuer-Chain`, ...).
 * Only CERTIFICATE blocks are accepted; any other text outside the blocks is refused, so a
 * chain cannot smuggle content a different parser might pick up.
 */
const BEGIN = "-----BEGIN CERTIFICATE-----";
const END = "-----END CERTIFICATE-----";
/** Whitespace and the NUL padding quotes put after the chain. */
const FILLER = /^[\s\u0000]*$/;
const BASE64_BODY = /^[A-Za-z0-9+/]*={0,2}$/;
/** Intel chains have 2-3 certificates; the cap bounds work on hostile input. */
const MAX_CERTIFICATES = 8;

/** Splits a PEM chain into DER certificates, in the order given (leaf first for Intel chains). */
export function splitPemChain(pem: string | Uint8Array): Uint8Array[] {
  const text = typeof pem === "string" ? pem : asciiText(pem);
  const certificates: Uint8Array[] = [];
  let offset = 0;
  for (;;) {
    const begin = text.indexOf(BEGIN, offset);
    if (begin < 0) break;
    if (!FILLER.test(text.slice(offset, begin))) fail("unexpected text between PEM blocks");
    const end = text.indexOf(END, begin + BEGIN.length);
    if (end < 0) fail("PEM block without an END line");
    certificates.push(decodeBase64Body(text.slice(begin + BEGIN.length, end)));
    if (certificates.length > MAX_CERTIFICATES) fail(`more than ${MAX_CERTIFICATES} certificates in a chain`);
    offset = end + END.length;
  }
  if (!FILLER.test(text.slice(offset))) fail("unexpected text after the last PEM block");
  if (certificates.length === 0) fail("no PEM certificate found");
  return certificates;
}

/** Decodes a URL-encoded PEM chain (percent-encoding, as in PCS issuer-chain headers). */
export function decodeUrlEncodedPem(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch (cause) {
    throw new AttestationError("CERT_MALFORMED", "issuer chain is not valid URL encoding", { cause });
  }
}

/** One certificate as PEM text (for logs, CLI output and fixtures). */
export function derToPem(der: Uint8Array): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("base64");
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `${BEGIN}\n${lines.join("\n")}\n${END}\n`;
}

function decodeBase64Body(body: string): Uint8Array {
  const compact = body.replace(/[\r\n\t ]/g, "");
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64_BODY.test(compact)) {
    fail("PEM body is not valid base64");
  }
  return new Uint8Array(Buffer.from(compact, "base64"));
}

function asciiText(bytes: Uint8Array): string {
  for (const byte of bytes) if (byte > 0x7f) fail("PEM chain is not ASCII");
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

function fail(message: string): never {
  throw new AttestationError("CERT_MALFORMED", message);
}
