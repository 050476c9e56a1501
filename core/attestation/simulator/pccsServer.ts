import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fromHex, toHex } from "../../bytes";
import type { CollateralJson } from "../types";
import { type IssueCollateralOptions, issueCollateral } from "./collateral";
import { type DevPki, createDevPki } from "./devPki";

/**
 * A development PCCS: a real HTTP server on loopback that serves the simulator's collateral
 * at the paths and in the shapes a PCCS (Intel PCS API v4) uses, so a sandbox KMS fetches
 * collateral through `fetchCollateral` over real HTTP exactly as a sealed KMS does:
 *
 *   GET /tdx/certification/v4/tcb?fmspc=<hex>     {"tcbInfo":…,"signature":…} + TCB-Info-Issuer-Chain
 *   GET /tdx/certification/v4/qe/identity         {"enclaveIdentity":…,"signature":…} + SGX-Enclave-Identity-Issuer-Chain
 *   GET /sgx/certification/v4/pckcrl?ca=platform  DER + SGX-PCK-CRL-Issuer-Chain
 *   GET /sgx/certification/v4/rootcacrl           hex DER (as PCCS serves it)
 *
 * SANDBOX ONLY: everything it serves is signed by the development PKI.
 */
export interface DevPccsServerOptions {
  pki?: DevPki;
  /** Loopback only by default; a dev PCCS has no business on another interface. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Unix seconds; collateral is issued around this clock. */
  now?: () => number;
  /** Extra issuing options (validity windows, TCB levels) for tests. */
  collateral?: Omit<IssueCollateralOptions, "now">;
}

export interface DevPccsServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`; pass it as the PCCS URL. */
  url: string;
  port: number;
  /** Requests answered so far (for cache tests). */
  requestCount(): number;
  /** `false` makes every request answer 503, as a PCCS that is down. */
  setAvailable(available: boolean): void;
  close(): Promise<void>;
}

/** Collateral is reissued once it is this old (it is valid for 30 days). */
const REISSUE_AFTER_SECONDS = 86_400;

export async function startDevPccsServer(options: DevPccsServerOptions = {}): Promise<DevPccsServer> {
  const pki = options.pki ?? createDevPki();
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  let issued: { at: number; json: CollateralJson } | undefined;
  let available = true;
  let requests = 0;

  const collateral = (): CollateralJson => {
    const at = now();
    if (!issued || at - issued.at >= REISSUE_AFTER_SECONDS || at < issued.at) {
      issued = { at, json: issueCollateral(pki, { ...options.collateral, now: at }) };
    }
    return issued.json;
  };

  const server: Server = createServer((request, response) => {
    requests++;
    try {
      if (!available) return send(response, 503, "text/plain", "dev PCCS is unavailable");
      if (request.method !== "GET") return send(response, 405, "text/plain", "only GET");
      route(request, response, collateral(), pki);
    } catch (error) {
      send(response, 500, "text/plain", error instanceof Error ? error.message : "error");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    requestCount: () => requests,
    setAvailable: (value) => {
      available = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function route(request: IncomingMessage, response: ServerResponse, json: CollateralJson, pki: DevPki): void {
  const url = new URL(request.url ?? "/", "http://pccs.invalid");
  switch (url.pathname) {
    case "/tdx/certification/v4/tcb": {
      const fmspc = url.searchParams.get("fmspc") ?? "";
      if (fmspc.toLowerCase() !== toHex(pki.platform.fmspc)) return send(response, 404, "text/plain", "no TCB Info for this FMSPC");
      const body = `{"tcbInfo":${json.tcb_info},"signature":"${json.tcb_info_signature}"}`;
      return send(response, 200, "application/json", body, { "TCB-Info-Issuer-Chain": encodeURIComponent(json.tcb_info_issuer_chain) });
    }
    case "/tdx/certification/v4/qe/identity": {
      const body = `{"enclaveIdentity":${json.qe_identity},"signature":"${json.qe_identity_signature}"}`;
      return send(response, 200, "application/json", body, {
        "SGX-Enclave-Identity-Issuer-Chain": encodeURIComponent(json.qe_identity_issuer_chain),
      });
    }
    case "/sgx/certification/v4/pckcrl": {
      if (url.searchParams.get("ca") !== "platform") return send(response, 404, "text/plain", "the dev PKI has a platform CA only");
      return send(response, 200, "application/pkix-crl", fromHex(json.pck_crl), {
        "SGX-PCK-CRL-Issuer-Chain": encodeURIComponent(json.pck_crl_issuer_chain),
      });
    }
    case "/sgx/certification/v4/rootcacrl":
      return send(response, 200, "text/plain", json.root_ca_crl);
    default:
      return send(response, 404, "text/plain", "not a PCCS path");
  }
}

function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { "content-type": contentType, ...headers });
  response.end(body);
}
