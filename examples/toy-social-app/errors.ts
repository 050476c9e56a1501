import { BaseError } from "../../core/errors";

/** The toy app's failures, with stable codes. */
export type ToyAppErrorCode = "APP_COMPOSE_ENDPOINTS_INVALID" | "SEALED_RECORDS_INVALID";
export class ToyAppError extends BaseError<ToyAppErrorCode> {}
