import fs from "node:fs";
import path from "node:path";
import type { Hex } from "viem";
import { toHex0x } from "../../../core/bytes";
import { composeHashOfText } from "../../../core/attestation/composeHash";
import { parseReleaseMetadata, type ReleaseMetadata } from "../../../core/release/metadata";
import type { SocialEndpoint } from "../../../examples/toy-social-api/server";
import { socialApiEndpointsOf } from "../../../examples/toy-social-app/composeEndpoints";

/**
 * The demo's two builds of the toy app, read from examples/: the compose hash comes from the
 * file's text through the same function as `basekms release hash` and the agent.
 */
export const EXAMPLES_DIR = path.resolve(__dirname, "../../../examples");

export interface DemoBuild {
  name: string;
  composeFile: string;
  composeText: string;
  composeHash: Hex;
  /** The toy-API endpoints the build calls (SOCIAL_API_ENDPOINTS in the measured file). */
  endpoints: SocialEndpoint[];
  /** What its maintainers would sign: the image from the compose file, a source commit, a tag. */
  metadata: ReleaseMetadata;
}

/** A made-up source commit for the demo's release metadata (the demo images are not published either). */
export const DEMO_SOURCE_COMMIT = "1f2e3d4c5b6a79880716253443526170f9e8d7c6";

export function loadDemoBuild(name: "social-watch-history" | "social-direct-messages", releaseTag = "v1.0.0"): DemoBuild {
  const composeFile = path.join(EXAMPLES_DIR, name, "app-compose.json");
  const composeText = fs.readFileSync(composeFile, "utf8");
  const compose = JSON.parse(composeText) as { docker_compose_file?: string };
  const image = /^\s*image:\s*(\S+@sha256:[0-9a-f]{64})\s*$/m.exec(compose.docker_compose_file ?? "")?.[1];
  if (!image) throw new Error(`${composeFile} names no image by digest`);
  return {
    name,
    composeFile,
    composeText,
    composeHash: toHex0x(composeHashOfText(composeText)),
    endpoints: socialApiEndpointsOf(compose),
    metadata: parseReleaseMetadata({ sourceCommit: DEMO_SOURCE_COMMIT, imageDigests: [image], releaseTag }),
  };
}
