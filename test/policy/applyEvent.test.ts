import { describe, expect, it } from "vitest";
import { PolicyReplayError } from "../../core/policy/errors";
import { applyPolicyEvent, replayPolicyEvents } from "../../core/policy/applyEvent";
import { emptyPolicyState } from "../../core/policy/state";
import { APP, approved, hash32, registered } from "./helpers/events";

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyReplayError);
    return (error as PolicyReplayError).code;
  }
}

describe("applyPolicyEvent", () => {
  it("refuses an event that is not strictly after the previous one, including the same log twice", () => {
    const state = replayPolicyEvents([registered(), approved(3, hash32(1), 0)]);
    expect(codeOf(() => applyPolicyEvent(state, approved(2, hash32(2), 0)))).toBe("REPLAY_EVENT_OUT_OF_ORDER");
    expect(codeOf(() => applyPolicyEvent(state, approved(3, hash32(2), 0)))).toBe("REPLAY_EVENT_OUT_OF_ORDER");
    expect(codeOf(() => applyPolicyEvent(state, { ...approved(3, hash32(2), 0), logIndex: 1 }))).toBeUndefined();
  });

  it("never changes the state it is given", () => {
    const before = replayPolicyEvents([registered()]);
    const snapshot = structuredClone(before);
    const after = applyPolicyEvent(before, approved(2, hash32(1), 0));
    expect(before).toEqual(snapshot);
    expect(before.apps.get(APP)!.releases.size).toBe(0);
    expect(after.apps.get(APP)!.releases.size).toBe(1);
  });

  it("gives the same state for the same events, every time", () => {
    const events = [registered(), approved(2, hash32(1), 0), approved(3, hash32(2), 0)];
    expect(replayPolicyEvents(events)).toEqual(replayPolicyEvents(events));
    expect(replayPolicyEvents(events)).toEqual(events.reduce(applyPolicyEvent, emptyPolicyState()));
  });

  it("records the position of the last event applied", () => {
    expect(replayPolicyEvents([registered(), { ...approved(4, hash32(1), 0), logIndex: 7 }]).lastEvent).toEqual({
      blockNumber: 4n,
      logIndex: 7,
    });
  });
});
