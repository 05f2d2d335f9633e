import { describe, expect, it } from "vitest";
import {
  centsToUnits,
  formatToken,
  formatTokenInput,
  isDollarToken,
  priceInputLabel,
} from "@/lib/format";

const DUSD = { symbol: "dUSD", decimals: 6 };
const TKN = { symbol: "TKN", decimals: 18 };
const T = 10n ** 18n;

describe("isDollarToken", () => {
  it.each(["USDC", "USDT", "dUSD", "PYUSD", "USDC.e", "USDbC", "crvUSD", "DAI", "dai", "usdc"])(
    "%s is a dollar token",
    (symbol) => expect(isDollarToken(symbol)).toBe(true),
  );
  it.each(["TKN", "WETH", "EURC", "DAIX", "", "US D"])("%j is not", (symbol) =>
    expect(isDollarToken(symbol)).toBe(false),
  );
});

describe("formatToken of a dollar token", () => {
  it.each([
    [50_000n, "$0.05"],
    [1_500_000n, "$1.50"],
    [1_000n, "$0.001"],
    [30_000n, "$0.03"],
    [1_000_000n, "$1.00"],
    [0n, "$0.00"],
    [1n, "$0.000001"],
    [1_234_567_890_000n, "$1,234,567.89"],
    [
      2n ** 192n - 1n,
      "$6,277,101,735,386,680,763,835,789,423,207,666,416,102,355,444,464,034.512895",
    ],
    [-50_000n, "-$0.05"],
  ])("%s base units → %s", (amount, text) => {
    expect(formatToken(amount, DUSD)).toBe(text);
  });
  it("takes decimal strings and an 18-decimals dollar token (DAI)", () => {
    expect(formatToken("50000", DUSD)).toBe("$0.05");
    expect(formatToken(5n * 10n ** 16n, { symbol: "DAI", decimals: 18 })).toBe("$0.05");
    expect(formatToken(1n, { symbol: "DAI", decimals: 18 })).toBe("$0.000000000000000001");
  });
});

describe("formatToken of another token", () => {
  it.each([
    [(3n * T) / 2n, "1.5 TKN"],
    [T, "1 TKN"],
    [0n, "0 TKN"],
    [1n, "0.000000000000000001 TKN"],
    [10n ** 30n, "1000000000000 TKN"],
  ])("%s base units → %s", (amount, text) => {
    expect(formatToken(amount, TKN)).toBe(text);
  });
  it("shows a token of 0 decimals and one without a symbol", () => {
    expect(formatToken(7n, { symbol: "PTS", decimals: 0 })).toBe("7 PTS");
    expect(formatToken(T, { symbol: "", decimals: 18 })).toBe("1");
  });
});

describe("price inputs", () => {
  it("labels the unit the operator types in", () => {
    expect(priceInputLabel(DUSD)).toBe("Price in USD (e.g. 0.05)");
    expect(priceInputLabel(TKN, "Price per request")).toBe("Price per request in TKN (e.g. 0.25)");
  });
  it("writes base units back as the input takes them", () => {
    expect(formatTokenInput(50_000n, DUSD)).toBe("0.05");
    expect(formatTokenInput(1_234_567_890_000n, DUSD)).toBe("1234567.89");
    expect(formatTokenInput(T / 2n, TKN)).toBe("0.5");
  });
});

describe("centsToUnits", () => {
  it("scales cents by the token's decimals", () => {
    expect(centsToUnits(5, 6)).toBe(50_000n);
    expect(centsToUnits(1, 6)).toBe(10_000n);
    expect(centsToUnits(5n, 18)).toBe(5n * 10n ** 16n);
    expect(centsToUnits(3, 2)).toBe(3n);
  });
  it("refuses a token without cents", () => {
    expect(() => centsToUnits(1, 1)).toThrow("cannot express a cent");
    expect(() => centsToUnits(1, 0)).toThrow("cannot express a cent");
  });
});
