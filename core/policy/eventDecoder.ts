/**
 * A compiled decoder for one Solidity event of the policy ABIs, working on the hex strings that
 * `eth_getLogs` returns. viem's `decodeEventLog` costs about 25 µs a log (it re-walks the ABI item
 * and builds byte arrays), which made decoding, not the node, the larger part of reading a long
 * history; this decoder slices the hex directly and costs about 1 µs.
 *
 * It covers exactly the types the policy events use (bytesN, address, uintN, bool, address[],
 * bytes) and throws on anything else at compile time, so a new event type cannot be decoded
 * silently wrong. Decoding is strict: the topic count must match the indexed inputs, every word
 * must be canonical (zero padding where Solidity writes zeros), and dynamic offsets and lengths
 * must stay inside the data. Results have viem's value types (numbers for uint ≤ 48 bits,
 * bigints above), with hex in lowercase. test/policy/eventDecoder.test.ts checks it against
 * viem's decoder on random values of every policy event.
 */
import { toEventSelector } from "viem";

export interface AbiEventInput {
  readonly name: string;
  readonly type: string;
  readonly indexed?: boolean;
}

export interface AbiEventItem {
  readonly type: "event";
  readonly name: string;
  readonly inputs: readonly AbiEventInput[];
}

export interface DecodedEvent {
  readonly eventName: string;
  readonly args: Record<string, unknown>;
}

export type EventDecoder = (topics: readonly string[], data: string) => DecodedEvent;

/** Why a log does not decode; the caller wraps it in its own error type. */
export class EventDecodeError extends Error {
  override readonly name = "EventDecodeError";
}

const WORD = 64; // hex characters in a 32-byte word
const HEX_WORD = /^[0-9a-f]{64}$/;
const ZERO_WORD = "0".repeat(WORD);
const ONE_WORD = `${"0".repeat(WORD - 1)}1`;
/** A head or length word must fit in 32 bits: its first 56 hex characters are zero. */
const HIGH_ZEROS = "0".repeat(56);

type WordReader = (word: string) => unknown;

function fail(message: string): never {
  throw new EventDecodeError(message);
}

/** Reads one canonical 32-byte word (64 lowercase hex characters) as `type`. */
function wordReader(type: string): WordReader {
  if (type === "address") {
    return (word) => (word.startsWith("000000000000000000000000") ? `0x${word.slice(24)}` : fail("address word has dirty high bytes"));
  }
  if (type === "bool") {
    return (word) => {
      if (word === ONE_WORD) return true;
      if (word === ZERO_WORD) return false;
      return fail("bool word is neither 0 nor 1");
    };
  }
  const bytes = /^bytes([1-9]|[12][0-9]|3[0-2])$/.exec(type);
  if (bytes) {
    const size = Number(bytes[1]) * 2;
    const padding = "0".repeat(WORD - size);
    return (word) => (word.endsWith(padding) ? `0x${word.slice(0, size)}` : fail(`${type} word has dirty low bytes`));
  }
  const uint = /^uint(8|16|24|32|40|48|56|64|72|80|88|96|104|112|120|128|136|144|152|160|168|176|184|192|200|208|216|224|232|240|248|256)$/.exec(type);
  if (uint) {
    const bits = Number(uint[1]);
    const zeros = "0".repeat(WORD - bits / 4);
    const check = (word: string) => word.startsWith(zeros) || fail(`${type} word exceeds ${bits} bits`);
    // viem's convention: uint up to 48 bits is a number, wider is a bigint.
    return bits <= 48 ? (word) => check(word) && parseInt(word.slice(WORD - bits / 4), 16) : (word) => check(word) && BigInt(`0x${word}`);
  }
  throw new Error(`eventDecoder: unsupported static type ${type}`);
}

/** Reads a non-indexed input starting at word `slot` of `data` (hex without 0x). */
type DataReader = (data: string, slot: number) => unknown;

function dataReader(type: string): DataReader {
  if (type === "address[]") {
    const element = wordReader("address");
    return (data, slot) => {
      const start = dynamicStart(data, slot);
      const length = lengthAt(data, start, WORD);
      const values: unknown[] = new Array(length);
      for (let index = 0; index < length; index += 1) values[index] = element(wordAt(data, start + WORD * (index + 1)));
      return values;
    };
  }
  if (type === "bytes") {
    return (data, slot) => {
      const start = dynamicStart(data, slot);
      const length = lengthAt(data, start, 2);
      const body = start + WORD;
      const padded = Math.ceil(length / 32) * WORD;
      if (body + padded > data.length) fail("bytes run past the end of the data");
      if (!/^0*$/.test(data.slice(body + length * 2, body + padded))) fail("bytes padding is not zero");
      return `0x${data.slice(body, body + length * 2)}`;
    };
  }
  const read = wordReader(type);
  return (data, slot) => read(wordAt(data, slot * WORD));
}

function wordAt(data: string, offset: number): string {
  const word = data.slice(offset, offset + WORD);
  if (word.length !== WORD) fail("data is shorter than its layout");
  return word;
}

/** Hex offset of a dynamic value whose head word is at `slot`. */
function dynamicStart(data: string, slot: number): number {
  const head = wordAt(data, slot * WORD);
  if (!head.startsWith(HIGH_ZEROS)) fail("dynamic offset out of range");
  const offset = parseInt(head.slice(56), 16);
  if (offset % 32 !== 0 || offset * 2 + WORD > data.length) fail("dynamic offset out of range");
  return offset * 2;
}

/** The length word at hex offset `start`, checked to fit the data at `charsPerItem` each. */
function lengthAt(data: string, start: number, charsPerItem: number): number {
  const word = wordAt(data, start);
  if (!word.startsWith(HIGH_ZEROS)) fail("dynamic length out of range");
  const length = parseInt(word.slice(56), 16);
  if (start + WORD + length * charsPerItem > data.length) fail("dynamic length runs past the end of the data");
  return length;
}

/** Compiles `event` into a decoder for logs whose topic0 is its selector. */
export function compileEventDecoder(event: AbiEventItem): EventDecoder {
  const selector = toEventSelector(event as never);
  const indexed = event.inputs.filter((input) => input.indexed === true).map((input) => ({ name: input.name, read: wordReader(input.type) }));
  const plain = event.inputs.filter((input) => input.indexed !== true).map((input, slot) => ({ name: input.name, slot, read: dataReader(input.type) }));
  const topicCount = indexed.length + 1;
  return (topics, rawData) => {
    if (topics.length !== topicCount) fail(`${event.name} has ${topicCount} topics, the log ${topics.length}`);
    if (topics[0]!.toLowerCase() !== selector) fail(`topic0 is not ${event.name}`);
    const args: Record<string, unknown> = {};
    for (let index = 0; index < indexed.length; index += 1) {
      const topic = topics[index + 1]!.toLowerCase();
      const word = topic.slice(2);
      if (!topic.startsWith("0x") || !HEX_WORD.test(word)) fail("a topic is not a 32-byte word");
      args[indexed[index]!.name] = indexed[index]!.read(word);
    }
    const data = rawData.toLowerCase();
    if (!data.startsWith("0x") || (data.length - 2) % WORD !== 0 || !/^[0-9a-f]*$/.test(data.slice(2))) fail("data is not whole 32-byte words");
    const body = data.slice(2);
    for (const input of plain) args[input.name] = input.read(body, input.slot);
    return { eventName: event.name, args };
  };
}

/** topic0 → decoder, for every event of `abi`. */
export function compileEventDecoders(abi: readonly { readonly type: string }[]): ReadonlyMap<string, EventDecoder> {
  const events = abi.filter((item): item is AbiEventItem => item.type === "event");
  return new Map(events.map((event) => [toEventSelector(event as never), compileEventDecoder(event)]));
}
