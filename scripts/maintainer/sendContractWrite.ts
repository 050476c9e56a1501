import { parseEventLogs, type Abi, type Address, type Hash } from "viem";
import { explainRevert } from "../../core/contracts/explainRevert";
import { MaintainerError } from "./errors";
import { shortMessage, type MaintainerWriter } from "./client";

/** A decoded event from the transaction's receipt. */
export interface DecodedEvent {
  eventName: string;
  args: Record<string, unknown>;
  address: Address;
  logIndex: number;
}

export interface SentTransaction {
  transactionHash: Hash;
  blockNumber: bigint;
  /** The block's timestamp (unix seconds). */
  blockTimestamp: bigint;
  /** Every event the contract emitted in this transaction, in log order. */
  events: DecodedEvent[];
}

export interface SendContractWriteParameters {
  address: Address;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
}

/**
 * The one write path of the maintainer tooling:
 * 1. simulate the call from the writer's account, so a revert is explained in words before
 *    anything is signed or sent (`CONTRACT_REVERTED`, message from `explainRevert`);
 * 2. send it;
 * 3. wait for the receipt (`TRANSACTION_REVERTED` if it still reverted, e.g. a race);
 * 4. decode the contract's events from the receipt.
 */
export async function sendContractWrite(client: MaintainerWriter, parameters: SendContractWriteParameters): Promise<SentTransaction> {
  const call = { ...parameters, account: client.account, chain: client.publicClient.chain } as never;
  let request: unknown;
  try {
    ({ request } = await client.publicClient.simulateContract(call));
  } catch (error) {
    throw asMaintainerError(error, parameters.functionName);
  }
  let transactionHash: Hash;
  try {
    transactionHash = await client.walletClient.writeContract(request as never);
  } catch (error) {
    throw asMaintainerError(error, parameters.functionName);
  }
  let receipt: Awaited<ReturnType<typeof client.publicClient.waitForTransactionReceipt>>;
  let blockTimestamp: bigint;
  try {
    receipt = await client.publicClient.waitForTransactionReceipt({ hash: transactionHash, pollingInterval: client.pollingIntervalMs });
    blockTimestamp = (await client.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp;
  } catch (error) {
    throw new MaintainerError("RPC_FAILED", `transaction ${transactionHash} was sent, but its receipt could not be read: ${shortMessage(error)}; check it before sending again`, {
      cause: error,
    });
  }
  if (receipt.status !== "success") {
    throw new MaintainerError(
      "TRANSACTION_REVERTED",
      `transaction ${transactionHash} (${parameters.functionName}) reverted in block ${receipt.blockNumber} although its simulation passed; the state changed in between, so check it and try again`,
    );
  }
  const own = receipt.logs.filter((log) => log.address.toLowerCase() === parameters.address.toLowerCase());
  const events = parseEventLogs({ abi: parameters.abi, logs: own }).map((log) => ({
    eventName: (log as { eventName: string }).eventName,
    args: (log as { args: Record<string, unknown> }).args,
    address: log.address,
    logIndex: log.logIndex,
  }));
  return { transactionHash, blockNumber: receipt.blockNumber, blockTimestamp, events };
}

/** The first event called `eventName`, or `EVENT_MISSING`. */
export function requireEvent(sent: SentTransaction, eventName: string): DecodedEvent {
  const event = sent.events.find((candidate) => candidate.eventName === eventName);
  if (!event) throw new MaintainerError("EVENT_MISSING", `transaction ${sent.transactionHash} emitted no ${eventName} event`);
  return event;
}

/** A revert becomes CONTRACT_REVERTED with a sentence; anything else is an RPC failure. */
export function asMaintainerError(error: unknown, functionName: string): MaintainerError {
  if (error instanceof MaintainerError) return error;
  const revert = explainRevert(error);
  if (revert) return new MaintainerError("CONTRACT_REVERTED", `${functionName} refused: ${revert.message}`, { cause: error, revert });
  return new MaintainerError("RPC_FAILED", `${functionName} failed: ${shortMessage(error)}`, { cause: error });
}
