/**
 * A reader of a release log's public API (docs/protocol.md "Release log"; served by the KMS at
 * `/v1/log/...` and mirrored by the indexer under the same paths). Every answer is checked for
 * shape before use; a hostile or broken server gives AUDIT_KMS_RESPONSE_INVALID, never a crash.
 * Hashes may come with or without `0x`.
 */
import { Type, type Static, type TSchema } from "typebox";
import { Compile } from "typebox/compile";
import { tryFromHex, utf8 } from "../bytes";
import type { Hex } from "../policy";
import { AuditError } from "./errors";
import type { ServedEntry, TreeHead } from "./logChecks";

export interface SignedTreeHead extends TreeHead {
  /** Lowercase. */
  readonly kms: Hex;
  readonly signature: Hex;
}

export interface KmsLogClient {
  readonly baseUrl: string;
  checkpoint(): Promise<SignedTreeHead>;
  /** One page of entries in [start, end); the server may return fewer. */
  entries(start: number, end: number): Promise<ServedEntry[]>;
  inclusionProof(index: number, treeSize: number): Promise<Uint8Array[]>;
  consistencyProof(fromSize: number, toSize: number): Promise<Uint8Array[]>;
}

export interface KmsLogClientOptions {
  readonly baseUrl: string;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

const HexText = Type.String({ pattern: "^(0x)?([0-9a-fA-F]{2})*$", maxLength: 20_000 });
const Size = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const CheckpointBody = Type.Object({ treeSize: Size, rootHash: HexText, kms: HexText, signature: HexText });
const EntriesBody = Type.Object({
  entries: Type.Array(Type.Object({ index: Size, leafHash: HexText, leaf: Type.String({ maxLength: 65_536 }) }), { maxItems: 100_000 }),
});
const ProofBody = Type.Object({ proof: Type.Array(HexText, { maxItems: 128 }) });

const checkers = new Map<TSchema, ReturnType<typeof Compile>>();
function parseBody<Schema extends TSchema>(schema: Schema, value: unknown, what: string): Static<Schema> {
  let checker = checkers.get(schema);
  if (!checker) {
    checker = Compile(schema);
    checkers.set(schema, checker);
  }
  if (!checker.Check(value)) throw new AuditError("AUDIT_KMS_RESPONSE_INVALID", `${what} is not the documented shape`);
  return value as Static<Schema>;
}

function bytesOf(hex: string, length: number | undefined, what: string): Uint8Array {
  const bytes = tryFromHex(hex);
  if (!bytes || (length !== undefined && bytes.length !== length)) {
    throw new AuditError("AUDIT_KMS_RESPONSE_INVALID", `${what} is not ${length ?? "whole"}-byte hex`);
  }
  return bytes;
}

export function createKmsLogClient(options: KmsLogClientOptions): KmsLogClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;

  const getJson = async (path: string): Promise<unknown> => {
    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}${path}`, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: "application/json" } });
    } catch (cause) {
      throw new AuditError("AUDIT_KMS_UNAVAILABLE", `cannot reach ${baseUrl}${path}`, { cause });
    }
    if (!response.ok) {
      const text = await response.text().catch(() => "");
      throw new AuditError("AUDIT_KMS_UNAVAILABLE", `${baseUrl}${path} answered ${response.status} ${text.slice(0, 200)}`);
    }
    try {
      return await response.json();
    } catch (cause) {
      throw new AuditError("AUDIT_KMS_RESPONSE_INVALID", `${baseUrl}${path} did not answer JSON`, { cause });
    }
  };

  const proof = (body: unknown, what: string) => parseBody(ProofBody, body, what).proof.map((hash) => bytesOf(hash, 32, `${what} hash`));

  return {
    baseUrl,
    async checkpoint() {
      const body = parseBody(CheckpointBody, await getJson("/v1/log/checkpoint"), "the checkpoint");
      bytesOf(body.kms, 20, "the checkpoint's kms");
      return {
        treeSize: body.treeSize,
        rootHash: bytesOf(body.rootHash, 32, "the checkpoint's root"),
        kms: `0x${body.kms.replace(/^0x/, "").toLowerCase()}` as Hex,
        signature: `0x${body.signature.replace(/^0x/, "").toLowerCase()}` as Hex,
      };
    },
    async entries(start, end) {
      const body = parseBody(EntriesBody, await getJson(`/v1/log/entries?start=${start}&end=${end}`), `entries ${start}-${end}`);
      return body.entries.map((entry) => ({
        index: entry.index,
        leafHash: bytesOf(entry.leafHash, 32, `entry ${entry.index}'s leaf hash`),
        leafBytes: utf8(entry.leaf),
      }));
    },
    async inclusionProof(index, treeSize) {
      return proof(await getJson(`/v1/log/proof/inclusion?index=${index}&size=${treeSize}`), `the inclusion proof of leaf ${index}`);
    },
    async consistencyProof(fromSize, toSize) {
      return proof(await getJson(`/v1/log/proof/consistency?from=${fromSize}&to=${toSize}`), `the consistency proof ${fromSize}-${toSize}`);
    },
  };
}

/**
 * Entries [start, end) page by page. Stops early when a page is empty or does not move forward
 * (a server that hides entries); the caller's rebuild reports what is missing.
 */
export async function fetchEntries(
  client: KmsLogClient,
  start: number,
  end: number,
  options: { pageSize?: number; onPage?: (fetchedTo: number) => void } = {},
): Promise<ServedEntry[]> {
  const pageSize = options.pageSize ?? 1000;
  const entries: ServedEntry[] = [];
  let next = start;
  while (next < end) {
    const page = await client.entries(next, Math.min(end, next + pageSize));
    const last = page[page.length - 1];
    if (!last || last.index < next) break;
    for (const entry of page) entries.push(entry);
    next = last.index + 1;
    options.onPage?.(next);
  }
  return entries;
}
