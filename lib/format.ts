import { formatUnits } from "viem";

/**
 * A token's unit for people: its `symbol()` and `decimals()` as read from the chain
 * (lib/chain/token-info.ts on the server; handed to client components as a prop). Amounts stay
 * base units everywhere else.
 */
export interface TokenUnit {
  symbol: string;
  decimals: number;
}

/** Amounts in base units with no symbol: the label when the token cannot be read. */
export const BASE_UNITS: TokenUnit = { symbol: "base units", decimals: 0 };

/**
 * Whether amounts of this token are shown as dollars: its symbol contains "USD" (USDC, USDT, dUSD,
 * PYUSD, USDbC, FDUSD, crvUSD …) or is DAI, case-insensitive. A symbol is only a claim of the
 * token's deployer; the operator chose the token, so the site trusts its own deployment's name.
 */
export function isDollarToken(symbol: string): boolean {
  return /usd/i.test(symbol) || /^dai$/i.test(symbol);
}

/** `"1234567"` → `"1,234,567"`. */
const group = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/**
 * Formats token base units for people in the token's own unit: a dollar token
 * ({@link isDollarToken}) as dollars with at least two decimals and every significant digit
 * (`50000n` of a 6-decimals dUSD → `"$0.05"`, `1500000n` → `"$1.50"`, `1000n` → `"$0.001"`), any
 * other token as its amount and symbol (`1500000000000000000n` of TKN → `"1.5 TKN"`).
 *
 * @example
 * formatToken(50_000n, { symbol: "USDC", decimals: 6 }); // "$0.05"
 */
export function formatToken(amount: bigint | string, unit: TokenUnit): string {
  const value = BigInt(amount);
  const text = formatUnits(value < 0n ? -value : value, unit.decimals);
  const sign = value < 0n ? "-" : "";
  if (!isDollarToken(unit.symbol)) return `${sign}${text}${unit.symbol ? ` ${unit.symbol}` : ""}`;
  const [whole, fraction = ""] = text.split(".");
  return `${sign}$${group(whole!)}.${fraction.padEnd(2, "0")}`;
}

/** The unit an amount input is typed in: `"USD"` for a dollar token, else its symbol. */
export function inputUnit(unit: TokenUnit): string {
  return isDollarToken(unit.symbol) ? "USD" : unit.symbol;
}

/**
 * The label of a price input, naming the unit the operator types in: `"Price in USD (e.g. 0.05)"`
 * for a dollar token, `"Price in TKN (e.g. 0.25)"` otherwise.
 */
export function priceInputLabel(unit: TokenUnit, what = "Price"): string {
  return isDollarToken(unit.symbol)
    ? `${what} in USD (e.g. 0.05)`
    : `${what} in ${inputUnit(unit) || "tokens"} (e.g. 0.25)`;
}

/**
 * Base units as the operator types them back into a price input (`50000n` of dUSD → `"0.05"`,
 * no `$`, no grouping): the default value of an edit form.
 */
export function formatTokenInput(amount: bigint | string, unit: TokenUnit): string {
  return formatUnits(BigInt(amount), unit.decimals);
}

/**
 * `cents` hundredths of one whole token in base units: `centsToUnits(5, 6)` → `50000n` (5 cents
 * of a 6-decimals dollar token), `centsToUnits(5, 18)` → `5n * 10n ** 16n`.
 *
 * @throws Error for a token of fewer than 2 decimals (it has no cents)
 */
export function centsToUnits(cents: number | bigint, decimals: number): bigint {
  if (!Number.isInteger(decimals) || decimals < 2)
    throw new Error(`a token of ${decimals} decimals cannot express a cent`);
  return BigInt(cents) * 10n ** BigInt(decimals - 2);
}

/** JSON for a `<script type="application/json">` block (no `</script>` breakout). */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}
