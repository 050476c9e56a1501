import { describe, expect, it } from "vitest";
import { toHex, utf8 } from "../../core/bytes";
import { HASH_SIZE, emptyRoot, leafHash, nodeHash, sha256 } from "../../core/merkle";

describe("merkle hashing (RFC 6962 §2.1)", () => {
  it("sha256 matches the FIPS 180-2 'abc' vector", () => {
    expect(toHex(sha256(utf8("abc")))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("the empty tree's root is SHA-256 of the empty string", () => {
    expect(toHex(emptyRoot())).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("emptyRoot returns a fresh copy each call, so a caller cannot corrupt it", () => {
    const first = emptyRoot();
    first.fill(0);
    expect(toHex(emptyRoot())).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("a leaf hash is SHA-256(0x00 ‖ data)", () => {
    expect(toHex(leafHash(new Uint8Array(0)))).toBe("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    const data = utf8("basekms");
    expect(leafHash(data)).toEqual(sha256(Uint8Array.of(0, ...data)));
  });

  it("a node hash is SHA-256(0x01 ‖ left ‖ right)", () => {
    const left = sha256(utf8("left"));
    const right = sha256(utf8("right"));
    expect(nodeHash(left, right)).toEqual(sha256(Uint8Array.of(1, ...left, ...right)));
    expect(nodeHash(left, right)).not.toEqual(nodeHash(right, left));
  });

  it("separates leaves from nodes: a 64-byte leaf never hashes like the node of its halves", () => {
    const left = sha256(utf8("a"));
    const right = sha256(utf8("b"));
    expect(leafHash(Uint8Array.of(...left, ...right))).not.toEqual(nodeHash(left, right));
  });

  it("returns plain 32-byte Uint8Arrays", () => {
    const hash = leafHash(utf8("x"));
    expect(hash).toBeInstanceOf(Uint8Array);
    expect(hash.length).toBe(HASH_SIZE);
  });
});
