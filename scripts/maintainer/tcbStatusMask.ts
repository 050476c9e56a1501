import { UsageError } from "../../core/errors";
import { TCB_STATUS_BITS } from "../../core/contracts/typedData";

export type TcbStatusName = keyof typeof TCB_STATUS_BITS;

/**
 * Parses `UpToDate,SWHardeningNeeded` into a PlatformPolicy status mask (bit i = status i, as in
 * `TCB_STATUS_BITS`). `Revoked` has no bit and can never be allowed; unknown names are refused
 * with the list of valid ones.
 */
export function parseTcbStatusNames(flag: string, raw: string): number {
  const names = raw.split(",").map((name) => name.trim()).filter((name) => name !== "");
  if (names.length === 0) throw new UsageError("USAGE", `${flag} needs at least one TCB status`);
  let mask = 0;
  for (const name of names) {
    if (name === "Revoked") throw new UsageError("USAGE", `${flag}: Revoked has no bit in the policy and can never be allowed`);
    const bit = (TCB_STATUS_BITS as Record<string, number>)[name];
    if (bit === undefined) throw new UsageError("USAGE", `${flag}: unknown TCB status "${name}" (valid: ${Object.keys(TCB_STATUS_BITS).join(", ")})`);
    mask |= 1 << bit;
  }
  return mask;
}

/** The status names whose bits are set, in bit order. */
export function tcbStatusNamesOf(mask: number): TcbStatusName[] {
  return (Object.entries(TCB_STATUS_BITS) as [TcbStatusName, number][]).filter(([, bit]) => (mask & (1 << bit)) !== 0).map(([name]) => name);
}
