import fs from "node:fs";
import path from "node:path";
import { utf8 } from "../../core/bytes";
import type { SocialEndpoint, SocialRecords } from "../toy-social-api/server";
import { socialApiEndpointsOf } from "./composeEndpoints";
import { openRecords, sealRecords } from "./sealedRecords";

/**
 * The toy app that runs in the TDX VM once its agent has the disk key: it fetches the
 * endpoints its compose file names from the social API (`SOCIAL_API_URL`) and keeps what it
 * got only sealed, in `<dataDir>/<endpoint>.sealed`. Without the key it never starts, which is
 * what keeps an unapproved build away from the data.
 */
export interface CollectedRecords {
  endpoint: SocialEndpoint;
  records: number;
  file: string;
}

export async function collectAndSeal(parameters: {
  appCompose: unknown;
  socialApiUrl: string;
  diskKey: Uint8Array;
  dataDir: string;
}): Promise<CollectedRecords[]> {
  fs.mkdirSync(parameters.dataDir, { recursive: true, mode: 0o700 });
  const collected: CollectedRecords[] = [];
  for (const endpoint of socialApiEndpointsOf(parameters.appCompose)) {
    const response = await fetch(`${parameters.socialApiUrl}/v1/${endpoint}`);
    if (!response.ok) throw new Error(`the social API answered ${response.status} for ${endpoint}`);
    const body = (await response.json()) as SocialRecords;
    const file = path.join(parameters.dataDir, `${endpoint}.sealed`);
    fs.writeFileSync(file, sealRecords(parameters.diskKey, endpoint, utf8(JSON.stringify(body.records))), { mode: 0o600 });
    collected.push({ endpoint, records: body.records.length, file });
  }
  return collected;
}

/** Opens a file `collectAndSeal` wrote; throws `SEALED_RECORDS_INVALID` under any other key. */
export function readSealedRecords(diskKey: Uint8Array, endpoint: SocialEndpoint, file: string): unknown[] {
  return JSON.parse(new TextDecoder().decode(openRecords(diskKey, endpoint, new Uint8Array(fs.readFileSync(file))))) as unknown[];
}
