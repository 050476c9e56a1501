import path from "node:path";
import { randomBytes } from "node:crypto";
import { REPORT_DATA_LENGTH } from "../../core/crypto";
import { AgentError } from "../errors";
import type { TsmFileSystem } from "./tsmFileSystem";

/** Where Linux (6.7+) exposes TSM attestation reports: `Documentation/ABI/testing/configfs-tsm-report`. */
export const DEFAULT_TSM_REPORT_ROOT = "/sys/kernel/config/tsm/report";
/** The `provider` a TDX guest's report directory names. */
export const TDX_TSM_PROVIDER = "tdx_guest";

export interface ConfigfsTsmQuoteOptions {
  reportRoot: string;
  fileSystem: TsmFileSystem;
  /** Told when clean-up fails (a leaked report directory is harmless but worth a line). */
  warn?: (message: string) => void;
}

/**
 * One quote through configfs-tsm:
 * 1. `mkdir <root>/<name>` (the kernel fills it with attribute files);
 * 2. check `provider` is `tdx_guest`, read `generation`;
 * 3. write the 64-byte report_data to `inblob`, read the quote from `outblob`;
 * 4. `generation` must now be exactly one more: otherwise another writer changed this
 *    request between our write and our read, and the quote may carry its report_data;
 * 5. `rmdir`, also on failure.
 */
export function configfsTsmQuote(reportData: Uint8Array, options: ConfigfsTsmQuoteOptions): Uint8Array {
  const { reportRoot, fileSystem } = options;
  if (!(reportData instanceof Uint8Array) || reportData.length !== REPORT_DATA_LENGTH) {
    throw new AgentError("QUOTE_FAILED", `report_data must be ${REPORT_DATA_LENGTH} bytes`);
  }
  if (!fileSystem.exists(reportRoot)) {
    throw new AgentError(
      "QUOTE_UNAVAILABLE",
      `configfs-tsm report directory ${reportRoot} is absent: not a TDX guest, a kernel without CONFIG_TSM_REPORTS, ` +
        "or configfs not mounted (mount -t configfs none /sys/kernel/config)",
    );
  }
  const requestDir = path.join(reportRoot, `basekms-${process.pid}-${randomBytes(6).toString("hex")}`);
  try {
    fileSystem.mkdir(requestDir);
  } catch (error) {
    throw new AgentError("QUOTE_UNAVAILABLE", `cannot create the configfs-tsm report ${requestDir}`, { cause: error });
  }
  try {
    return readQuote(requestDir, reportData, fileSystem);
  } finally {
    try {
      fileSystem.rmdir(requestDir);
    } catch (error) {
      options.warn?.(`could not remove the configfs-tsm report ${requestDir}: ${(error as Error).message}`);
    }
  }
}

function readQuote(requestDir: string, reportData: Uint8Array, fileSystem: TsmFileSystem): Uint8Array {
  const provider = readText(fileSystem, path.join(requestDir, "provider"));
  if (provider !== TDX_TSM_PROVIDER) {
    throw new AgentError("QUOTE_UNAVAILABLE", `configfs-tsm provider is ${JSON.stringify(provider)}, not ${TDX_TSM_PROVIDER}`);
  }
  const before = readGeneration(fileSystem, requestDir);
  try {
    fileSystem.writeExisting(path.join(requestDir, "inblob"), reportData);
  } catch (error) {
    throw new AgentError("QUOTE_FAILED", "writing report_data to configfs-tsm inblob failed", { cause: error });
  }
  let quote: Uint8Array;
  try {
    quote = fileSystem.readFile(path.join(requestDir, "outblob"));
  } catch (error) {
    throw new AgentError("QUOTE_FAILED", "reading the quote from configfs-tsm outblob failed", { cause: error });
  }
  const after = readGeneration(fileSystem, requestDir);
  if (after !== before + 1) {
    throw new AgentError(
      "QUOTE_FAILED",
      `configfs-tsm generation went from ${before} to ${after}: another writer changed the request, the quote is not ours`,
    );
  }
  if (quote.length === 0) throw new AgentError("QUOTE_FAILED", "configfs-tsm outblob is empty");
  return quote;
}

function readText(fileSystem: TsmFileSystem, file: string): string {
  try {
    return Buffer.from(fileSystem.readFile(file)).toString("utf8").trim();
  } catch (error) {
    throw new AgentError("QUOTE_FAILED", `cannot read ${file}`, { cause: error });
  }
}

function readGeneration(fileSystem: TsmFileSystem, requestDir: string): number {
  const text = readText(fileSystem, path.join(requestDir, "generation"));
  if (!/^\d+$/.test(text)) throw new AgentError("QUOTE_FAILED", `configfs-tsm generation is not a number: ${JSON.stringify(text)}`);
  return Number(text);
}
