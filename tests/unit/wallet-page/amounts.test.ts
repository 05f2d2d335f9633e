import { describe, expect, it } from "vitest";
import { parseTokenAmount } from "@/components/wallet-page/amounts";

describe("parseTokenAmount", () => {
  it.each([
    ["2", 18, 2n * 10n ** 18n],
    [" 0.25 ", 18, 25n * 10n ** 16n],
    [".5", 18, 5n * 10n ** 17n],
    ["1.000001", 6, 1_000_001n],
    ["0.000000000000000001", 18, 1n],
  ])("reads %j with %i decimals", (text, decimals, value) => {
    expect(parseTokenAmount(text, decimals)).toEqual({ ok: true, value });
  });

  it.each([
    ["", /Enter an amount/],
    ["abc", /token units/],
    ["1,5", /token units/],
    ["-1", /token units/],
    ["1e3", /token units/],
    ["0", /above zero/],
    ["0.0000000000000000001", /at most 18 digits/],
    ["9".repeat(60), /too large/],
  ])("refuses %j", (text, reason) => {
    const parsed = parseTokenAmount(text, 18);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? "" : parsed.reason).toMatch(reason);
  });
});
