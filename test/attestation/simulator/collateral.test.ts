import { readFileSync } from "node:fs";
import { join } from "node:path";
import { X509Certificate, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../../core/bytes";
import type { CollateralJson } from "../../../core/attestation/types";
import { issueCollateral } from "../../../core/attestation/simulator/collateral";
import { createDevPki } from "../../../core/attestation/simulator/devPki";
import { SimulatorError } from "../../../core/attestation/simulator/errors";
import { defaultTcbLevels } from "../../../core/attestation/simulator/tcbInfo";
import { VECTORS, children, readTlv, splitSigned } from "./helpers";

const pki = createDevPki();
const NOW = Date.UTC(2026, 5, 1, 12, 0, 0) / 1000;
const DAY = 86_400;
const collateral = issueCollateral(pki, { now: NOW });
const real = JSON.parse(readFileSync(join(VECTORS, "dcap-qvl/tdx_quote_collateral.json"), "utf8")) as CollateralJson;

const pemCertificates = (chain: string) =>
  (chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? []).map((pem) => new X509Certificate(pem));
const verifyRaw = (certificate: X509Certificate, text: string, signatureHex: string) =>
  verify("sha256", Buffer.from(text, "utf8"), { key: certificate.publicKey, dsaEncoding: "ieee-p1363" }, Buffer.from(signatureHex, "hex"));

/** Every object's member names, in order, down the tree (arrays: each element; string lists collapse). */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.every((item) => typeof item === "string") ? "string[]" : value.map(shape);
  if (value && typeof value === "object") return Object.entries(value).map(([key, inner]) => [key, shape(inner)]);
  return typeof value;
}

describe("issueCollateral", () => {
  it("has the vectors' members in the vectors' order, all strings", () => {
    expect(Object.keys(collateral)).toEqual(Object.keys(real));
    for (const value of Object.values(collateral)) expect(typeof value).toBe("string");
  });

  it("signs the exact TCB Info text with the TCB Signing key (raw r‖s)", () => {
    const [signing] = pemCertificates(collateral.tcb_info_issuer_chain);
    expect(collateral.tcb_info_signature).toMatch(/^[0-9a-f]{128}$/);
    expect(verifyRaw(signing!, collateral.tcb_info, collateral.tcb_info_signature)).toBe(true);
    expect(verifyRaw(signing!, collateral.tcb_info.replace('"UpToDate"', '"OutOfDate"'), collateral.tcb_info_signature)).toBe(false);
    expect(verifyRaw(signing!, `${collateral.tcb_info} `, collateral.tcb_info_signature)).toBe(false);
  });

  it("signs the exact QE Identity text with the TCB Signing key (raw r‖s)", () => {
    const [signing] = pemCertificates(collateral.qe_identity_issuer_chain);
    expect(verifyRaw(signing!, collateral.qe_identity, collateral.qe_identity_signature)).toBe(true);
    expect(verifyRaw(signing!, collateral.qe_identity.replace('"isvprodid":2', '"isvprodid":3'), collateral.qe_identity_signature)).toBe(false);
  });

  it("chains TCB Signing and CRL issuers to the dev root, leaf first", () => {
    const root = new X509Certificate(Buffer.from(pki.root.der));
    const [signing, signingRoot] = pemCertificates(collateral.tcb_info_issuer_chain);
    expect(signing!.subject).toContain("basekms Development SGX TCB Signing");
    expect(signing!.verify(root.publicKey)).toBe(true);
    expect(signingRoot!.raw.equals(root.raw)).toBe(true);
    const [platformCa, crlRoot] = pemCertificates(collateral.pck_crl_issuer_chain);
    expect(platformCa!.subject).toContain("basekms Development SGX PCK Platform CA");
    expect(crlRoot!.raw.equals(root.raw)).toBe(true);
  });

  it("writes TCB Info v3 with the same member names, order and nesting as Intel's", () => {
    const ours = JSON.parse(collateral.tcb_info);
    const intel = JSON.parse(real.tcb_info);
    const topShape = (value: Record<string, unknown>) => Object.keys(value);
    expect(topShape(ours)).toEqual(topShape(intel));
    expect(shape(ours.tdxModule)).toEqual(shape(intel.tdxModule));
    expect(shape(ours.tdxModuleIdentities[0])).toEqual(shape(intel.tdxModuleIdentities[1]));
    expect(shape(ours.tcbLevels)).toEqual(shape(intel.tcbLevels));
    expect(ours).toMatchObject({ id: "TDX", version: 3, tcbType: 0, pceId: "0000", fmspc: toHex(pki.platform.fmspc).toUpperCase() });
    expect(collateral.tcb_info).toBe(JSON.stringify(ours));
  });

  it("defaults to an UpToDate level equal to the platform SVNs and an OutOfDate level with advisories", () => {
    const levels = JSON.parse(collateral.tcb_info).tcbLevels;
    const svns = (components: Array<{ svn: number }>) => components.map((component) => component.svn);
    expect(levels[0].tcbStatus).toBe("UpToDate");
    expect(svns(levels[0].tcb.sgxtcbcomponents)).toEqual([...pki.platform.sgxTcbComponents]);
    expect(levels[0].tcb.pcesvn).toBe(pki.platform.pceSvn);
    expect(svns(levels[0].tcb.tdxtcbcomponents)).toEqual(Array.from(pki.platform.teeTcbSvn));
    expect(levels[0].advisoryIDs).toBeUndefined();
    expect(levels[1].tcbStatus).toBe("OutOfDate");
    expect(levels[1].advisoryIDs.length).toBeGreaterThan(0);
    expect(levels[1].tcb.pcesvn).toBeLessThan(pki.platform.pceSvn);
    const identity = JSON.parse(collateral.tcb_info).tdxModuleIdentities[0];
    expect(identity.id).toBe("TDX_01");
    expect(identity.tcbLevels[0]).toEqual({ tcb: { isvsvn: pki.platform.teeTcbSvn[0] }, tcbDate: "2024-03-13T00:00:00Z", tcbStatus: "UpToDate" });
  });

  it("writes QE Identity v2 (TD_QE) matching the simulated QE, in Intel's member order", () => {
    const ours = JSON.parse(collateral.qe_identity);
    expect(shape(ours)).toEqual(shape(JSON.parse(real.qe_identity)));
    expect(ours).toMatchObject({
      id: "TD_QE",
      version: 2,
      mrsigner: toHex(pki.quotingEnclave.mrSigner).toUpperCase(),
      isvprodid: pki.quotingEnclave.isvProdId,
      miscselect: "00000000",
      miscselectMask: "FFFFFFFF",
      tcbLevels: [{ tcb: { isvsvn: pki.quotingEnclave.isvSvn }, tcbDate: "2024-03-13T00:00:00Z", tcbStatus: "UpToDate" }],
    });
    const mask = fromHex(ours.attributesMask);
    const expected = fromHex(ours.attributes);
    pki.quotingEnclave.attributes.forEach((byte, index) => expect(byte & mask[index]!).toBe(expected[index]! & mask[index]!));
  });

  it("defaults every window to [now − 1 day, now + 30 days], in Intel's date format", () => {
    const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
    for (const text of [collateral.tcb_info, collateral.qe_identity]) {
      const parsed = JSON.parse(text);
      expect(parsed.issueDate).toBe(iso(NOW - DAY));
      expect(parsed.nextUpdate).toBe(iso(NOW + 30 * DAY));
      expect(parsed.issueDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    const crlDates = (hex: string) => {
      const tbs = children(readTlv(fromHex(hex)).content)[0]!;
      return children(tbs.content).slice(3, 5).map((time) => Buffer.from(time.content).toString());
    };
    expect(crlDates(collateral.root_ca_crl)).toEqual(["260531120000Z", "260701120000Z"]);
    expect(crlDates(collateral.pck_crl)).toEqual(["260531120000Z", "260701120000Z"]);
  });

  it("takes explicit windows for expiry tests", () => {
    const expired = issueCollateral(pki, {
      now: NOW,
      tcbInfoValidity: { issueDate: NOW - 40 * DAY, nextUpdate: NOW - 10 * DAY },
      qeIdentityValidity: { issueDate: NOW + DAY, nextUpdate: NOW + 2 * DAY },
    });
    expect(JSON.parse(expired.tcb_info).nextUpdate).toBe("2026-05-22T12:00:00Z");
    expect(JSON.parse(expired.qe_identity).issueDate).toBe("2026-06-02T12:00:00Z");
  });

  it("signs the CRLs with the root (root CA CRL) and the platform CA (PCK CRL)", () => {
    const rootCrl = splitSigned(fromHex(collateral.root_ca_crl));
    const pckCrl = splitSigned(fromHex(collateral.pck_crl));
    const key = (der: Uint8Array) => new X509Certificate(Buffer.from(der)).publicKey;
    expect(verify("sha256", rootCrl.toBeSigned, key(pki.root.der), rootCrl.signatureDer)).toBe(true);
    expect(verify("sha256", pckCrl.toBeSigned, key(pki.platformCa.der), pckCrl.signatureDer)).toBe(true);
  });

  it("lists a revoked PCK serial in the PCK CRL when asked", () => {
    const revoked = issueCollateral(pki, { now: NOW, revokedPckSerials: [pki.pckLeaf.serial] });
    expect(revoked.pck_crl).toContain(toHex(pki.pckLeaf.serial));
    expect(collateral.pck_crl).not.toContain(toHex(pki.pckLeaf.serial));
  });

  it("takes custom TCB levels, FMSPC and QE Identity fields", () => {
    const newer = defaultTcbLevels({ ...pki.platform, pceSvn: pki.platform.pceSvn + 2 });
    const custom = issueCollateral(pki, {
      now: NOW,
      tcbLevels: newer,
      fmspc: Uint8Array.of(1, 2, 3, 4, 5, 6),
      qeIdentity: { isvProdId: 9, mrSigner: undefined },
      tcbEvaluationDataNumber: 21,
    });
    const tcbInfo = JSON.parse(custom.tcb_info);
    expect(tcbInfo.fmspc).toBe("010203040506");
    expect(tcbInfo.tcbEvaluationDataNumber).toBe(21);
    expect(tcbInfo.tcbLevels[0].tcb.pcesvn).toBe(pki.platform.pceSvn + 2);
    const qeIdentity = JSON.parse(custom.qe_identity);
    expect(qeIdentity.isvprodid).toBe(9);
    expect(qeIdentity.mrsigner).toBe(toHex(pki.quotingEnclave.mrSigner).toUpperCase());
    expect(qeIdentity.tcbEvaluationDataNumber).toBe(21);
  });

  it("is deterministic for the same PKI and now", () => {
    expect(issueCollateral(createDevPki(), { now: NOW })).toEqual(collateral);
  });

  it("refuses a TCB level whose component list is not 16 long", () => {
    const [level] = defaultTcbLevels(pki.platform);
    expect(() => issueCollateral(pki, { now: NOW, tcbLevels: [{ ...level!, tdxTcbComponents: [1, 2] }] })).toThrow(
      expect.objectContaining({ code: "SIMULATOR_FIELD_LENGTH" }),
    );
    expect(() => issueCollateral(pki, { now: NOW, tcbLevels: [{ ...level!, pceSvn: -1 }] })).toThrow(SimulatorError);
  });

  it("refuses a non-integer time", () => {
    expect(() => issueCollateral(pki, { now: NOW + 0.5 })).toThrow(expect.objectContaining({ code: "SIMULATOR_VALUE_OUT_OF_RANGE" }));
  });
});
