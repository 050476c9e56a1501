import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../../core/bytes";
import { AttestationError } from "../../../core/attestation/errors";
import { splitPemChain } from "../../../core/attestation/pki/pem";
import { type SgxPckExtension, parseSgxExtension, sgxExtensionOf } from "../../../core/attestation/pki/sgxExtension";
import { parseCertificate } from "../../../core/attestation/pki/x509";
import { PKI_SETS, S3_PPID, S5, quotePemChain, readVectorBytes } from "../../helpers/pkiVectors";
import { bool, enumerated, integer, octets, oid, seq } from "./syntheticPki";

const SGX = "1.2.840.113741.1.13.1";

function leafOf(set: (typeof PKI_SETS)[number]["set"]) {
  return parseCertificate(splitPemChain(quotePemChain(set))[0] as Uint8Array);
}

function expectMalformed(action: () => unknown): void {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(AttestationError);
  expect((thrown as AttestationError).code).toBe("PCK_EXTENSION_MALFORMED");
}

interface Fields {
  ppid?: Uint8Array;
  components?: number[];
  pceSvn?: number;
  cpuSvn?: Uint8Array;
  pceId?: Uint8Array;
  fmspc?: Uint8Array;
  sgxType?: number;
  instance?: Uint8Array;
  configuration?: boolean[];
  tcbExtra?: Uint8Array[];
  extra?: Uint8Array[];
  omit?: string[];
}

/** Encodes the extension as Intel lays it out, so single fields can be broken. */
function encode(extension: SgxPckExtension, fields: Fields = {}): Uint8Array {
  const pair = (arc: string, value: Uint8Array): Uint8Array[] => (fields.omit?.includes(arc) ? [] : [seq(oid(`${SGX}.${arc}`), value)]);
  const components = fields.components ?? extension.sgxTcbComponents;
  const tcb = seq(
    ...components.flatMap((svn, index) => pair(`2.${index + 1}`, integer(svn))),
    ...pair("2.17", integer(fields.pceSvn ?? extension.pceSvn)),
    ...pair("2.18", octets(fields.cpuSvn ?? extension.cpuSvn)),
    ...(fields.tcbExtra ?? []),
  );
  const configuration = fields.configuration ?? [true, false, true];
  return seq(
    ...pair("1", octets(fields.ppid ?? extension.ppid)),
    ...pair("2", tcb),
    ...pair("3", octets(fields.pceId ?? extension.pceId)),
    ...pair("4", octets(fields.fmspc ?? extension.fmspc)),
    ...pair("5", enumerated(fields.sgxType ?? extension.sgxType)),
    ...pair("6", octets(fields.instance ?? extension.platformInstanceId ?? new Uint8Array(16))),
    ...pair("7", seq(...configuration.flatMap((flag, index) => pair(`7.${index + 1}`, bool(flag))))),
    ...(fields.extra ?? []),
  );
}

describe("parseSgxExtension on real PCK leaves", () => {
  it("reads FMSPC, PCESVN and CPUSVN of every PCK leaf as the README lists them", () => {
    for (const { set, leaf } of [...PKI_SETS, S5]) {
      const extension = sgxExtensionOf(leafOf(set));
      expect(toHex(extension.fmspc), set).toBe(leaf.fmspc);
      expect(extension.pceSvn, set).toBe(leaf.pceSvn);
      expect(toHex(extension.cpuSvn), set).toBe(leaf.cpuSvn);
      expect(extension.sgxTcbComponents).toHaveLength(16);
      expect(toHex(extension.pceId)).toBe("0000");
      expect(extension.sgxType).toBe(1); // Scalable: every platform here is a Xeon SP
      expect(extension.ppid).toHaveLength(16);
      expect(extension.platformInstanceId).toHaveLength(16);
      expect(extension.configuration?.dynamicPlatform).toBe(true);
    }
  });

  it("reads the PPID near-mpc's verifier expects for S3", () => {
    expect(toHex(sgxExtensionOf(leafOf("S3")).ppid)).toBe(S3_PPID);
  });

  it("reads the SGX TCB components in order (Intel's CPUSVN bytes equal components 1..16)", () => {
    for (const { set } of PKI_SETS) {
      const extension = sgxExtensionOf(leafOf(set));
      expect(extension.sgxTcbComponents).toEqual([...extension.cpuSvn]);
    }
  });

  it("re-encodes the S1 extension byte for byte (the test encoder matches Intel's layout)", () => {
    const certificate = leafOf("S1");
    const extension = parseSgxExtension(certificate.extensions.sgxExtension as Uint8Array);
    const configuration = extension.configuration ?? {};
    expect(
      encode(extension, { configuration: [configuration.dynamicPlatform, configuration.cachedKeys, configuration.smtEnabled] as boolean[] }),
    ).toEqual(certificate.extensions.sgxExtension);
  });

  it("refuses a certificate with no SGX extension (the PCK Platform CA)", () => {
    expectMalformed(() => sgxExtensionOf(parseCertificate(readVectorBytes("automata/platform.der"))));
  });
});

describe("parseSgxExtension refusals", () => {
  const real = sgxExtensionOf(leafOf("S3"));

  it("accepts the re-encoded real values and an extension without the optional fields", () => {
    expect(parseSgxExtension(encode(real)).fmspc).toEqual(real.fmspc);
    const minimal = parseSgxExtension(encode(real, { omit: ["6", "7"] }));
    expect(minimal.platformInstanceId).toBeUndefined();
    expect(minimal.configuration).toBeUndefined();
  });

  it("tolerates unknown top-level fields under the SGX arc", () => {
    expect(parseSgxExtension(encode(real, { extra: [seq(oid(`${SGX}.9`), octets(Uint8Array.of(1)))] })).pceSvn).toBe(real.pceSvn);
  });

  for (const [arc, name] of [["1", "PPID"], ["2", "TCB"], ["3", "PCE-ID"], ["4", "FMSPC"], ["5", "SGX Type"]] as const) {
    it(`refuses an extension without ${name}`, () => expectMalformed(() => parseSgxExtension(encode(real, { omit: [arc] }))));
  }
  it("refuses a TCB without component 16", () => expectMalformed(() => parseSgxExtension(encode(real, { omit: ["2.16"] }))));
  it("refuses a TCB without PCESVN", () => expectMalformed(() => parseSgxExtension(encode(real, { omit: ["2.17"] }))));
  it("refuses a TCB without CPUSVN", () => expectMalformed(() => parseSgxExtension(encode(real, { omit: ["2.18"] }))));
  it("refuses an unknown TCB field", () =>
    expectMalformed(() => parseSgxExtension(encode(real, { tcbExtra: [seq(oid(`${SGX}.2.19`), integer(1))] }))));
  it("refuses a duplicated field", () =>
    expectMalformed(() => parseSgxExtension(encode(real, { extra: [seq(oid(`${SGX}.4`), octets(real.fmspc))] }))));
  it("refuses a field outside the SGX arc", () =>
    expectMalformed(() => parseSgxExtension(encode(real, { extra: [seq(oid("1.2.3"), octets(real.fmspc))] }))));
  it("refuses a 5-byte FMSPC", () => expectMalformed(() => parseSgxExtension(encode(real, { fmspc: new Uint8Array(5) }))));
  it("refuses a 3-byte PCE-ID", () => expectMalformed(() => parseSgxExtension(encode(real, { pceId: new Uint8Array(3) }))));
  it("refuses a 15-byte CPUSVN", () => expectMalformed(() => parseSgxExtension(encode(real, { cpuSvn: new Uint8Array(15) }))));
  it("refuses a 17-byte PPID", () => expectMalformed(() => parseSgxExtension(encode(real, { ppid: new Uint8Array(17) }))));
  it("refuses a component SVN above 255", () => {
    const components = [...real.sgxTcbComponents];
    components[3] = 256;
    expectMalformed(() => parseSgxExtension(encode(real, { components })));
  });
  it("refuses a PCESVN above 65535", () => expectMalformed(() => parseSgxExtension(encode(real, { pceSvn: 65536 }))));
  it("refuses trailing bytes after the extension", () =>
    expectMalformed(() => parseSgxExtension(Uint8Array.from([...encode(real), 0]))));

  it("throws only AttestationError(PCK_EXTENSION_MALFORMED) on mutated and truncated real extensions", () => {
    const bytes = leafOf("S1").extensions.sgxExtension as Uint8Array;
    fc.assert(
      fc.property(fc.nat(bytes.length), fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (cut, at, xor) => {
        const mutated = bytes.slice(0, cut);
        if (at < mutated.length) mutated[at] = (mutated[at] as number) ^ xor;
        try {
          parseSgxExtension(mutated);
        } catch (error) {
          expect(error).toBeInstanceOf(AttestationError);
          expect((error as AttestationError).code).toBe("PCK_EXTENSION_MALFORMED");
        }
      }),
      { numRuns: 800 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (data) => expectMalformed(() => parseSgxExtension(data))),
      { numRuns: 300 },
    );
  });
});

describe("sgxExtensionOf", () => {
  it("parses a leaf's extension once and returns the same object for the same certificate", () => {
    const certificate = leafOf("S4");
    const first = sgxExtensionOf(certificate);
    expect(sgxExtensionOf(certificate)).toBe(first);
    expect(sgxExtensionOf(leafOf("S4"))).not.toBe(first);
    expect(sgxExtensionOf(leafOf("S4"))).toEqual(first);
  });
});
