import { BaseError } from "../../../core/errors";

/**
 * Why the demo stopped: an outcome it checks came out otherwise (the stack did not do what
 * basekms promises), a wait timed out, or Ctrl-C.
 */
export type DemoErrorCode = "DEMO_EXPECTATION_FAILED" | "DEMO_TIMEOUT" | "DEMO_INTERRUPTED";
export class DemoError extends BaseError<DemoErrorCode> {}

/** Fails the demo unless `condition` holds; `what` states the rule that was broken. */
export function expectOutcome(condition: boolean, what: string): asserts condition {
  if (!condition) throw new DemoError("DEMO_EXPECTATION_FAILED", what);
}
