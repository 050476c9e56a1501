import { AttestationError } from "../errors";

/** What running past a reader's end means: the input ended early, or a declared length lied. */
export type OverrunCode = "QUOTE_TRUNCATED" | "QUOTE_MALFORMED";

/**
 * A cursor over `bytes[start, end)` that never reads outside that window. Every read is
 * bounds-checked first and names the field it was reading, so a refusal says where the
 * quote broke. Reads return subarray views (no copies): each view is exactly the field's
 * size and lies inside the window.
 *
 * The top-level reader overruns with `QUOTE_TRUNCATED` (the buffer ended). A nested reader
 * made by `region()` covers a length the quote itself declared, so running past it means
 * the declared lengths disagree: `QUOTE_MALFORMED`.
 */
export class ByteReader {
  private offset: number;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly end: number,
    private readonly overrunCode: OverrunCode,
  ) {
    this.offset = start;
  }

  static over(bytes: Uint8Array): ByteReader {
    return new ByteReader(bytes, 0, bytes.length, "QUOTE_TRUNCATED");
  }

  /** Absolute offset of the next byte to read. */
  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  u16(field: string): number {
    const at = this.advance(2, field);
    const b = this.bytes;
    return b[at]! | (b[at + 1]! << 8);
  }

  u32(field: string): number {
    const at = this.advance(4, field);
    const b = this.bytes;
    // Multiply the top byte instead of shifting it, so the result stays unsigned.
    return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000;
  }

  /** The next `size` bytes, as a view. */
  take(size: number, field: string): Uint8Array {
    const at = this.advance(size, field);
    return this.bytes.subarray(at, at + size);
  }

  /**
   * A reader over the next `size` bytes, whose length the quote declared. Consumes them here.
   * Reading past the region's end inside it is `QUOTE_MALFORMED`.
   */
  region(size: number, field: string): ByteReader {
    const at = this.advance(size, field);
    return new ByteReader(this.bytes, at, at + size, "QUOTE_MALFORMED");
  }

  /** Refuses leftover bytes inside a declared region: its length and its contents disagree. */
  expectEnd(field: string): void {
    if (this.offset !== this.end) {
      throw new AttestationError(
        "QUOTE_MALFORMED",
        `${field} declares ${this.remaining} more bytes than its contents use`,
      );
    }
  }

  private advance(size: number, field: string): number {
    const at = this.offset;
    if (size > this.end - at) {
      throw new AttestationError(
        this.overrunCode,
        this.overrunCode === "QUOTE_TRUNCATED"
          ? `quote truncated: ${field} needs ${size} bytes at offset ${at}, ${this.end - at} left`
          : `declared length too short: ${field} needs ${size} bytes at offset ${at}, ${this.end - at} left in its region`,
      );
    }
    this.offset = at + size;
    return at;
  }
}
