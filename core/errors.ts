/**
 * One error base for the whole code base. Each domain narrows `Code` to a literal union
 * (`QuoteErrorCode`, `PolicyErrorCode`, ...) so callers and tests can switch on `code`
 * and HTTP can map codes to statuses in one table. Never throw strings.
 */
export class BaseError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }

  toJSON(): { code: Code; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** True when `error` is a BaseError (optionally of a given class). */
export function isBaseError(error: unknown): error is BaseError {
  return error instanceof BaseError;
}

/** A usage error in a CLI or config: exit code 2 / HTTP 400 at the edges. */
export type UsageErrorCode = "USAGE" | "CONFIG_INVALID";
export class UsageError extends BaseError<UsageErrorCode> {}
