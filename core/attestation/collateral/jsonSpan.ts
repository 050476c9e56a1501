import { malformed } from "./strictJson";

/**
 * Finds the exact source text of one top-level member's value in a JSON object, e.g. the
 * `tcbInfo` of a PCS response `{"tcbInfo":{...},"signature":"..."}`. Intel signs those bytes
 * as served, so they must be cut out, never re-serialized (key order, spacing and number
 * spelling would all be at risk).
 *
 * The scanner is a full JSON grammar check (RFC 8259) that only records spans. It refuses
 * trailing data, a duplicated target member (which value would the signature cover?), and
 * nesting deeper than `MAX_DEPTH` (so hostile input cannot blow the stack).
 */
export function memberValueText(json: string, member: string): string {
  const scanner = new SpanScanner(json);
  let found: string | undefined;
  scanner.skipWhitespace();
  scanner.expect("{");
  scanner.skipWhitespace();
  if (scanner.peek() === "}") {
    scanner.position++;
  } else {
    for (;;) {
      const keyStart = scanner.position;
      scanner.scanString();
      const key = JSON.parse(json.slice(keyStart, scanner.position)) as string;
      scanner.skipWhitespace();
      scanner.expect(":");
      scanner.skipWhitespace();
      const valueStart = scanner.position;
      scanner.scanValue(1);
      if (key === member) {
        if (found !== undefined) throw malformed(`response has member "${member}" twice`);
        found = json.slice(valueStart, scanner.position);
      }
      scanner.skipWhitespace();
      if (scanner.peek() === ",") {
        scanner.position++;
        scanner.skipWhitespace();
        continue;
      }
      scanner.expect("}");
      break;
    }
  }
  scanner.skipWhitespace();
  if (scanner.position !== json.length) throw malformed("response has data after the JSON object");
  if (found === undefined) throw malformed(`response has no member "${member}"`);
  return found;
}

const MAX_DEPTH = 64;
const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4_RE = /^[0-9a-fA-F]{4}$/;

class SpanScanner {
  position = 0;

  constructor(private readonly text: string) {}

  peek(): string | undefined {
    return this.text[this.position];
  }

  expect(char: string): void {
    if (this.text[this.position] !== char) this.fail(`expected '${char}'`);
    this.position++;
  }

  skipWhitespace(): void {
    for (;;) {
      const char = this.text[this.position];
      if (char !== " " && char !== "\t" && char !== "\n" && char !== "\r") return;
      this.position++;
    }
  }

  scanValue(depth: number): void {
    if (depth > MAX_DEPTH) this.fail("nesting too deep");
    const char = this.peek();
    if (char === "{") return this.scanContainer("}", depth, true);
    if (char === "[") return this.scanContainer("]", depth, false);
    if (char === '"') return this.scanString();
    for (const literal of ["true", "false", "null"]) {
      if (this.text.startsWith(literal, this.position)) {
        this.position += literal.length;
        return;
      }
    }
    NUMBER_RE.lastIndex = this.position;
    const number = NUMBER_RE.exec(this.text);
    if (!number || number[0].length === 0) this.fail("expected a JSON value");
    this.position += number[0].length;
  }

  /** An object (members `"key": value`) or an array (bare values). */
  private scanContainer(close: "}" | "]", depth: number, isObject: boolean): void {
    this.position++;
    this.skipWhitespace();
    if (this.peek() === close) {
      this.position++;
      return;
    }
    for (;;) {
      if (isObject) {
        this.scanString();
        this.skipWhitespace();
        this.expect(":");
        this.skipWhitespace();
      }
      this.scanValue(depth + 1);
      this.skipWhitespace();
      if (this.peek() === ",") {
        this.position++;
        this.skipWhitespace();
        continue;
      }
      this.expect(close);
      return;
    }
  }

  scanString(): void {
    this.expect('"');
    for (;;) {
      const char = this.text[this.position];
      if (char === undefined) this.fail("unterminated string");
      this.position++;
      if (char === '"') return;
      if (char < " ") this.fail("control character in string");
      if (char !== "\\") continue;
      const escape = this.text[this.position];
      this.position++;
      if (escape === "u") {
        if (!HEX4_RE.test(this.text.slice(this.position, this.position + 4))) this.fail("bad \\u escape");
        this.position += 4;
      } else if (escape === undefined || !'"\\/bfnrt'.includes(escape)) {
        this.fail("bad escape");
      }
    }
  }

  private fail(what: string): never {
    throw malformed(`response is not valid JSON: ${what} at offset ${this.position}`);
  }
}
