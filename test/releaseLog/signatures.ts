import { expect } from "vitest";
import { ReleaseLogError, type ReleaseLogErrorCode } from "../../core/releaseLog";

/** Asserts `run` rejects with a ReleaseLogError carrying `code`. */
export async function expectReleaseLogRejection(run: () => Promise<unknown>, code: ReleaseLogErrorCode, label = ""): Promise<void> {
  let thrown: unknown;
  try {
    await run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `${label}: expected ${code}`).toBeInstanceOf(ReleaseLogError);
  expect((thrown as ReleaseLogError).code, label).toBe(code);
}

/** Replaces s with n - s and flips v: the malleable twin of a valid signature. */
export function malleableTwin(signature: `0x${string}`): `0x${string}` {
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const r = signature.slice(2, 66);
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  const v = Number.parseInt(signature.slice(130, 132), 16);
  return `0x${r}${(n - s).toString(16).padStart(64, "0")}${(v === 27 ? 28 : 27).toString(16)}`;
}
