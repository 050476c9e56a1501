import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromHex, toHex, tryFromHex } from "../../core/bytes";

/**
 * `tryFromHex` (core/bytes.ts) decodes every quote the KMS receives without a validating
 * regex. These properties hold it to the regex it replaced: whole-byte hex, optional `0x`,
 * either case — and nothing else, including wide characters whose low byte is a hex digit.
 */
const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;
function reference(text: string): string | undefined {
  const body = text.startsWith("0x") || text.startsWith("0X") ? text.slice(2) : text;
  return HEX_RE.test(body) ? Buffer.from(body, "hex").toString("hex") : undefined;
}

const decoded = (text: string) => {
  const bytes = tryFromHex(text);
  return bytes ? toHex(bytes) : undefined;
};

describe("tryFromHex", () => {
  it("agrees with the whole-byte hex regex on strings of hex digits, prefixes, ASCII and wide characters", () => {
    const alphabet = [..."0123456789abcdefABCDEFxXg ", "\u0161", "\u0130", "\u0661", "\uff41", "\u0100", "\u00e1", "\u0000", "\ud800"];
    const text = fc.array(fc.constantFrom(...alphabet), { maxLength: 12 }).map((chars) => chars.join(""));
    fc.assert(fc.property(text, (input) => decoded(input) === reference(input)), { numRuns: 20_000 });
  });

  it("round-trips any bytes, with or without 0x, in either case", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const hex = toHex(bytes);
        return [hex, `0x${hex}`, hex.toUpperCase(), `0X${hex.toUpperCase()}`].every((text) => decoded(text) === hex);
      }),
    );
  });

  it("refuses wide characters that Node's hex decoder would read by their low byte", () => {
    expect(Buffer.from("\u0161\u0161", "hex")).toHaveLength(1); // why the check exists: "šš" decodes as 0xaa
    expect(tryFromHex("\u0161\u0161")).toBeUndefined();
    expect(tryFromHex("\u0661\u0661")).toBeUndefined();
    expect(tryFromHex(`${"ab".repeat(100)}\uff41\uff41`)).toBeUndefined();
  });

  it("refuses odd lengths and stray characters anywhere, and returns a private copy", () => {
    expect(tryFromHex("abc")).toBeUndefined();
    expect(tryFromHex(`${"ab".repeat(3000)}g0`)).toBeUndefined();
    expect(tryFromHex(`0x0x00`)).toBeUndefined();
    expect(tryFromHex("")).toEqual(new Uint8Array(0));
    const bytes = fromHex("00ff");
    expect(bytes.buffer.byteLength).toBe(2); // not a view into Node's shared Buffer pool
    for (const length of [1, 4095, 4096, 5000]) {
      // Small and large (quote-sized, not pooled and not copied) alike: the memory is the result's alone.
      const text = "a5".repeat(length);
      const big = fromHex(text);
      expect([big.byteOffset, big.buffer.byteLength, toHex(big)]).toEqual([0, length, text]);
      expect(fromHex(`0x${text}`).buffer).not.toBe(big.buffer);
    }
    expect(() => fromHex("zz")).toThrow(TypeError);
  });
});
