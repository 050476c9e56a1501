import { createPublicKey, generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { utf8 } from "../../../core/bytes";
import { p256PublicKey, verifyP256 } from "../../../core/attestation/pki/p256";
import { splitPemChain } from "../../../core/attestation/pki/pem";
import { parseCertificate } from "../../../core/attestation/pki/x509";
import { COLLATERAL_FILES, hexBytes, loadCollateral, readVectorJson } from "../../helpers/pkiVectors";

interface SignedCollateral {
  tcb_info: string;
  tcb_info_signature: string;
  qe_identity: string;
  qe_identity_signature: string;
  tcb_info_issuer_chain: string;
}

function tcbSigning(file: (typeof COLLATERAL_FILES)[number]) {
  const collateral = readVectorJson<SignedCollateral>(file);
  const signer = parseCertificate(splitPemChain(collateral.tcb_info_issuer_chain)[0] as Uint8Array);
  return { collateral, key: signer.publicKey };
}

describe("verifyP256", () => {
  it("verifies Intel's raw r‖s signatures over the exact TCB Info and QE Identity text of every collateral", () => {
    for (const file of COLLATERAL_FILES) {
      const { collateral, key } = tcbSigning(file);
      expect(verifyP256(key, utf8(collateral.tcb_info), hexBytes(collateral.tcb_info_signature), "ieee-p1363"), file).toBe(true);
      expect(verifyP256(key, utf8(collateral.qe_identity), hexBytes(collateral.qe_identity_signature), "ieee-p1363"), file).toBe(true);
    }
  });

  it("accepts the key as 65 bytes (0x04 ‖ x ‖ y), 64 bytes (x ‖ y, as quotes carry it) or a KeyObject", () => {
    const { collateral, key } = tcbSigning("dcap-qvl/tdx_quote_collateral.json");
    const data = utf8(collateral.tcb_info);
    const signature = hexBytes(collateral.tcb_info_signature);
    expect(verifyP256(key.subarray(1), data, signature, "ieee-p1363")).toBe(true);
    expect(verifyP256(p256PublicKey(key)!, data, signature, "ieee-p1363")).toBe(true);
  });

  it("verifies DER signatures (certificates and CRLs)", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const spki = publicKey.export({ format: "der", type: "spki" });
    const raw = new Uint8Array(spki.subarray(spki.length - 65));
    const data = utf8("basekms");
    expect(verifyP256(raw, data, sign("sha256", data, privateKey), "der")).toBe(true);
    expect(verifyP256(raw, data, sign("sha256", data, { key: privateKey, dsaEncoding: "ieee-p1363" }), "ieee-p1363")).toBe(true);
  });

  it("returns false for a changed message or a flipped signature byte", () => {
    const { collateral, key } = tcbSigning("near-mpc/collateral.json");
    const signature = hexBytes(collateral.tcb_info_signature);
    expect(verifyP256(key, utf8(`${collateral.tcb_info} `), signature, "ieee-p1363")).toBe(false);
    signature[10] = (signature[10] as number) ^ 0x01;
    expect(verifyP256(key, utf8(collateral.tcb_info), signature, "ieee-p1363")).toBe(false);
  });

  it("returns false, never throws, for a key off the curve, a malformed key or a malformed signature", () => {
    const { collateral, key } = tcbSigning("near-mpc/collateral.json");
    const data = utf8(collateral.tcb_info);
    const signature = hexBytes(collateral.tcb_info_signature);
    const offCurve = key.slice();
    offCurve[64] = (offCurve[64] as number) ^ 0x01;
    expect(p256PublicKey(offCurve)).toBeUndefined();
    expect(verifyP256(offCurve, data, signature, "ieee-p1363")).toBe(false);
    expect(verifyP256(new Uint8Array(33), data, signature, "ieee-p1363")).toBe(false);
    expect(verifyP256(key, data, signature.subarray(0, 63), "ieee-p1363")).toBe(false);
    expect(verifyP256(key, data, new Uint8Array(64), "ieee-p1363")).toBe(false);
    expect(verifyP256(key, data, Uint8Array.of(0x30, 0x02, 0x02, 0x00), "der")).toBe(false);
    expect(verifyP256(key, data, signature, "der")).toBe(false);
  });

  it("returns the same cached KeyObject for the same key bytes", () => {
    const { key } = tcbSigning("automata/quote_tdx_collateral.json");
    const first = p256PublicKey(key);
    expect(p256PublicKey(key.slice())).toBe(first);
    expect(first?.equals(createPublicKey({ key: Buffer.concat([Buffer.from("3059301306072a8648ce3d020106082a8648ce3d030107034200", "hex"), key]), format: "der", type: "spki" }))).toBe(true);
  });
});
