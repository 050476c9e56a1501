import { describe, expect, it } from "vitest";
import { serialToHex } from "../../../core/attestation/pki/serial";

describe("serialToHex", () => {
  it("drops the DER sign byte so serials read as OpenSSL prints them", () => {
    expect(serialToHex(Uint8Array.of(0x00, 0xba, 0x81))).toBe("ba81");
    expect(serialToHex(Uint8Array.of(0x3c, 0x16))).toBe("3c16");
  });
  it("keeps a lone zero", () => expect(serialToHex(Uint8Array.of(0x00))).toBe("00"));
});
