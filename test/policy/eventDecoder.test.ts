import { describe, expect, it } from "vitest";
import { decodeEventLog, encodeAbiParameters, encodeEventTopics, type Hex } from "viem";
import { appRegistryAbi } from "../../core/contracts/generated/AppRegistry";
import { platformPolicyAbi } from "../../core/contracts/generated/PlatformPolicy";
import { compileEventDecoder, compileEventDecoders, EventDecodeError, type AbiEventItem } from "../../core/policy/eventDecoder";

/**
 * The compiled decoder against viem's `decodeEventLog`, on random values of every event of both
 * policy ABIs (seeded, so a failure repeats), then its refusals.
 */
let seed = 0x5eed_1234;
function random(): number {
  seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
  return seed;
}
function randomHex(bytes: number): Hex {
  let hex = "";
  for (let index = 0; index < bytes; index += 1) hex += (random() & 0xff).toString(16).padStart(2, "0");
  return `0x${hex}`;
}
/** Random values that exercise each type's edges: zero, the maximum, and random in between. */
function randomValue(type: string): unknown {
  const pick = random() % 4;
  if (type === "address") return randomHex(20);
  if (type === "bool") return pick % 2 === 0;
  if (type === "address[]") return Array.from({ length: random() % 5 }, () => randomHex(20));
  if (type === "bytes") return randomHex(random() % 97);
  const bytes = /^bytes(\d+)$/.exec(type);
  if (bytes) return randomHex(Number(bytes[1]));
  const bits = Number(/^uint(\d+)$/.exec(type)![1]);
  const max = (1n << BigInt(bits)) - 1n;
  const value = pick === 0 ? 0n : pick === 1 ? max : BigInt(randomHex(32)) & max;
  return bits <= 48 ? Number(value) : value;
}

const events = ([...appRegistryAbi, ...platformPolicyAbi] as readonly { readonly type: string }[]).filter((item): item is AbiEventItem => item.type === "event");

function encode(event: AbiEventItem, args: Record<string, unknown>): { topics: Hex[]; data: Hex } {
  const topics = (encodeEventTopics as (parameters: never) => Hex[])({ abi: [event], eventName: event.name, args } as never);
  const plain = event.inputs.filter((input) => !input.indexed);
  return { topics, data: encodeAbiParameters(plain, plain.map((input) => args[input.name]) as never) };
}

/** viem's answer with addresses and bytes lowercased, the decoder's convention. */
function lowercase(value: unknown): unknown {
  if (typeof value === "string") return value.toLowerCase();
  if (Array.isArray(value)) return value.map(lowercase);
  return value;
}

describe("compiled event decoder", () => {
  it("covers every event of both policy ABIs", () => {
    expect(events.map((event) => event.name)).toEqual(
      expect.arrayContaining(["AppRegistered", "ReleaseApproved", "ReleaseRevoked", "AppConfigUpdated", "AppFrozen", "CheckpointConflicted", "KmsIdentityRegistered"]),
    );
    expect(compileEventDecoders(appRegistryAbi).size + compileEventDecoders(platformPolicyAbi).size).toBe(events.length);
  });

  for (const event of events) {
    it(`decodes ${event.name} exactly as viem does`, () => {
      const decode = compileEventDecoder(event);
      for (let round = 0; round < 50; round += 1) {
        const args = Object.fromEntries(event.inputs.map((input) => [input.name, randomValue(input.type)]));
        const { topics, data } = encode(event, args);
        const reference = decodeEventLog({ abi: [event], topics: topics as [Hex, ...Hex[]], data, strict: true });
        const ours = decode(topics, data);
        expect(ours.eventName).toBe(reference.eventName);
        expect(ours.args).toEqual(Object.fromEntries(Object.entries(reference.args ?? {}).map(([name, value]) => [name, lowercase(value)])));
        // Value types match viem's, not only values: numbers up to 48 bits, bigints above.
        for (const [name, value] of Object.entries(reference.args ?? {})) expect(typeof ours.args[name]).toBe(typeof value);
      }
    });
  }
});

describe("compiled event decoder refusals", () => {
  const approved = events.find((event) => event.name === "ReleaseApproved")!;
  const conflicted = events.find((event) => event.name === "CheckpointConflicted")!;
  const toggled = events.find((event) => event.name === "PlatformAllowanceChanged")!;
  const args = Object.fromEntries(approved.inputs.map((input) => [input.name, randomValue(input.type)]));
  const good = encode(approved, { ...args, signers: [randomHex(20), randomHex(20)] });
  const decode = compileEventDecoder(approved);
  const word = (data: Hex, index: number) => data.slice(2 + 64 * index, 2 + 64 * (index + 1));
  const setWord = (data: Hex, index: number, value: string): Hex => `0x${data.slice(2, 2 + 64 * index)}${value}${data.slice(2 + 64 * (index + 1))}`;

  function refusal(run: () => unknown): string {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(EventDecodeError);
      return (error as Error).message;
    }
    throw new Error("expected a refusal");
  }

  it("accepts the untouched log", () => {
    expect(decode(good.topics, good.data).eventName).toBe("ReleaseApproved");
  });
  it("refuses a missing or an extra topic", () => {
    expect(refusal(() => decode(good.topics.slice(0, 2), good.data))).toMatch(/topics/);
    expect(refusal(() => decode([...good.topics, randomHex(32)], good.data))).toMatch(/topics/);
  });
  it("refuses another event's topic0", () => {
    expect(refusal(() => decode([randomHex(32), ...good.topics.slice(1)], good.data))).toMatch(/topic0/);
  });
  it("refuses a bytes20 topic with dirty low bytes", () => {
    const topics = [...good.topics];
    topics[1] = `${topics[1]!.slice(0, 64)}ff` as Hex;
    expect(refusal(() => decode(topics, good.data))).toMatch(/dirty low bytes/);
  });
  it("refuses a uint64 word wider than 64 bits", () => {
    expect(refusal(() => decode(good.topics, setWord(good.data, 1, `01${word(good.data, 1).slice(2)}`)))).toMatch(/exceeds 64 bits/);
  });
  it("refuses an address with dirty high bytes", () => {
    const signersAt = parseInt(word(good.data, 3), 16) / 32;
    expect(refusal(() => decode(good.topics, setWord(good.data, signersAt + 1, `ff${word(good.data, signersAt + 1).slice(2)}`)))).toMatch(/dirty high bytes/);
  });
  it("refuses a dynamic offset or length pointing outside the data", () => {
    expect(refusal(() => decode(good.topics, setWord(good.data, 3, (0x1000).toString(16).padStart(64, "0"))))).toMatch(/offset out of range/);
    const signersAt = parseInt(word(good.data, 3), 16) / 32;
    expect(refusal(() => decode(good.topics, setWord(good.data, signersAt, (50).toString(16).padStart(64, "0"))))).toMatch(/past the end/);
  });
  it("refuses truncated data and data that is not whole words", () => {
    expect(refusal(() => decode(good.topics, good.data.slice(0, 2 + 64 * 2) as Hex))).toMatch(/shorter/);
    expect(refusal(() => decode(good.topics, `${good.data}00` as Hex))).toMatch(/whole 32-byte words/);
    expect(refusal(() => decode(good.topics, `${good.data.slice(0, -2)}zz` as Hex))).toMatch(/whole 32-byte words/);
  });
  it("refuses a bool that is neither 0 nor 1", () => {
    const log = encode(toggled, { platformHash: randomHex(32), allowed: true });
    expect(refusal(() => compileEventDecoder(toggled)(log.topics, setWord(log.data, 0, "2".padStart(64, "0"))))).toMatch(/bool/);
  });
  it("refuses bytes with non-zero padding", () => {
    const log = encode(conflicted, { kms: randomHex(20), treeSize: 9n, recordedRoot: randomHex(32), conflictingRoot: randomHex(32), signature: randomHex(65) });
    const tampered = `${log.data.slice(0, -2)}01` as Hex;
    expect(refusal(() => compileEventDecoder(conflicted)(log.topics, tampered))).toMatch(/padding/);
  });
  it("refuses to compile an event with a type it does not know", () => {
    expect(() => compileEventDecoder({ type: "event", name: "Odd", inputs: [{ name: "x", type: "int256" }] })).toThrow(/unsupported/);
  });
});
