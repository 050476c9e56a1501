import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { toHex } from "../../../core/bytes";
import { readVectorBytes, readVectorText } from "../../helpers/collateralVectors";

/** One canned answer; `hang` never answers (for timeouts). */
export interface FakeRoute {
  status?: number;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  hang?: boolean;
}

export interface FakePccs {
  baseUrl: string;
  /** Every request's path and query, in arrival order. */
  requests: string[];
  /** Replaces the answer for one path (without query). */
  override(path: string, route: FakeRoute): void;
  close(): Promise<void>;
}

export const TCB_PATH = "/tdx/certification/v4/tcb";
export const QE_PATH = "/tdx/certification/v4/qe/identity";
export const PCK_CRL_PATH = "/sgx/certification/v4/pckcrl";
export const ROOT_CRL_PATH = "/sgx/certification/v4/rootcacrl";

/** go-tdx-guest's FMSPC (Sapphire Rapids E4), whose PCS pieces the fake serves. */
export const GO_TDX_GUEST_FMSPC_HEX = "50806f000000";

/**
 * A PCCS on 127.0.0.1 serving go-tdx-guest's real PCS pieces the way a PCCS does: JSON bodies
 * with URL-encoded issuer-chain headers, the PCK CRL as DER, the root CA CRL as hex.
 */
export async function startFakePccs(): Promise<FakePccs> {
  const tcbChain = encodeURIComponent(readVectorText("go-tdx-guest/tcb_info_issuer_chain.pem"));
  const pckCrlChain = encodeURIComponent(readVectorText("go-tdx-guest/pck_crl_issuer_chain.pem"));
  const routes = new Map<string, FakeRoute>([
    [TCB_PATH, { headers: { "TCB-Info-Issuer-Chain": tcbChain }, body: readVectorText("go-tdx-guest/sample_tcbInfo_response") }],
    [
      QE_PATH,
      {
        headers: { "SGX-Enclave-Identity-Issuer-Chain": tcbChain },
        body: readVectorText("go-tdx-guest/sample_qeIdentity_response"),
      },
    ],
    [PCK_CRL_PATH, { headers: { "SGX-PCK-CRL-Issuer-Chain": pckCrlChain }, body: readVectorBytes("go-tdx-guest/pckcrl") }],
    [ROOT_CRL_PATH, { body: toHex(readVectorBytes("go-tdx-guest/rootcrl.der")) }],
  ]);
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    requests.push(`${url.pathname}${url.search}`);
    const route = routes.get(url.pathname);
    const knownQuery =
      url.pathname !== TCB_PATH || url.searchParams.get("fmspc")?.toLowerCase() === GO_TDX_GUEST_FMSPC_HEX;
    if (!route || !knownQuery) {
      response.writeHead(404).end();
      return;
    }
    if (route.hang) return;
    response.writeHead(route.status ?? 200, route.headers ?? {});
    response.end(route.body === undefined ? undefined : Buffer.from(route.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    override: (path, route) => routes.set(path, { ...routes.get(path), ...route }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The root CA CRL's path on `crlHost` (Intel publishes its CRL as such a file). */
export const ROOT_CRL_FILE_PATH = "/IntelSGXRootCA.der";

/**
 * Collateral served like Intel's PCS: a PCCS without the rootcacrl path (404), and the root CA
 * CRL as a DER file on another host, at `rootCaCrlUrl`.
 */
export async function startSplitRootCrlPccs(): Promise<{ pccs: FakePccs; crlHost: FakePccs; rootCaCrlUrl: string; close(): Promise<void> }> {
  const [pccs, crlHost] = await Promise.all([startFakePccs(), startFakePccs()]);
  pccs.override(ROOT_CRL_PATH, { status: 404 });
  crlHost.override(ROOT_CRL_FILE_PATH, { body: readVectorBytes("go-tdx-guest/rootcrl.der") });
  return {
    pccs,
    crlHost,
    rootCaCrlUrl: `${crlHost.baseUrl}${ROOT_CRL_FILE_PATH}`,
    close: async () => {
      await Promise.all([pccs.close(), crlHost.close()]);
    },
  };
}
