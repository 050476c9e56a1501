/** Public API of the PKI layer: DER, PEM, X.509, the SGX PCK extension, CRLs and chains. */
export { DER_TAG, DerReader, contextTag, readSingle, type DerElement, type DerErrorCode } from "./der";
export { splitPemChain, decodeUrlEncodedPem, derToPem } from "./pem";
export { parseCertificate, unknownCriticalExtensions, type Certificate, type CertificateExtensions } from "./x509";
export type { BasicConstraints, Extension, KeyUsage } from "./extensions";
export { OID_SGX_EXTENSION } from "./extensions";
export { OID_ECDSA_WITH_SHA256 } from "./algorithms";
export { parseSgxExtension, sgxExtensionOf, type SgxPckExtension } from "./sgxExtension";
export { parseCrl, verifyCrl, isRevoked, type Crl } from "./crl";
export {
  verifyCertificateChain,
  type VerifiedChain,
  type VerifyCertificateChainParameters,
} from "./chain";
export {
  ChainCache,
  verifyCertificateChainBytes,
  type ChainCacheOptions,
  type VerifyChainBytesParameters,
} from "./chainCache";
export { verifyP256, p256PublicKey, type EcdsaSignatureEncoding } from "./p256";
export { INTEL_SGX_ROOT_CA_DER_SHA256, loadIntelSgxRootCa } from "./intelRoot";
