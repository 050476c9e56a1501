/**
 * Runs the replay scenario: a weighted random choice among the operations of both contracts, for
 * a given number of operations that actually happened (an operation with nothing valid to do is
 * skipped and another is drawn).
 */
import { time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import {
  acceptGovernance,
  anchorCheckpoint,
  anchorConflictingCheckpoint,
  changeKmsMeasurement,
  changePlatformAllowance,
  changeTcbStatuses,
  offerGovernance,
  registerKmsIdentity,
  removeKmsIdentity,
} from "./replayPlatformOps";
import {
  approveRandomRelease,
  freezeRandomApp,
  jumpToPendingActivation,
  registerRandomApp,
  revokeRandomRelease,
  updateRandomConfig,
  type ScenarioWorld,
} from "./replayScenario";

interface Operation {
  name: string;
  weight: number;
  run(world: ScenarioWorld): Promise<boolean>;
}

async function jumpInTime(world: ScenarioWorld): Promise<boolean> {
  await time.increase(world.random.pick([1, 30, 3600, 86_400, 3 * 86_400]));
  return true;
}

const OPERATIONS: Operation[] = [
  { name: "registerApp", weight: 7, run: registerRandomApp },
  { name: "approveRelease", weight: 22, run: approveRandomRelease },
  { name: "revokeRelease", weight: 8, run: revokeRandomRelease },
  { name: "updateAppConfig", weight: 8, run: updateRandomConfig },
  { name: "freezeApp", weight: 1, run: freezeRandomApp },
  { name: "time jump", weight: 9, run: jumpInTime },
  { name: "jump to an activation", weight: 4, run: jumpToPendingActivation },
  { name: "setPlatformAllowed", weight: 6, run: changePlatformAllowance },
  { name: "setAllowedTcbStatuses", weight: 3, run: changeTcbStatuses },
  { name: "setKmsMeasurementAllowed", weight: 4, run: changeKmsMeasurement },
  { name: "registerKmsIdentity", weight: 5, run: registerKmsIdentity },
  { name: "removeKmsIdentity", weight: 2, run: removeKmsIdentity },
  { name: "checkpoint", weight: 12, run: anchorCheckpoint },
  { name: "conflicting checkpoint", weight: 3, run: anchorConflictingCheckpoint },
  { name: "transferGovernance", weight: 3, run: offerGovernance },
  { name: "acceptGovernance", weight: 3, run: acceptGovernance },
];

function draw(world: ScenarioWorld): Operation {
  const total = OPERATIONS.reduce((sum, operation) => sum + operation.weight, 0);
  let ticket = world.random.next() * total;
  for (const operation of OPERATIONS) {
    ticket -= operation.weight;
    if (ticket < 0) return operation;
  }
  return OPERATIONS[OPERATIONS.length - 1]!;
}

/**
 * Performs `count` operations, the first a registration, then keeps drawing (half of the time
 * among the operations that never ran) until every operation ran at least once, so every event
 * kind appears whatever the seed. Returns how often each operation ran.
 */
export async function runScenario(world: ScenarioWorld, count: number): Promise<Map<string, number>> {
  const performed = new Map<string, number>();
  const record = (name: string) => performed.set(name, (performed.get(name) ?? 0) + 1);
  await registerRandomApp(world);
  record("registerApp");
  for (let done = 1, attempts = 0; done < count; attempts += 1) {
    if (attempts > count * 20) throw new Error("the scenario keeps drawing operations it cannot perform");
    const operation = draw(world);
    if (await operation.run(world)) {
      record(operation.name);
      done += 1;
    }
  }
  for (let attempts = 0; ; attempts += 1) {
    const missing = OPERATIONS.filter((operation) => !performed.has(operation.name));
    if (missing.length === 0) return performed;
    if (attempts > 500) throw new Error(`the scenario never ran ${missing.map((operation) => operation.name).join(", ")}`);
    const operation = world.random.chance(0.5) ? world.random.pick(missing) : draw(world);
    if (await operation.run(world)) record(operation.name);
  }
}
