import { bytesEqual } from "../../core/bytes";
import { isBaseError } from "../../core/errors";
import { parseQuote } from "../../core/attestation/quote";
import type { TdReport } from "../../core/attestation/types";
import { AgentError } from "../errors";
import type { MeasurementProvider } from "./provider";

/**
 * A quote from `provider` over `reportData`, parsed, with its report_data checked. A quote
 * that does not carry our report_data (a confused provider, a raced configfs request) is
 * refused here as `QUOTE_FAILED`, before the KMS sees it.
 */
export async function getBoundQuote(
  provider: MeasurementProvider,
  reportData: Uint8Array,
): Promise<{ quote: Uint8Array; body: TdReport }> {
  let quote: Uint8Array;
  try {
    quote = await provider.getQuote(reportData);
  } catch (error) {
    if (error instanceof AgentError) throw error;
    const reason = isBaseError(error) || error instanceof Error ? error.message : String(error);
    throw new AgentError("QUOTE_FAILED", `the ${provider.kind} quote provider failed: ${reason}`, { cause: error });
  }
  let body: TdReport;
  try {
    body = parseQuote(quote).body;
  } catch (error) {
    throw new AgentError("QUOTE_FAILED", `the ${provider.kind} quote provider returned no TDX quote: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!bytesEqual(body.reportData, reportData)) {
    throw new AgentError("QUOTE_FAILED", `the ${provider.kind} quote provider returned a quote over another report_data`);
  }
  return { quote, body };
}
