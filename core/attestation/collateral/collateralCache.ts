import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { toHex } from "../../bytes";
import { parseCrl } from "../pki/crl";
import { type Collateral, parseCollateralJson, serializeCollateral } from "./collateral";
import type { PckCaType } from "./pccs";
import { collateralNextUpdate } from "./validity";

export interface CollateralCacheOptions {
  /** Fetches fresh collateral, e.g. `(key) => fetchCollateral({ baseUrl, ...key })`. */
  fetchCollateral: (key: { fmspc: Uint8Array; caType: PckCaType }) => Promise<Collateral>;
  /** The clock in Unix seconds; injected so tests control expiry. */
  now?: () => number;
  /** Optional directory of `<fmspc>-<ca>.json` files (the vectors' collateral format). */
  directory?: string;
  /** `nextUpdate` (Unix seconds) of a DER CRL. Default: the PKI layer's `parseCrl`. */
  crlNextUpdate?: (crlDer: Uint8Array) => number;
}

interface Entry {
  collateral: Collateral;
  /** Unix seconds: the earliest nextUpdate of TCB Info, QE Identity and both CRLs. */
  nextUpdate: number;
}

/**
 * Collateral per (FMSPC, PCK CA), reused until its earliest `nextUpdate` and refetched after.
 * Concurrent misses for one key share one fetch. The disk copy survives restarts and is
 * byte-exact (signed texts are stored as served).
 */
export class CollateralCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<Collateral>>();
  private readonly now: () => number;
  private readonly crlNextUpdate: (crlDer: Uint8Array) => number;

  constructor(private readonly options: CollateralCacheOptions) {
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.crlNextUpdate = options.crlNextUpdate ?? ((crlDer) => parseCrl(crlDer).nextUpdate);
  }

  async get(fmspc: Uint8Array, caType: PckCaType): Promise<Collateral> {
    const key = `${toHex(fmspc)}-${caType}`;
    const cached = this.entries.get(key);
    if (cached && this.isFresh(cached)) return cached.collateral;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const loading = this.load(key, fmspc, caType).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, loading);
    return loading;
  }

  /** The nextUpdate the cache holds for a key, if any (for `/health` and tests). */
  nextUpdateOf(fmspc: Uint8Array, caType: PckCaType): number | undefined {
    return this.entries.get(`${toHex(fmspc)}-${caType}`)?.nextUpdate;
  }

  private async load(key: string, fmspc: Uint8Array, caType: PckCaType): Promise<Collateral> {
    const fromDisk = await this.readDisk(key);
    if (fromDisk && this.isFresh(fromDisk)) {
      this.entries.set(key, fromDisk);
      return fromDisk.collateral;
    }
    const collateral = await this.options.fetchCollateral({ fmspc, caType });
    const entry = this.entryOf(collateral);
    this.entries.set(key, entry);
    await this.writeDisk(key, collateral);
    return collateral;
  }

  private isFresh(entry: Entry): boolean {
    return this.now() <= entry.nextUpdate;
  }

  private entryOf(collateral: Collateral): Entry {
    const crlDates = [this.crlNextUpdate(collateral.rootCaCrlDer), this.crlNextUpdate(collateral.pckCrlDer)];
    return { collateral, nextUpdate: collateralNextUpdate(collateral, crlDates) };
  }

  /** A missing or unreadable file is a miss: the fetch that follows overwrites it. */
  private async readDisk(key: string): Promise<Entry | undefined> {
    if (!this.options.directory) return undefined;
    let text: string;
    try {
      text = await readFile(join(this.options.directory, `${key}.json`), "utf8");
    } catch {
      return undefined;
    }
    try {
      return this.entryOf(parseCollateralJson(text));
    } catch {
      return undefined;
    }
  }

  /** Write to a temporary name, then rename, so a crash never leaves half a file. */
  private async writeDisk(key: string, collateral: Collateral): Promise<void> {
    const directory = this.options.directory;
    if (!directory) return;
    await mkdir(directory, { recursive: true });
    const path = join(directory, `${key}.json`);
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, serializeCollateral(collateral), "utf8");
    await rename(temporary, path);
  }
}
