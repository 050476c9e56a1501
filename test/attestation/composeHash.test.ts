import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { toHex } from "../../core/bytes";
import { canonicalJson } from "../../core/jcs";
import { composeHash, composeHashOfText } from "../../core/attestation/composeHash";
import { AttestationError } from "../../core/attestation/errors";
import { readVectorJson } from "../helpers/vectors";

const sha256Hex = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

function expectMalformed(action: () => unknown): void {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(AttestationError);
  expect((thrown as AttestationError).code).toBe("APP_COMPOSE_MALFORMED");
}

const tcbInfo = readVectorJson<{ app_compose: string; compose_hash: string }>("near-mpc/tcb_info.json");

describe("composeHash", () => {
  it("is SHA-256 of the RFC 8785 canonical JSON", () => {
    expect(toHex(composeHash({ b: 1, a: "x", c: [true, null, 1.5] }))).toBe(
      sha256Hex('{"a":"x","b":1,"c":[true,null,1.5]}'),
    );
  });

  it("does not change with key order or whitespace", () => {
    const reversed = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(reversed)
        : typeof value === "object" && value !== null
          ? Object.fromEntries(Object.entries(value).reverse().map(([key, item]) => [key, reversed(item)]))
          : value;
    const reformatted = JSON.stringify(reversed(JSON.parse(tcbInfo.app_compose)), null, 1);
    expect(reformatted).not.toBe(tcbInfo.app_compose);
    expect(toHex(composeHashOfText(reformatted))).toBe(toHex(composeHashOfText(tcbInfo.app_compose)));
  });

  it("hashes S3's app_compose to the JCS hash, which differs from dstack's compose_hash of the raw text", () => {
    // dstack hashes the app-compose text as written (pretty-printed here), not its JCS form.
    expect(sha256Hex(tcbInfo.app_compose)).toBe(tcbInfo.compose_hash);
    const jcsHash = toHex(composeHashOfText(tcbInfo.app_compose));
    // Computed independently with Python: sha256(json.dumps(json.loads(text), sort_keys=True,
    // separators=(",", ":"), ensure_ascii=False)), which equals JCS for this document.
    expect(jcsHash).toBe("0973ccf631cb1e380ccb9468e6227544c98e5b5c02a341c4a03ec7bf195bce84");
    expect(jcsHash).not.toBe(tcbInfo.compose_hash);
  });

  it("equals dstack's raw-text hash when the app-compose text is already canonical", () => {
    const canonicalText = canonicalJson(JSON.parse(tcbInfo.app_compose));
    expect(toHex(composeHashOfText(canonicalText))).toBe(sha256Hex(canonicalText));
  });

  it("refuses text that is not JSON", () => {
    expectMalformed(() => composeHashOfText("{"));
    expectMalformed(() => composeHashOfText(""));
  });

  it("refuses values JSON cannot represent", () => {
    expectMalformed(() => composeHash(undefined));
    expectMalformed(() => composeHash({ a: Number.NaN }));
    expectMalformed(() => composeHash({ a: Number.POSITIVE_INFINITY }));
    expectMalformed(() => composeHash(1n));
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expectMalformed(() => composeHash(cyclic));
  });
});
