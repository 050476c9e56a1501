import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { X509Certificate, createHash, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { toHex } from "../../../core/bytes";
import {
  DEFAULT_DEV_SEED,
  DEV_ROOT_DER_SHA256,
  createDevPki,
  devRootDer,
  issuePckCrl,
  rootDerSha256,
} from "../../../core/attestation/simulator/devPki";
import { SimulatorError } from "../../../core/attestation/simulator/errors";
import { DEV_FMSPC } from "../../../core/attestation/simulator/platform";
import {
  VECTORS,
  children,
  extensionValue,
  integerValue,
  oidText,
  opensslPath,
  readTlv,
  splitSigned,
} from "./helpers";

const pki = createDevPki();
const x509 = (der: Uint8Array) => new X509Certificate(Buffer.from(der));
const SGX_OID = "1.2.840.113741.1.13.1";

/** PCK extension fields by OID suffix, read with the test's own DER reader. */
function decodePckExtension(certificateDer: Uint8Array) {
  const value = extensionValue(certificateDer, SGX_OID);
  if (!value) throw new Error("no SGX extension");
  const fields = new Map<string, Uint8Array>();
  for (const entry of children(readTlv(value).content)) {
    const [oid, content] = children(entry.content);
    if (!oid || !content) throw new Error("bad entry");
    fields.set(oidText(oid.content).slice(SGX_OID.length + 1), content.content);
  }
  const tcb = new Map<string, Uint8Array>();
  for (const entry of children(fields.get("2") ?? new Uint8Array())) {
    const [oid, content] = children(entry.content);
    if (oid && content) tcb.set(oidText(oid.content).slice(SGX_OID.length + 3), content.content);
  }
  return { fields, tcb };
}

function expectCode(run: () => unknown, code: string) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SimulatorError);
    expect((error as SimulatorError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe("createDevPki", () => {
  it("issues certificates node:crypto parses, each verifying under its issuer along the chain", () => {
    const root = x509(pki.root.der);
    const platformCa = x509(pki.platformCa.der);
    const tcbSigning = x509(pki.tcbSigning.der);
    const leaf = x509(pki.pckLeaf.der);
    expect(root.verify(root.publicKey)).toBe(true);
    expect(root.checkIssued(root)).toBe(true);
    expect(platformCa.verify(root.publicKey)).toBe(true);
    expect(platformCa.checkIssued(root)).toBe(true);
    expect(tcbSigning.verify(root.publicKey)).toBe(true);
    expect(tcbSigning.checkIssued(root)).toBe(true);
    expect(leaf.verify(platformCa.publicKey)).toBe(true);
    expect(leaf.checkIssued(platformCa)).toBe(true);
    expect(leaf.verify(root.publicKey)).toBe(false);
    expect(leaf.checkIssued(root)).toBe(false);
  });

  it("names the certificates as the design says and marks only the CAs as CAs", () => {
    expect(x509(pki.root.der).subject).toContain("CN=basekms Development SGX Root CA");
    expect(x509(pki.platformCa.der).subject).toContain("CN=basekms Development SGX PCK Platform CA");
    expect(x509(pki.tcbSigning.der).subject).toContain("CN=basekms Development SGX TCB Signing");
    expect(x509(pki.pckLeaf.der).subject).toContain("CN=basekms Development SGX PCK Certificate");
    expect(x509(pki.root.der).ca).toBe(true);
    expect(x509(pki.platformCa.der).ca).toBe(true);
    expect(x509(pki.tcbSigning.der).ca).toBe(false);
    expect(x509(pki.pckLeaf.der).ca).toBe(false);
    expect(x509(pki.root.der).serialNumber).toBe(toHex(pki.root.serial).toUpperCase());
  });

  it("carries Intel's extensions in Intel's order, with the same critical flags", () => {
    const extensionOids = (der: Uint8Array) => {
      const tbs = children(readTlv(der).content)[0]!;
      const explicit3 = children(tbs.content).find((child) => child.tag === 0xa3)!;
      return children(readTlv(explicit3.content).content).map((ext) => {
        const [oid, second] = children(ext.content);
        return `${oidText(oid!.content)}${second?.tag === 0x01 ? "!" : ""}`;
      });
    };
    const intelRoot = new Uint8Array(readFileSync(join(VECTORS, "automata/root.der")));
    const intelPlatform = new Uint8Array(readFileSync(join(VECTORS, "automata/platform.der")));
    const intelSigning = new Uint8Array(readFileSync(join(VECTORS, "automata/signing.der")));
    expect(extensionOids(pki.root.der)).toEqual(extensionOids(intelRoot));
    expect(extensionOids(pki.platformCa.der)).toEqual(extensionOids(intelPlatform));
    expect(extensionOids(pki.tcbSigning.der)).toEqual(extensionOids(intelSigning));
    expect(extensionOids(pki.pckLeaf.der)).toEqual([...extensionOids(intelSigning), SGX_OID]);
  });

  it("sets pathlen 1 on the root and 0 on the platform CA, like Intel's", () => {
    const basicConstraints = (der: Uint8Array) => toHex(extensionValue(der, "2.5.29.19")!);
    expect(basicConstraints(pki.root.der)).toBe("30060101ff020101");
    expect(basicConstraints(pki.platformCa.der)).toBe("30060101ff020100");
    expect(basicConstraints(pki.pckLeaf.der)).toBe("3000");
  });

  it("gives every certificate a validity window around the simulator's times", () => {
    for (const cert of [pki.root, pki.platformCa, pki.tcbSigning, pki.pckLeaf]) {
      const parsed = x509(cert.der);
      expect(Date.parse(parsed.validFrom)).toBe(Date.UTC(2024, 0, 1));
      expect(Date.parse(parsed.validTo)).toBe(Date.UTC(2049, 11, 31, 23, 59, 59));
    }
  });

  it("writes a PCK leaf valid past 2049 with GeneralizedTime that node:crypto reads", () => {
    const notAfter = Date.UTC(2055, 5, 1) / 1000;
    const custom = createDevPki({ pckValidity: { notBefore: pki.pckLeaf.notBefore, notAfter } });
    expect(Date.parse(x509(custom.pckLeaf.der).validTo)).toBe(notAfter * 1000);
    expect(x509(custom.pckLeaf.der).verify(x509(custom.platformCa.der).publicKey)).toBe(true);
  });

  it("puts the configured FMSPC, PCESVN, CPUSVN and PCE-ID in the SGX extension", () => {
    const fmspc = Uint8Array.from([0x90, 0xc0, 0x6f, 0, 0, 0]);
    const components = [3, 3, 2, 2, 4, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 200];
    const custom = createDevPki({ fmspc, pceSvn: 300, sgxTcbComponents: components });
    const { fields, tcb } = decodePckExtension(custom.pckLeaf.der);
    expect(toHex(fields.get("4")!)).toBe("90c06f000000");
    expect(toHex(fields.get("3")!)).toBe("0000");
    expect(fields.get("1")!.length).toBe(16);
    expect(integerValue(fields.get("5")!)).toBe(1);
    expect(integerValue(tcb.get("17")!)).toBe(300);
    expect(toHex(tcb.get("18")!)).toBe(toHex(Uint8Array.from(components)));
    for (let index = 0; index < 16; index++) expect(integerValue(tcb.get(String(index + 1))!)).toBe(components[index]);
    expect(toHex(decodePckExtension(pki.pckLeaf.der).fields.get("4")!)).toBe(toHex(DEV_FMSPC));
  });

  it("writes the SGX extension with the same ASN.1 shape as a real PCK certificate", () => {
    const chain = readFileSync(join(VECTORS, "dcap-qvl/tdx_quote")).toString("latin1");
    const pem = chain.slice(chain.indexOf("-----BEGIN CERTIFICATE-----"), chain.indexOf("-----END CERTIFICATE-----") + 25);
    const realLeaf = new Uint8Array(new X509Certificate(pem).raw);
    const shape = (der: Uint8Array) => {
      const { fields, tcb } = decodePckExtension(der);
      return { fields: [...fields.keys()], tcb: [...tcb.keys()], lengths: [...fields.values()].map((v) => v.length) };
    };
    const real = shape(realLeaf);
    const simulated = shape(pki.pckLeaf.der);
    expect(simulated.fields).toEqual(real.fields);
    expect(simulated.tcb).toEqual(real.tcb);
  });

  it("is deterministic: the same seed gives byte-identical certificates and the pinned root hash", () => {
    const again = createDevPki();
    expect(toHex(again.root.der)).toBe(toHex(pki.root.der));
    expect(toHex(again.pckLeaf.der)).toBe(toHex(pki.pckLeaf.der));
    expect(toHex(again.pckCrl)).toBe(toHex(pki.pckCrl));
    expect(rootDerSha256(pki.root.der)).toBe(DEV_ROOT_DER_SHA256);
    expect(createHash("sha256").update(devRootDer()).digest("hex")).toBe(DEV_ROOT_DER_SHA256);
    expect(pki.seed).toBe(DEFAULT_DEV_SEED);
  });

  it("gives a different seed a different root, and platform options leave the root unchanged", () => {
    expect(toHex(devRootDer("another seed"))).not.toBe(toHex(pki.root.der));
    const otherMachine = createDevPki({ machineId: "machine-1", fmspc: Uint8Array.of(1, 2, 3, 4, 5, 6) });
    expect(toHex(otherMachine.root.der)).toBe(toHex(pki.root.der));
    expect(toHex(otherMachine.pckLeaf.serial)).not.toBe(toHex(pki.pckLeaf.serial));
    expect(toHex(otherMachine.attestationKey.publicKey)).not.toBe(toHex(pki.attestationKey.publicKey));
  });

  it("issues CRLs signed by the root (root CA CRL) and the platform CA (PCK CRL)", () => {
    const rootCrl = splitSigned(pki.rootCaCrl);
    const pckCrl = splitSigned(pki.pckCrl);
    expect(verify("sha256", rootCrl.toBeSigned, x509(pki.root.der).publicKey, Buffer.from(rootCrl.signatureDer))).toBe(true);
    expect(verify("sha256", pckCrl.toBeSigned, x509(pki.platformCa.der).publicKey, Buffer.from(pckCrl.signatureDer))).toBe(true);
    expect(verify("sha256", pckCrl.toBeSigned, x509(pki.root.der).publicKey, Buffer.from(pckCrl.signatureDer))).toBe(false);
  });

  it("lists revoked serials in the PCK CRL", () => {
    const crl = issuePckCrl(pki, { thisUpdate: 1_770_000_000, nextUpdate: 1_772_000_000, revokedSerials: [pki.pckLeaf.serial] });
    const tbs = children(readTlv(crl).content)[0]!;
    const revokedList = children(tbs.content).find((child, index) => index === 5 && child.tag === 0x30)!;
    const serials = children(revokedList.content).map((entry) => toHex(children(entry.content)[0]!.content));
    expect(serials).toEqual([toHex(pki.pckLeaf.serial)]);
    // version, algorithm, issuer, thisUpdate, nextUpdate, revokedCertificates, [0] extensions
    expect(children(tbs.content).length).toBe(7);
    // With nothing revoked, revokedCertificates is omitted rather than encoded empty.
    expect(children(children(readTlv(pki.pckCrl).content)[0]!.content).length).toBe(6);
  });

  it("writes CRLs the openssl CLI parses and verifies", () => {
    const openssl = opensslPath();
    if (!openssl) {
      console.warn("openssl not installed: skipping the openssl CRL cross-check (node:crypto checks above still ran)");
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), "basekms-sim-"));
    const revoked = createDevPki({ revokedPckSerials: [pki.pckLeaf.serial] });
    writeFileSync(join(dir, "root.pem"), pki.root.pem);
    writeFileSync(join(dir, "platform.pem"), pki.platformCa.pem);
    writeFileSync(join(dir, "root.crl"), pki.rootCaCrl);
    writeFileSync(join(dir, "pck.crl"), revoked.pckCrl);
    const text = (file: string, ca: string) => {
      const run = spawnSync(openssl, ["crl", "-inform", "DER", "-in", join(dir, file), "-noout", "-text", "-CAfile", join(dir, ca)], {
        encoding: "utf8",
      });
      expect(run.status).toBe(0);
      expect(run.stderr).toContain("verify OK");
      return run.stdout;
    };
    const rootText = text("root.crl", "root.pem");
    expect(rootText).toContain("Issuer: CN = basekms Development SGX Root CA");
    expect(rootText).toContain("No Revoked Certificates.");
    const pckText = text("pck.crl", "platform.pem");
    expect(pckText).toContain("Issuer: CN = basekms Development SGX PCK Platform CA");
    expect(pckText).toContain(`Serial Number: ${toHex(pki.pckLeaf.serial).toUpperCase()}`);
    expect(pckText).toContain("Key Compromise");
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses an FMSPC that is not 6 bytes", () => {
    expectCode(() => createDevPki({ fmspc: new Uint8Array(5) }), "SIMULATOR_FIELD_LENGTH");
  });

  it("refuses an SGX component SVN above 255 and a component list that is not 16 long", () => {
    expectCode(() => createDevPki({ sgxTcbComponents: [256, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] }), "SIMULATOR_VALUE_OUT_OF_RANGE");
    expectCode(() => createDevPki({ sgxTcbComponents: [1, 2, 3] }), "SIMULATOR_FIELD_LENGTH");
  });

  it("refuses a PCE SVN above 65535", () => {
    expectCode(() => createDevPki({ pceSvn: 65536 }), "SIMULATOR_VALUE_OUT_OF_RANGE");
  });
});
