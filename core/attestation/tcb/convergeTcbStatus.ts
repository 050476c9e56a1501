import type { TcbStatus } from "../types";

/**
 * Folds a component's status (the TDX module's, then the QE's) into the platform TCB level's
 * status, as Intel's DCAP QVL does (`convergeTcbStatusWithTdxModuleStatus`,
 * `convergeTcbStatusWithQeTcbStatus`):
 *
 * | component      | platform                                        | result                         |
 * |----------------|-------------------------------------------------|--------------------------------|
 * | UpToDate       | any                                             | platform                       |
 * | Revoked        | any                                             | Revoked                        |
 * | out of date    | UpToDate, SWHardeningNeeded                     | OutOfDate                      |
 * | out of date    | ConfigurationNeeded, ConfigurationAndSWHardeningNeeded | OutOfDateConfigurationNeeded |
 * | out of date    | OutOfDate, OutOfDateConfigurationNeeded, Revoked | platform                      |
 *
 * "Out of date" is any component status other than UpToDate and Revoked: Intel's QE check
 * maps every such QE level to ISVSVN_OUT_OF_DATE, and module levels only use UpToDate,
 * OutOfDate and Revoked. Treating an unexpected module status the same way never makes the
 * result look better than the platform alone.
 */
export function convergeTcbStatus(platform: TcbStatus, component: TcbStatus): TcbStatus {
  if (component === "UpToDate") return platform;
  if (component === "Revoked") return "Revoked";
  switch (platform) {
    case "UpToDate":
    case "SWHardeningNeeded":
      return "OutOfDate";
    case "ConfigurationNeeded":
    case "ConfigurationAndSWHardeningNeeded":
      return "OutOfDateConfigurationNeeded";
    case "OutOfDate":
    case "OutOfDateConfigurationNeeded":
    case "Revoked":
      return platform;
  }
}

/** Union of advisory ids, de-duplicated and sorted (stable output for logs and leaves). */
export function mergeAdvisoryIds(...lists: ReadonlyArray<readonly string[]>): string[] {
  return [...new Set(lists.flat())].sort();
}
