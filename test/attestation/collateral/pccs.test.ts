import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../../core/bytes";
import { serializeCollateral } from "../../../core/attestation/collateral/collateral";
import { CollateralCache } from "../../../core/attestation/collateral/collateralCache";
import { fetchCollateral, type FetchCollateralParameters } from "../../../core/attestation/collateral/pccs";
import { expectAsyncRefusal, readVectorBytes, readVectorText, unixSeconds } from "../../helpers/collateralVectors";
import {
  type FakePccs,
  GO_TDX_GUEST_FMSPC_HEX,
  PCK_CRL_PATH,
  QE_PATH,
  ROOT_CRL_PATH,
  startFakePccs,
  TCB_PATH,
} from "./fakePccs";

const ASSEMBLED = "go-tdx-guest/tdx_prod_quote_SPR_E4_collateral.json";
/** go-tdx-guest's own verification time (README S6). */
const S6_NOW = 1688173200;

let pccs: FakePccs;
beforeEach(async () => {
  pccs = await startFakePccs();
});
afterEach(async () => {
  await pccs.close();
});

function parameters(extra: Partial<FetchCollateralParameters> = {}): FetchCollateralParameters {
  return { baseUrl: pccs.baseUrl, fmspc: fromHex(GO_TDX_GUEST_FMSPC_HEX), caType: "platform", ...extra };
}

describe("fetchCollateral from a PCCS on loopback", () => {
  it("assembles exactly the vectors' collateral file, byte for byte", async () => {
    const collateral = await fetchCollateral(parameters());
    expect(serializeCollateral(collateral)).toBe(readVectorText(ASSEMBLED));
  });

  it("asks PCS API v4 paths, with an uppercase FMSPC and the platform CA as DER", async () => {
    await fetchCollateral(parameters());
    expect([...pccs.requests].sort()).toEqual(
      [
        `${TCB_PATH}?fmspc=50806F000000`,
        QE_PATH,
        `${PCK_CRL_PATH}?ca=platform&encoding=der`,
        ROOT_CRL_PATH,
      ].sort(),
    );
  });

  it("asks for the processor CA's CRL when the PCK is from the Processor CA", async () => {
    await fetchCollateral(parameters({ caType: "processor" }));
    expect(pccs.requests).toContain(`${PCK_CRL_PATH}?ca=processor&encoding=der`);
  });

  it("accepts a base URL ending in /sgx/certification/v4/", async () => {
    const collateral = await fetchCollateral(parameters({ baseUrl: `${pccs.baseUrl}/sgx/certification/v4/` }));
    expect(toHex(collateral.tcbInfo.fmspc)).toBe(GO_TDX_GUEST_FMSPC_HEX);
  });

  it("takes the root CA CRL as DER as well as hex", async () => {
    pccs.override(ROOT_CRL_PATH, { body: readVectorBytes("go-tdx-guest/rootcrl.der") });
    const collateral = await fetchCollateral(parameters());
    expect(collateral.rootCaCrlDer).toEqual(readVectorBytes("go-tdx-guest/rootcrl.der"));
  });

  it("takes the PCK CRL as hex or PEM as well as DER", async () => {
    const der = readVectorBytes("go-tdx-guest/pckcrl");
    pccs.override(PCK_CRL_PATH, { body: `${toHex(der)}\n` });
    expect((await fetchCollateral(parameters())).pckCrlDer).toEqual(der);
    const base64 = Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n");
    pccs.override(PCK_CRL_PATH, { body: `-----BEGIN X509 CRL-----\n${base64}\n-----END X509 CRL-----\n` });
    expect((await fetchCollateral(parameters())).pckCrlDer).toEqual(der);
  });

  it("cuts tcbInfo byte-exactly from a reordered, re-spaced body (never re-serializes)", async () => {
    const original = JSON.parse(readVectorText("go-tdx-guest/sample_tcbInfo_response")) as { signature: string };
    const signed = (JSON.parse(readVectorText(ASSEMBLED)) as { tcb_info: string }).tcb_info;
    pccs.override(TCB_PATH, { body: `{\n  "signature" : "${original.signature}",\n  "tcbInfo" : ${signed}\n}\n` });
    expect((await fetchCollateral(parameters())).tcbInfoText).toBe(signed);
  });

  it("accepts the legacy SGX-TCB-Info-Issuer-Chain header", async () => {
    const chain = encodeURIComponent(readVectorText("go-tdx-guest/tcb_info_issuer_chain.pem"));
    pccs.override(TCB_PATH, { headers: { "SGX-TCB-Info-Issuer-Chain": chain } });
    const collateral = await fetchCollateral(parameters());
    expect(collateral.tcbInfoIssuerChainPem).toBe(readVectorText("go-tdx-guest/tcb_info_issuer_chain.pem"));
  });

  it("checks the validity window when given now", async () => {
    await expect(fetchCollateral(parameters({ now: S6_NOW }))).resolves.toBeDefined();
    await expectAsyncRefusal(() => fetchCollateral(parameters({ now: unixSeconds("2023-07-18T08:42:59Z") })), "COLLATERAL_EXPIRED");
  });

  it("serves a CollateralCache end to end: one fetch, then memory", async () => {
    const cache = new CollateralCache({
      fetchCollateral: (key) => fetchCollateral({ baseUrl: pccs.baseUrl, ...key }),
      now: () => S6_NOW,
    });
    const first = await cache.get(fromHex(GO_TDX_GUEST_FMSPC_HEX), "platform");
    const second = await cache.get(fromHex(GO_TDX_GUEST_FMSPC_HEX), "platform");
    expect(second).toBe(first);
    expect(pccs.requests).toHaveLength(4);
  });
});

describe("fetchCollateral refusals", () => {
  it("reports HTTP 500 as COLLATERAL_UNAVAILABLE", async () => {
    pccs.override(QE_PATH, { status: 500, body: "oops" });
    await expectAsyncRefusal(() => fetchCollateral(parameters()), "COLLATERAL_UNAVAILABLE");
  });

  it("reports an unknown FMSPC (HTTP 404) as COLLATERAL_UNAVAILABLE", async () => {
    await expectAsyncRefusal(() => fetchCollateral(parameters({ fmspc: fromHex("90c06f000000") })), "COLLATERAL_UNAVAILABLE");
  });

  it("reports a PCCS that never answers as COLLATERAL_UNAVAILABLE after the timeout", async () => {
    pccs.override(TCB_PATH, { hang: true });
    const started = Date.now();
    const error = await expectAsyncRefusal(() => fetchCollateral(parameters({ timeoutMs: 200 })), "COLLATERAL_UNAVAILABLE");
    expect(error.message).toContain("200 ms");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("reports a caller's abort as COLLATERAL_UNAVAILABLE", async () => {
    pccs.override(TCB_PATH, { hang: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expectAsyncRefusal(() => fetchCollateral(parameters({ signal: controller.signal })), "COLLATERAL_UNAVAILABLE");
  });

  it("reports a refused connection as COLLATERAL_UNAVAILABLE", async () => {
    const baseUrl = pccs.baseUrl;
    await pccs.close();
    await expectAsyncRefusal(() => fetchCollateral(parameters({ baseUrl })), "COLLATERAL_UNAVAILABLE");
    pccs = await startFakePccs();
  });

  it("reports an injected fetch that throws as COLLATERAL_UNAVAILABLE", async () => {
    const failing = async () => {
      throw new TypeError("fetch failed");
    };
    await expectAsyncRefusal(() => fetchCollateral(parameters({ fetch: failing })), "COLLATERAL_UNAVAILABLE");
  });

  it("refuses a base URL that is not http(s)", async () => {
    await expectAsyncRefusal(() => fetchCollateral(parameters({ baseUrl: "file:///etc" })), "COLLATERAL_UNAVAILABLE");
  });

  it("refuses a garbage TCB Info body as COLLATERAL_MALFORMED", async () => {
    pccs.override(TCB_PATH, { body: "<html>proxy error</html>" });
    await expectAsyncRefusal(() => fetchCollateral(parameters()), "COLLATERAL_MALFORMED");
  });

  it("refuses a QE Identity body without a 64-byte signature as COLLATERAL_MALFORMED", async () => {
    pccs.override(QE_PATH, { body: '{"enclaveIdentity":{},"signature":"abcd"}' });
    await expectAsyncRefusal(() => fetchCollateral(parameters()), "COLLATERAL_MALFORMED");
  });

  it("refuses a TCB Info response without its issuer-chain header as COLLATERAL_MALFORMED", async () => {
    pccs.override(TCB_PATH, { headers: {} });
    await expectAsyncRefusal(() => fetchCollateral(parameters()), "COLLATERAL_MALFORMED");
  });

  it("refuses an issuer-chain header that is not URL-encoding as COLLATERAL_MALFORMED", async () => {
    pccs.override(PCK_CRL_PATH, { headers: { "SGX-PCK-CRL-Issuer-Chain": "%E0%A4%A" } });
    await expectAsyncRefusal(() => fetchCollateral(parameters()), "COLLATERAL_MALFORMED");
  });

  it("refuses a PCK CRL that is neither DER, hex nor PEM as COLLATERAL_MALFORMED", async () => {
    pccs.override(PCK_CRL_PATH, { body: "not a crl" });
    await expectAsyncRefusal(() => fetchCollateral(parameters()), "COLLATERAL_MALFORMED");
  });

  it("refuses TCB Info for another FMSPC than asked as FMSPC_MISMATCH", async () => {
    // A misrouting proxy answers with automata's (real, Intel-signed) TCB Info for 00806f050000.
    pccs.override(TCB_PATH, { body: readVectorText("automata/tcb_info_v3_with_tdx_module.json") });
    await expectAsyncRefusal(() => fetchCollateral(parameters()), "FMSPC_MISMATCH");
  });
});
