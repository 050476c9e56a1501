import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { toHex } from "../../core/bytes";
import { composeHashOfText } from "../../core/attestation/composeHash";
import { sha256 } from "../../core/hash";
import { canonicalJson } from "../../core/jcs";
import { appComposeHash } from "../../agent/identity";

/**
 * The demo's two builds (examples/): dstack-style app-compose files, stored as canonical JCS text so
 * that dstack's hash of the file bytes and basekms's hash of the JCS form agree.
 */
const ROOT = path.resolve(__dirname, "../..");
const WATCH_HISTORY = path.join(ROOT, "examples/social-watch-history/app-compose.json");
const DIRECT_MESSAGES = path.join(ROOT, "examples/social-direct-messages/app-compose.json");

function read(file: string): { text: string; compose: Record<string, unknown> } {
  const text = fs.readFileSync(file, "utf8");
  return { text, compose: JSON.parse(text) as Record<string, unknown> };
}

describe("examples/ app-compose files", () => {
  for (const file of [WATCH_HISTORY, DIRECT_MESSAGES]) {
    it(`${path.basename(path.dirname(file))} is canonical JCS, so SHA-256 of its bytes is its compose hash`, () => {
      const { text, compose } = read(file);
      expect(canonicalJson(compose)).toBe(text);
      expect(toHex(composeHashOfText(text))).toBe(toHex(sha256(new TextEncoder().encode(text))));
      expect(toHex(appComposeHash(text))).toBe(toHex(composeHashOfText(text)));
    });

    it(`${path.basename(path.dirname(file))} has the dstack app-compose fields`, () => {
      const { compose } = read(file);
      expect(compose.manifest_version).toBe(2);
      expect(compose.runner).toBe("docker-compose");
      expect(typeof compose.docker_compose_file).toBe("string");
      expect(compose.kms_enabled).toBe(true);
      expect(compose.docker_compose_file).toMatch(/image: \S+@sha256:[0-9a-f]{64}\n/);
    });
  }

  it("the approved build calls only watch_history, the other build calls direct_messages", () => {
    const approved = read(WATCH_HISTORY).compose.docker_compose_file as string;
    const rogue = read(DIRECT_MESSAGES).compose.docker_compose_file as string;
    expect(approved).toMatch(/SOCIAL_API_ENDPOINTS: watch_history\n/);
    expect(approved).not.toMatch(/direct_messages/);
    expect(rogue).toMatch(/SOCIAL_API_ENDPOINTS: direct_messages\n/);
  });

  it("the compose hashes are the ones examples/README.md and the demo name", () => {
    expect(toHex(composeHashOfText(read(WATCH_HISTORY).text))).toBe("a6e3c257452b58000df44fe7bbe270de1df52864f72c5d858d166a4baae711ed");
    expect(toHex(composeHashOfText(read(DIRECT_MESSAGES).text))).toBe("44b3cff93e84494136b53b8683ce6a5f2edb28d19effb0f2243cd0ec1d36fc49");
    const readme = fs.readFileSync(path.join(ROOT, "examples/README.md"), "utf8");
    expect(readme).toContain("0xa6e3c257452b58000df44fe7bbe270de1df52864f72c5d858d166a4baae711ed");
    expect(readme).toContain("0x44b3cff93e84494136b53b8683ce6a5f2edb28d19effb0f2243cd0ec1d36fc49");
  });
});
