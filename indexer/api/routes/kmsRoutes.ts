import type { Hex } from "../../../core/policy";
import type { IndexerAppDeps, IndexerFastify } from "../types";
import { KmsResponse, PlatformResponse } from "../schemas";

/** KMS identities, anchored checkpoints and conflicts; the platform policy and its history. */
export function registerKmsRoutes(app: IndexerFastify, deps: IndexerAppDeps): void {
  app.get("/v1/kms", { schema: { summary: "KMS identities over time, anchored checkpoints and checkpoint conflicts", tags: ["kms"], response: { 200: KmsResponse } } }, async () => {
    const byKms = new Map<Hex, ReturnType<IndexerAppDeps["chain"]["identityChanges"]>>();
    for (const change of deps.chain.identityChanges()) byKms.set(change.kms, [...(byKms.get(change.kms) ?? []), change]);
    const identities = [...byKms].map(([kms, history]) => {
      const latest = history[history.length - 1]!;
      const registered = [...history].reverse().find((change) => change.active);
      return {
        kms,
        active: latest.active,
        quoteHash: registered?.quoteHash ?? null,
        measurement: registered?.measurement ?? null,
        history: history.map(({ kms: _kms, ...change }) => change),
      };
    });
    return {
      syncedBlock: deps.chain.syncState().syncedBlock,
      identities,
      checkpoints: deps.chain.anchoredCheckpoints().map(({ checkpoint: _checkpoint, ...row }) => row),
      conflicts: deps.chain.conflicts().map(({ checkpoint: _checkpoint, rootHash, ...row }) => ({ ...row, recordedRoot: rootHash })),
    };
  });

  app.get("/v1/platform", { schema: { summary: "Platform policy now (allowed platforms, TCB statuses, KMS measurements, governance) and its history", tags: ["kms"], response: { 200: PlatformResponse } } }, async () => {
    const history = deps.chain.platformChanges();
    const platforms = new Map<Hex, boolean>();
    const measurements = new Map<Hex, boolean>();
    let governance: Hex | null = null;
    let mask: number | null = null;
    for (const change of history) {
      if (change.kind === "platform" && change.subject) platforms.set(change.subject, change.allowed === true);
      if (change.kind === "kms-measurement" && change.subject) measurements.set(change.subject, change.allowed === true);
      if (change.kind === "governance") governance = change.subject;
      if (change.kind === "tcb-statuses") mask = change.value;
    }
    const allowed = (map: Map<Hex, boolean>) => [...map].filter(([, isAllowed]) => isAllowed).map(([hash]) => hash);
    return {
      syncedBlock: deps.chain.syncState().syncedBlock,
      governance,
      allowedPlatforms: allowed(platforms),
      allowedTcbStatuses: mask,
      allowedKmsMeasurements: allowed(measurements),
      history,
    };
  });
}
