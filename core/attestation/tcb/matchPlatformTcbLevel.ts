import type { TcbInfo, TcbLevel } from "../collateral/tcbInfo";
import { isoOf } from "../collateral/validity";
import { AttestationError } from "../errors";

export interface PlatformTcbFields {
  /** 16 SVNs from the PCK certificate: CPUSVN byte i is SGX TCB component i. */
  sgxTcbComponents: readonly number[];
  pceSvn: number;
  /** 16 bytes from the TD report. */
  teeTcbSvn: Uint8Array;
}

/**
 * Picks the platform TCB level (Intel QVL TcbLevelCheck, DCAP spec 4.1.2.4.17): levels are
 * taken newest `tcbDate` first (sorted defensively; a stable sort keeps Intel's order among
 * equal dates), and the first one wins where every SGX component, the PCE SVN and every TDX
 * component of the platform are `>=` the level's.
 *
 * TDX components compare `tee_tcb_svn[i]`. As in Intel QVL (`isTdxTcbHigherOrEqual`), when
 * `tee_tcb_svn[1] > 0` indexes 0 and 1 (module SVN and major version) are skipped: the TDX
 * module identity judges those. dcap-qvl compares all 16; on every vector here both agree.
 *
 * Refusals: `TCB_LEVEL_NOT_FOUND`, `TCB_REVOKED`.
 */
export function matchPlatformTcbLevel(tcbInfo: TcbInfo, platform: PlatformTcbFields): TcbLevel {
  const levels = [...tcbInfo.tcbLevels].sort((a, b) => b.tcbDate - a.tcbDate);
  const firstTdxIndex = (platform.teeTcbSvn[1] ?? 0) > 0 ? 2 : 0;
  const level = levels.find(
    (candidate) =>
      allAtLeast(platform.sgxTcbComponents, candidate.sgxTcbComponents, 0) &&
      platform.pceSvn >= candidate.pceSvn &&
      allAtLeast(platform.teeTcbSvn, candidate.tdxTcbComponents, firstTdxIndex),
  );
  if (!level) {
    throw new AttestationError(
      "TCB_LEVEL_NOT_FOUND",
      `no TCB level matches the platform (PCE SVN ${platform.pceSvn}, SGX components ` +
        `${platform.sgxTcbComponents.join(",")}, TEE TCB SVN ${[...platform.teeTcbSvn].join(",")})`,
    );
  }
  if (level.tcbStatus === "Revoked") {
    throw new AttestationError("TCB_REVOKED", `the platform's TCB level (${isoOf(level.tcbDate)}) is Revoked`);
  }
  return level;
}

function allAtLeast(have: ArrayLike<number>, need: readonly number[], from: number): boolean {
  for (let i = from; i < need.length; i++) {
    if ((have[i] ?? 0) < need[i]!) return false;
  }
  return true;
}
