/** The wire schemas every boundary uses: bounds, normal forms and the messages clients see. */
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  addressSchema,
  bytes32Schema,
  chainIdSchema,
  MAX_UINT192,
  MAX_UINT32,
  openBlockSchema,
  privateKeySchema,
  signatureSchema,
  uint192InputSchema,
  uint192Schema,
} from "@/lib/protocol/wire";

const CHECKSUMMED = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

/** The first issue's message, or the parsed value. */
function parse(schema: z.ZodType, value: unknown): { ok: unknown } | { error: string } {
  const r = schema.safeParse(value);
  return r.success ? { ok: r.data } : { error: r.error.issues[0]!.message };
}

describe("uint192Schema", () => {
  it.each([
    ["0", 0n],
    ["5", 5n],
    [MAX_UINT192.toString(), MAX_UINT192],
    // Zero padding is still decimal digits: the same value.
    [`${"0".repeat(30)}7`, 7n],
    [` 12 `, 12n],
  ])("reads %s", (text, value) => expect(parse(uint192Schema, text)).toEqual({ ok: value }));

  it.each([
    "",
    "-1",
    "+1",
    "1.5",
    "1e3",
    "0x10",
    "5 5",
    "five",
    (MAX_UINT192 + 1n).toString(),
    "9".repeat(81),
    "1".repeat(50_000),
  ])("refuses %j", (text) => {
    expect(parse(uint192Schema, text)).toEqual({
      error: "must be a decimal integer between 0 and 2^192-1",
    });
  });
});

describe("uint192InputSchema (request bodies)", () => {
  it.each([
    ["5", 5n],
    [5, 5n],
    [Number.MAX_SAFE_INTEGER, BigInt(Number.MAX_SAFE_INTEGER)],
  ])("reads %j", (value, expected) =>
    expect(parse(uint192InputSchema, value)).toEqual({ ok: expected }),
  );

  const typeMessage =
    "must be a decimal integer between 0 and 2^192-1, as a string or a safe JSON integer";
  it.each([
    ["-1", "must be a decimal integer between 0 and 2^192-1"],
    ["1.5", "must be a decimal integer between 0 and 2^192-1"],
    [-1, typeMessage],
    [1.5, typeMessage],
    // Above 2^53 a JSON number has already lost digits: it must come as a string.
    [2 ** 60, typeMessage],
    [null, typeMessage],
    [true, typeMessage],
  ])("refuses %j", (value, message) => {
    expect(parse(uint192InputSchema, value)).toEqual({ error: message });
  });
});

describe("openBlockSchema", () => {
  it.each([
    ["1", 1],
    [MAX_UINT32.toString(), 2 ** 32 - 1],
    ["0000000000042", 42],
  ])("reads %s", (text, value) => expect(parse(openBlockSchema, text)).toEqual({ ok: value }));

  it.each(["0", "-1", (MAX_UINT32 + 1n).toString(), "1.5", "abc", "9".repeat(81)])(
    "refuses %j",
    (text) =>
      expect(parse(openBlockSchema, text)).toEqual({
        error: "must be a block number between 1 and 2^32-1",
      }),
  );
});

describe("hex and address values", () => {
  it("checksums an address in any case and refuses what is not one", () => {
    expect(parse(addressSchema, CHECKSUMMED.toLowerCase())).toEqual({ ok: CHECKSUMMED });
    for (const bad of ["0x1234", `0x${"g".repeat(40)}`, CHECKSUMMED.slice(2), ""]) {
      expect(parse(addressSchema, bad)).toEqual({
        error: "must be a 0x-prefixed 20-byte address",
      });
    }
  });

  it("lower-cases a 65-byte signature and refuses other lengths", () => {
    expect(parse(signatureSchema, `0x${"AB".repeat(65)}`)).toEqual({ ok: `0x${"ab".repeat(65)}` });
    for (const bad of ["0x", `0x${"ab".repeat(64)}`, `0x${"ab".repeat(66)}`, "ab".repeat(65)]) {
      expect(parse(signatureSchema, bad)).toEqual({
        error: "must be a 65-byte signature as 0x-hex (132 characters)",
      });
    }
  });

  it("reads 32-byte hex (nonces, block hashes) and private keys", () => {
    expect(parse(bytes32Schema, `0x${"CD".repeat(32)}`)).toEqual({ ok: `0x${"cd".repeat(32)}` });
    expect(parse(bytes32Schema, "0x1234")).toEqual({ error: "must be 0x-prefixed 32-byte hex" });
    const key = `0x${"11".repeat(32)}`;
    expect(parse(privateKeySchema, `${key}\n`)).toEqual({ ok: key });
    expect(parse(privateKeySchema, key.slice(0, -2))).toEqual({
      error: "must be a 0x-prefixed 32-byte hex private key",
    });
  });

  it("reads a positive chain id", () => {
    expect(parse(chainIdSchema, "31337")).toEqual({ ok: 31337 });
    for (const bad of ["0", "-1", "0x7a69", "99999999999999999"]) {
      expect(parse(chainIdSchema, bad)).toEqual({ error: "must be a positive decimal chain id" });
    }
  });
});
