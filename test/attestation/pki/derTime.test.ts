import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDerTime } from "../../../core/attestation/pki/derTime";

const ascii = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "ascii"));
const utc = (text: string): number | undefined => parseDerTime("utc", ascii(text));
const generalized = (text: string): number | undefined => parseDerTime("generalized", ascii(text));

describe("parseDerTime", () => {
  it("reads UTCTime years 50..99 as 19xx and 00..49 as 20xx (RFC 5280 §4.1.2.5.1)", () => {
    expect(utc("500101000000Z")).toBe(Date.UTC(1950, 0, 1) / 1000);
    expect(utc("491231235959Z")).toBe(Date.UTC(2049, 11, 31, 23, 59, 59) / 1000);
    expect(utc("700101000000Z")).toBe(0);
  });

  it("reads GeneralizedTime, including years before 1970 and after 2049", () => {
    expect(generalized("20500101000000Z")).toBe(Date.UTC(2050, 0, 1) / 1000);
    expect(generalized("19691231235959Z")).toBe(-1);
    expect(generalized("00000101000000Z")).toBe(new Date("0000-01-01T00:00:00Z").getTime() / 1000);
  });

  it("knows leap years", () => {
    expect(utc("240229120000Z")).toBe(Date.UTC(2024, 1, 29, 12) / 1000);
    expect(utc("230229120000Z")).toBeUndefined();
    expect(generalized("20000229000000Z")).toBe(Date.UTC(2000, 1, 29) / 1000);
    expect(generalized("21000229000000Z")).toBeUndefined();
  });

  it("refuses anything but whole seconds in UTC", () => {
    for (const text of ["2502062325Z", "250206232551", "250206232551+0100", "250206232551.5Z", "2502062325511Z", "25020623255aZ"]) {
      expect(utc(text)).toBeUndefined();
    }
    expect(generalized("20250206232551.123Z")).toBeUndefined();
    expect(generalized("250206232551Z")).toBeUndefined();
  });

  it("refuses out-of-range fields", () => {
    for (const text of ["251306000000Z", "250006000000Z", "250100000000Z", "250132000000Z", "250431000000Z", "250101240000Z", "250101006000Z", "250101000060Z"]) {
      expect(utc(text)).toBeUndefined();
    }
  });

  it("agrees with Date for every valid GeneralizedTime", () => {
    fc.assert(
      fc.property(fc.date({ min: new Date("1000-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59Z"), noInvalidDate: true }), (date) => {
        const iso = date.toISOString();
        const text = iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19) + "Z";
        expect(generalized(text)).toBe(Math.floor(date.getTime() / 1000));
      }),
      { numRuns: 500 },
    );
  });
});
