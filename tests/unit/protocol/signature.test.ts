import { describe, expect, it } from "vitest";
import {
  isLowS,
  normalizeSignature,
  parseSignatureHex,
  SECP256K1_HALF_N,
  SECP256K1_N,
  serializeSignature,
} from "@/lib/protocol";
import { highSTwin, malformedSignatures, N, PINNED, withParts } from "./fixtures";

const valid = PINNED.balanceProofSignature;

describe("parseSignatureHex", () => {
  it("splits a valid signature into r, s, v", () => {
    expect(parseSignatureHex(valid)).toEqual({
      ok: true,
      r: `0x${valid.slice(2, 66)}`,
      s: `0x${valid.slice(66, 130)}`,
      v: 27,
      yParity: 0,
    });
  });

  it("accepts upper-case hex digits and returns lower case", () => {
    const upper = `0x${valid.slice(2).toUpperCase()}`;
    const parsed = parseSignatureHex(upper);
    expect(parsed.ok && serializeSignature(parsed)).toBe(valid);
  });

  it.each(malformedSignatures(valid))("rejects $name as $reason", ({ signature, reason }) => {
    expect(parseSignatureHex(signature)).toEqual({ ok: false, reason });
  });

  it("accepts s = n/2 exactly (the EIP-2 boundary)", () => {
    expect(parseSignatureHex(withParts(valid, { s: SECP256K1_HALF_N })).ok).toBe(true);
  });

  it("rejects non-string input as hex", () => {
    expect(parseSignatureHex(undefined as unknown as string)).toEqual({ ok: false, reason: "hex" });
  });
});

describe("isLowS", () => {
  it.each([
    [1n, true],
    [SECP256K1_HALF_N, true],
    [SECP256K1_HALF_N + 1n, false],
    [SECP256K1_N - 1n, false],
  ])("isLowS(%s) = %s", (s, expected) => {
    expect(isLowS(s)).toBe(expected);
    expect(isLowS(`0x${s.toString(16)}`)).toBe(expected);
  });

  it("uses the secp256k1 order", () => {
    expect(SECP256K1_N).toBe(N);
  });
});

describe("normalizeSignature (signing side only)", () => {
  it("keeps a canonical signature", () => {
    expect(normalizeSignature(valid)).toEqual({ ok: true, signature: valid });
  });

  it("maps v 0/1 to 27/28", () => {
    expect(normalizeSignature(withParts(valid, { v: 0 }))).toEqual({ ok: true, signature: valid });
    const v28 = withParts(valid, { v: 28 });
    expect(normalizeSignature(withParts(valid, { v: 1 }))).toEqual({ ok: true, signature: v28 });
  });

  it("turns high s into n − s with v flipped", () => {
    expect(normalizeSignature(highSTwin(valid))).toEqual({ ok: true, signature: valid });
  });

  it.each([
    ["v = 29", withParts(valid, { v: 29 }), "v"],
    ["s = n", withParts(valid, { s: N }), "range"],
    ["short", valid.slice(0, -2), "length"],
    ["non-hex", valid.replace("a", "z"), "hex"],
  ])("still rejects %s", (_name, signature, reason) => {
    expect(normalizeSignature(signature)).toEqual({ ok: false, reason });
  });
});
