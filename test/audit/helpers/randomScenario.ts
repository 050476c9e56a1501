/**
 * A seeded random walk over every contract operation that emits an event: app registration,
 * approvals (with EIP-712 bundles), revocations, configuration updates that lower the notice (a
 * floor), freezes, time passing, platform hashes, TCB masks, KMS measurements and identities,
 * checkpoints and a checkpoint conflict. A small model keeps every operation valid, so no
 * transaction reverts.
 */
import type { Hex, LocalAccount } from "viem";
import {
  acceptGovernance,
  anchorCheckpoint,
  approveRelease,
  devAccount,
  freezeApp,
  increaseTime,
  label,
  registerApp,
  registerKmsIdentity,
  removeKmsIdentity,
  revokeRelease,
  setAllowedTcbStatuses,
  setKmsMeasurementAllowed,
  setPlatformAllowed,
  transferGovernance,
  updateAppConfig,
  type TestChain,
} from "./testChain";

/** mulberry32: small, fast, and the same sequence for the same seed. */
export function prng(seed: number): { next(): number; int(max: number): number; pick<T>(items: readonly T[]): T } {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  return { next, int, pick: (items) => items[int(items.length)]! };
}

interface ModelApp {
  appId: Hex;
  signers: LocalAccount[];
  threshold: number;
  frozen: boolean;
  /** Compose hash → approved and standing. */
  standing: Map<Hex, boolean>;
}

interface ModelKms {
  key: LocalAccount;
  active: boolean;
  latestSize: number;
  roots: Map<number, Hex>;
}

const SIGNER_POOL = [1, 2, 3, 4, 5, 6].map(devAccount);
const KMS_POOL = [10, 11].map(devAccount);
const COMPOSE_HASHES = ["compose-a", "compose-b", "compose-c", "compose-d", "compose-e"].map(label);
const PLATFORMS = ["platform-1", "platform-2", "platform-3"].map(label);
const MEASUREMENTS = ["kms-build-1", "kms-build-2"].map(label);

function pickSigners(random: ReturnType<typeof prng>): LocalAccount[] {
  const count = 1 + random.int(3);
  const shuffled = [...SIGNER_POOL].sort(() => random.next() - 0.5);
  return shuffled.slice(0, count);
}

export interface ScenarioSummary {
  operations: Record<string, number>;
  apps: Hex[];
}

export interface RandomScenario {
  /** Runs `steps` random valid operations (skipped rolls count as steps). */
  run(steps: number): Promise<ScenarioSummary>;
}

/**
 * A scenario on `chain`, starting with every kind of operation once (so every event kind is in the
 * history whatever the seed), then random. The model lives across `run` calls; one scenario per chain.
 */
export function createRandomScenario(chain: TestChain, seed: number): RandomScenario {
  const random = prng(seed);
  const apps: ModelApp[] = [];
  const kmsModels: ModelKms[] = KMS_POOL.map((key) => ({ key, active: false, latestSize: 0, roots: new Map() }));
  const allowedMeasurements = new Set<Hex>();
  const operations: Record<string, number> = {};
  const count = (name: string) => (operations[name] = (operations[name] ?? 0) + 1);
  let started = false;

  const register = async () => {
    const signers = pickSigners(random);
    const threshold = 1 + random.int(signers.length);
    const appId = await registerApp(chain, signers, threshold, random.pick([0, 60, 3600]));
    apps.push({ appId, signers, threshold, frozen: false, standing: new Map() });
    count("registerApp");
  };

  const coverEveryKind = async () => {
    const [first, second, third] = SIGNER_POOL as [LocalAccount, LocalAccount, LocalAccount];
    const kept = await registerApp(chain, [first, second], 2, 3600);
    const frozen = await registerApp(chain, [third], 1, 0);
    apps.push({ appId: kept, signers: [first, second], threshold: 2, frozen: false, standing: new Map() });
    apps.push({ appId: frozen, signers: [third], threshold: 1, frozen: true, standing: new Map([[COMPOSE_HASHES[0]!, true]]) });
    await approveRelease(chain, kept, COMPOSE_HASHES[0]!, [first, second]);
    await approveRelease(chain, frozen, COMPOSE_HASHES[0]!, [third]);
    await freezeApp(chain, frozen, [third]);
    await updateAppConfig(chain, kept, [first, second], { signers: [first, second], threshold: 1, noticePeriod: 60 });
    apps[0]!.threshold = 1;
    await approveRelease(chain, kept, COMPOSE_HASHES[1]!, [second]);
    await increaseTime(chain, 4000);
    await revokeRelease(chain, kept, COMPOSE_HASHES[1]!, first);
    apps[0]!.standing.set(COMPOSE_HASHES[0]!, true).set(COMPOSE_HASHES[1]!, false);
    await transferGovernance(chain, chain.governance.address);
    await acceptGovernance(chain);
    await setPlatformAllowed(chain, PLATFORMS[0]!, true);
    await setAllowedTcbStatuses(chain, 0b11);
    await setKmsMeasurementAllowed(chain, MEASUREMENTS[0]!, true);
    allowedMeasurements.add(MEASUREMENTS[0]!);
    const [kmsA, kmsB] = kmsModels as [ModelKms, ModelKms];
    await registerKmsIdentity(chain, kmsA.key.address.toLowerCase() as Hex, label("quote-a"), MEASUREMENTS[0]!);
    await registerKmsIdentity(chain, kmsB.key.address.toLowerCase() as Hex, label("quote-b"), MEASUREMENTS[0]!);
    await anchorCheckpoint(chain, kmsA.key, 3, label("root-a-3"));
    await anchorCheckpoint(chain, kmsA.key, 3, label("fork-a-3"));
    await removeKmsIdentity(chain, kmsB.key.address.toLowerCase() as Hex);
    Object.assign(kmsA, { active: true, latestSize: 3 });
    kmsA.roots.set(3, label("root-a-3"));
    for (const name of [
      "registerApp",
      "registerApp",
      "approveRelease",
      "approveRelease",
      "approveRelease",
      "freezeApp",
      "updateAppConfig",
      "increaseTime",
      "revokeRelease",
      "governanceTransfer",
      "setPlatformAllowed",
      "setAllowedTcbStatuses",
      "setKmsMeasurementAllowed",
      "registerKmsIdentity",
      "registerKmsIdentity",
      "checkpoint",
      "checkpointConflict",
      "removeKmsIdentity",
    ])
      count(name);
  };

  const run = async (steps: number): Promise<ScenarioSummary> => {
    if (!started) {
      started = true;
      await coverEveryKind();
    }
    for (let step = 0; step < steps; step += 1) {
      const writable = apps.filter((app) => !app.frozen);
      const roll = random.int(100);
      if (apps.length === 0 || (roll < 8 && apps.length < 4)) {
        await register();
      } else if (roll < 38 && writable.length > 0) {
        const app = random.pick(writable);
        const composeHash = random.pick(COMPOSE_HASHES);
        if (app.standing.get(composeHash)) continue;
        await approveRelease(chain, app.appId, composeHash, app.signers.slice(0, app.threshold), label(`meta-${step}`));
        app.standing.set(composeHash, true);
        count("approveRelease");
      } else if (roll < 50 && writable.length > 0) {
        const app = random.pick(writable);
        const standing = [...app.standing].filter(([, isStanding]) => isStanding).map(([hash]) => hash);
        if (standing.length === 0) continue;
        const composeHash = random.pick(standing);
        await revokeRelease(chain, app.appId, composeHash, random.pick(app.signers));
        app.standing.set(composeHash, false);
        count("revokeRelease");
      } else if (roll < 56 && writable.length > 0) {
        const app = random.pick(writable);
        const signers = pickSigners(random);
        const threshold = 1 + random.int(signers.length);
        await updateAppConfig(chain, app.appId, app.signers.slice(0, app.threshold), {
          signers,
          threshold,
          noticePeriod: random.pick([0, 30, 7200]),
        });
        Object.assign(app, { signers, threshold });
        count("updateAppConfig");
      } else if (roll < 58 && writable.length > 1) {
        const app = random.pick(writable);
        await freezeApp(chain, app.appId, app.signers.slice(0, app.threshold));
        app.frozen = true;
        count("freezeApp");
      } else if (roll < 68) {
        await increaseTime(chain, random.pick([30, 600, 3600, 7300]));
        count("increaseTime");
      } else if (roll < 76) {
        await setPlatformAllowed(chain, random.pick(PLATFORMS), random.next() < 0.7);
        count("setPlatformAllowed");
      } else if (roll < 80) {
        await setAllowedTcbStatuses(chain, random.int(64));
        count("setAllowedTcbStatuses");
      } else if (roll < 85) {
        const measurement = random.pick(MEASUREMENTS);
        const allowed = random.next() < 0.75;
        await setKmsMeasurementAllowed(chain, measurement, allowed);
        if (allowed) allowedMeasurements.add(measurement);
        else allowedMeasurements.delete(measurement);
        count("setKmsMeasurementAllowed");
      } else if (roll < 90) {
        const kms = random.pick(kmsModels);
        if (kms.active) {
          await removeKmsIdentity(chain, kms.key.address.toLowerCase() as Hex);
          kms.active = false;
          count("removeKmsIdentity");
        } else if (allowedMeasurements.size > 0) {
          await registerKmsIdentity(
            chain,
            kms.key.address.toLowerCase() as Hex,
            label(`quote-${step}`),
            random.pick([...allowedMeasurements])
          );
          kms.active = true;
          count("registerKmsIdentity");
        }
      } else {
        const kms = kmsModels.find((model) => model.active);
        if (!kms) continue;
        if (kms.latestSize > 0 && random.next() < 0.15) {
          // A second root for a recorded size: recorded on chain as fork evidence.
          await anchorCheckpoint(chain, kms.key, kms.latestSize, label(`fork-${step}`));
          count("checkpointConflict");
        } else {
          const size = kms.latestSize + 1 + random.int(5);
          const root = label(`root-${step}`);
          await anchorCheckpoint(chain, kms.key, size, root);
          kms.latestSize = size;
          kms.roots.set(size, root);
          count("checkpoint");
        }
      }
    }
    return { operations: { ...operations }, apps: apps.map((app) => app.appId) };
  };
  return { run };
}
