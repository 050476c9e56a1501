import { expect } from "vitest";
import { MerkleError, type MerkleErrorCode } from "../../core/merkle";

/** Asserts `run` throws a MerkleError with `code` (class and code, never just "throws"). */
export function expectMerkleError(run: () => unknown, code: MerkleErrorCode, label = ""): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `${label}: expected ${code}`).toBeInstanceOf(MerkleError);
  expect((thrown as MerkleError).code, label).toBe(code);
}

export function flipBit(bytes: Uint8Array, bit = 0): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
  return copy;
}
