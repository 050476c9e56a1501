import { describe, expect, it } from "vitest";
import {
  ENCLAVE_REPORT,
  ENCLAVE_REPORT_SIZE,
  QUOTE_HEADER,
  QUOTE_HEADER_SIZE,
  signedLength,
  TD_REPORT,
  TD_REPORT_10_SIZE,
  TD_REPORT_15_SIZE,
  type FieldLayout,
} from "../../../core/attestation/quote/layout";

function fieldsInOrder(layout: Record<string, FieldLayout>): FieldLayout[] {
  return Object.values(layout).sort((a, b) => a.offset - b.offset);
}

describe("quote layout", () => {
  it("lays the header and TD report fields end to end with no gap", () => {
    for (const [layout, size] of [
      [QUOTE_HEADER, QUOTE_HEADER_SIZE],
      [TD_REPORT, TD_REPORT_15_SIZE],
    ] as const) {
      let offset = 0;
      for (const field of fieldsInOrder(layout)) {
        expect(field.offset).toBe(offset);
        offset += field.size;
      }
      expect(offset).toBe(size);
    }
    expect(TD_REPORT.reportData.offset + TD_REPORT.reportData.size).toBe(TD_REPORT_10_SIZE);
  });

  it("keeps QE report fields inside 384 bytes without overlap (reserved gaps allowed)", () => {
    let end = 0;
    for (const field of fieldsInOrder(ENCLAVE_REPORT)) {
      expect(field.offset).toBeGreaterThanOrEqual(end);
      end = field.offset + field.size;
    }
    expect(end).toBe(ENCLAVE_REPORT_SIZE);
  });

  it("counts the v5 body descriptor in the signed length", () => {
    expect(signedLength(4, TD_REPORT_10_SIZE)).toBe(632);
    expect(signedLength(5, TD_REPORT_15_SIZE)).toBe(702);
    expect(signedLength(5, TD_REPORT_10_SIZE)).toBe(638);
  });
});
