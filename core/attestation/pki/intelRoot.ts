import { createHash } from "node:crypto";
import { toHex } from "../../bytes";
import { AttestationError } from "../errors";

/**
 * The Intel SGX Root CA, the only trust anchor of a sealed KMS. It is embedded here so that
 * sealed mode never reads a trust anchor from disk, where it could be swapped.
 * Source: Intel PCS (https://certificates.trustedservices.intel.com/IntelSGXRootCA.der);
 * byte-identical to tdx-vectors/intel-root-ca/TrustedRootCA.der. Serial 22650cd6…06ac,
 * valid 2018-05-21T10:45:10Z .. 2049-12-31T23:59:59Z, P-256, CA:TRUE pathlen 1.
 */
export const INTEL_SGX_ROOT_CA_DER_SHA256 = "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3";

const INTEL_SGX_ROOT_CA_DER_BASE64 =
  "MIICjzCCAjSgAwIBAgIUImUM1lqdNInzg7SVUr9QGzknBqwwCgYIKoZIzj0EAwIwaDEaMBgGA1UEAwwRSW50ZWwgU0dYIFJv" +
  "b3QgQ0ExGjAYBgNVBAoMEUludGVsIENvcnBvcmF0aW9uMRQwEgYDVQQHDAtTYW50YSBDbGFyYTELMAkGA1UECAwCQ0ExCzAJ" +
  "BgNVBAYTAlVTMB4XDTE4MDUyMTEwNDUxMFoXDTQ5MTIzMTIzNTk1OVowaDEaMBgGA1UEAwwRSW50ZWwgU0dYIFJvb3QgQ0Ex" +
  "GjAYBgNVBAoMEUludGVsIENvcnBvcmF0aW9uMRQwEgYDVQQHDAtTYW50YSBDbGFyYTELMAkGA1UECAwCQ0ExCzAJBgNVBAYT" +
  "AlVTMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEC6nEwMDIYZOj/iPWsCzaEKi71OiOSLRFhWGjbnBVJfVnkY4u3IjkDYYL" +
  "0MxO4mqsyYjlBalTVYxFP2sJBK5zlKOBuzCBuDAfBgNVHSMEGDAWgBQiZQzWWp00ifODtJVSv1AbOScGrDBSBgNVHR8ESzBJ" +
  "MEegRaBDhkFodHRwczovL2NlcnRpZmljYXRlcy50cnVzdGVkc2VydmljZXMuaW50ZWwuY29tL0ludGVsU0dYUm9vdENBLmRl" +
  "cjAdBgNVHQ4EFgQUImUM1lqdNInzg7SVUr9QGzknBqwwDgYDVR0PAQH/BAQDAgEGMBIGA1UdEwEB/wQIMAYBAf8CAQEwCgYI" +
  "KoZIzj0EAwIDSQAwRgIhAOW/5QkR+S9CiSDcNoowLuPRLsWGf/Yi7GSX94BgwTwgAiEA4J0lrHoMs+Xo5o/sX6O9QWxHRAvZ" +
  "UGOdRQ7cvqRXaqI=";

/**
 * A fresh copy of the pinned Intel SGX Root CA DER (callers may not mutate the pinned bytes).
 * Re-checks the pinned SHA-256 so an edit to the constant above cannot go unnoticed.
 */
export function loadIntelSgxRootCa(): Uint8Array {
  const der = new Uint8Array(Buffer.from(INTEL_SGX_ROOT_CA_DER_BASE64, "base64"));
  const digest = toHex(createHash("sha256").update(der).digest());
  if (digest !== INTEL_SGX_ROOT_CA_DER_SHA256) {
    // A corrupted build: nothing can be trusted, so every verification must stop here.
    throw new AttestationError("CERT_UNTRUSTED_ROOT", `embedded Intel SGX Root CA does not match its pinned SHA-256 (${digest})`);
  }
  return der;
}
