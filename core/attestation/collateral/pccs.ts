import { bytesEqual, toHex, tryFromHex } from "../../bytes";
import { AttestationError } from "../errors";
import { assembleCollateral, type Collateral } from "./collateral";
import { type FetchFunction, httpGet, type HttpGetOptions } from "./httpGet";
import { memberValueText } from "./jsonSpan";
import { malformed } from "./strictJson";
import { checkCollateralTimes } from "./validity";

/** Which CA issued the PCK certificate (and so which PCK CRL applies). */
export type PckCaType = "platform" | "processor";

export interface FetchCollateralParameters {
  /** PCCS or Intel PCS base, e.g. `https://pccs.example:8081` or `https://api.trustedservices.intel.com`. */
  baseUrl: string;
  /** 6 bytes, from the PCK certificate's SGX extension. */
  fmspc: Uint8Array;
  caType: PckCaType;
  fetch?: FetchFunction;
  /** Per request, body included. Default 10 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Unix seconds. When given, collateral already stale (or not yet valid) at `now` is refused. */
  now?: number;
  /** Where the Intel SGX Root CA CRL is. Default `{base}/sgx/certification/v4/rootcacrl` (PCCS). */
  rootCaCrlUrl?: string;
}

export type FetchCollateralReturnType = Promise<Collateral>;

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Fetches TCB Info, TD QE Identity, the PCK CRL and the root CA CRL for one FMSPC, from a
 * PCCS or Intel PCS (API v4), and keeps the signed JSON byte-exact.
 *
 * Refusals: `COLLATERAL_UNAVAILABLE` (network, timeout, non-2xx), `COLLATERAL_MALFORMED`
 * (a body or header that is not what PCS serves), `FMSPC_MISMATCH` (TCB Info for another
 * platform), plus the parsers' and, with `now`, the validity window's codes.
 */
export async function fetchCollateral(parameters: FetchCollateralParameters): FetchCollateralReturnType {
  if (parameters.fmspc.length !== 6) throw malformed("FMSPC must be 6 bytes");
  const base = normalizeBaseUrl(parameters.baseUrl);
  const http: HttpGetOptions = {
    fetch: parameters.fetch ?? ((url, init) => globalThis.fetch(url, init)),
    timeoutMs: parameters.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(parameters.signal ? { signal: parameters.signal } : {}),
  };
  const fmspcHex = toHex(parameters.fmspc).toUpperCase();
  const [tcb, qe, pckCrl, rootCrl] = await Promise.all([
    httpGet(`${base}/tdx/certification/v4/tcb?fmspc=${fmspcHex}`, http),
    httpGet(`${base}/tdx/certification/v4/qe/identity`, http),
    httpGet(`${base}/sgx/certification/v4/pckcrl?ca=${parameters.caType}&encoding=der`, http),
    httpGet(parameters.rootCaCrlUrl ?? `${base}/sgx/certification/v4/rootcacrl`, http),
  ]);
  const tcbBody = signedMember(tcb.body, "tcbInfo", "TCB Info response");
  const qeBody = signedMember(qe.body, "enclaveIdentity", "QE Identity response");
  const collateral = assembleCollateral({
    pckCrlIssuerChainPem: issuerChain(pckCrl.headers, ["SGX-PCK-CRL-Issuer-Chain"]),
    rootCaCrlDer: crlDer(rootCrl.body, "root CA CRL"),
    pckCrlDer: crlDer(pckCrl.body, "PCK CRL"),
    tcbInfoIssuerChainPem: issuerChain(tcb.headers, ["TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain"]),
    tcbInfoText: tcbBody.text,
    tcbInfoSignature: tcbBody.signature,
    qeIdentityIssuerChainPem: issuerChain(qe.headers, [
      "SGX-Enclave-Identity-Issuer-Chain",
      "Enclave-Identity-Issuer-Chain",
    ]),
    qeIdentityText: qeBody.text,
    qeIdentitySignature: qeBody.signature,
  });
  if (!bytesEqual(collateral.tcbInfo.fmspc, parameters.fmspc)) {
    throw new AttestationError(
      "FMSPC_MISMATCH",
      `asked for FMSPC ${fmspcHex}, got TCB Info for ${toHex(collateral.tcbInfo.fmspc).toUpperCase()}`,
    );
  }
  if (parameters.now !== undefined) checkCollateralTimes(collateral, parameters.now);
  return collateral;
}

/** Accepts a base with or without a trailing `/` or `/{sgx,tdx}/certification/v4`. */
export function normalizeBaseUrl(baseUrl: string): string {
  let base = baseUrl.trim().replace(/\/+$/, "");
  base = base.replace(/\/(?:sgx|tdx)\/certification\/v4$/, "");
  try {
    const parsed = new URL(base);
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new TypeError("not http(s)");
  } catch (error) {
    throw new AttestationError("COLLATERAL_UNAVAILABLE", `PCCS base URL is not an http(s) URL`, { cause: error });
  }
  return base;
}

/** `{"<member>": {...}, "signature": "<hex r‖s>"}`, with the member's exact text. */
function signedMember(body: Uint8Array, member: string, what: string): { text: string; signature: Uint8Array } {
  const json = decodeUtf8(body, what);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw malformed(`${what} is not JSON`, error);
  }
  const signatureHex = (parsed as { signature?: unknown } | null)?.signature;
  const signature = typeof signatureHex === "string" ? tryFromHex(signatureHex) : undefined;
  if (!signature || signature.length !== 64) throw malformed(`${what} has no 64-byte hex "signature"`);
  return { text: memberValueText(json, member), signature };
}

/** Issuer chains come URL-encoded in a header (PEM, leaf first). */
function issuerChain(headers: Headers, names: readonly string[]): string {
  for (const name of names) {
    const value = headers.get(name);
    if (value === null) continue;
    try {
      return decodeURIComponent(value);
    } catch (error) {
      throw malformed(`header ${name} is not URL-encoded PEM`, error);
    }
  }
  throw malformed(`response lacks header ${names.join(" / ")}`);
}

const PEM_CRL_RE = /^-----BEGIN X509 CRL-----([A-Za-z0-9+/=\s]+)-----END X509 CRL-----$/;

/** A CRL body: DER as PCS serves it, or hex (PCCS root CRL) or PEM as some proxies do. */
export function crlDer(body: Uint8Array, what: string): Uint8Array {
  if (body[0] === 0x30) return body;
  const text = decodeUtf8(body, what).trim();
  const pem = PEM_CRL_RE.exec(text);
  const der = pem ? new Uint8Array(Buffer.from(pem[1]!.replace(/\s+/g, ""), "base64")) : tryFromHex(text);
  if (!der || der[0] !== 0x30) throw malformed(`${what} is neither DER, hex nor PEM`);
  return der;
}

function decodeUtf8(body: Uint8Array, what: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(body);
  } catch (error) {
    throw malformed(`${what} is not UTF-8`, error);
  }
}
