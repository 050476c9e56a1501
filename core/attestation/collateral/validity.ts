import { AttestationError } from "../errors";
import type { QeIdentity } from "./qeIdentity";
import type { TcbInfo } from "./tcbInfo";

type Windowed = Pick<TcbInfo | QeIdentity, "issueDate" | "nextUpdate">;

/**
 * TCB Info and QE Identity are valid on `[issueDate, nextUpdate]` (Unix seconds), both ends included
 * (Intel QVL and dcap-qvl refuse only when `now > nextUpdate`). CRL windows are checked by
 * the PKI layer, which parses them.
 */
export function checkCollateralTimes(
  collateral: { tcbInfo: Windowed; qeIdentity: Windowed },
  now: number,
): void {
  checkWindow("TCB Info", collateral.tcbInfo, now);
  checkWindow("QE Identity", collateral.qeIdentity, now);
}

function checkWindow(name: string, window: Windowed, now: number): void {
  if (!Number.isFinite(now)) throw new AttestationError("COLLATERAL_EXPIRED", `${name}: 'now' must be unix seconds`);
  if (now < window.issueDate) {
    throw new AttestationError(
      "COLLATERAL_NOT_YET_VALID",
      `${name} is not valid before ${isoOf(window.issueDate)} (now ${isoOf(now)})`,
    );
  }
  if (now > window.nextUpdate) {
    throw new AttestationError(
      "COLLATERAL_EXPIRED",
      `${name} expired at ${isoOf(window.nextUpdate)} (now ${isoOf(now)})`,
    );
  }
}

/**
 * When the collateral must be refetched: the earliest `nextUpdate` of TCB Info, QE Identity
 * and the CRLs. CRL dates come from the PKI layer's CRL parser, passed in so this module
 * needs no DER code.
 */
export function collateralNextUpdate(
  collateral: { tcbInfo: Windowed; qeIdentity: Windowed },
  crlNextUpdates: readonly number[] = [],
): number {
  return Math.min(collateral.tcbInfo.nextUpdate, collateral.qeIdentity.nextUpdate, ...crlNextUpdates);
}

/** Unix seconds as an ISO 8601 string, for messages. */
export function isoOf(unixSeconds: number): string {
  const date = new Date(unixSeconds * 1000);
  return Number.isNaN(date.getTime()) ? String(unixSeconds) : date.toISOString();
}
