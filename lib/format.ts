import { formatUnits } from "viem";

/** The site token's symbol and decimals (the demo token's; labels only, amounts stay base units). */
export const TOKEN_SYMBOL = "TKN";
export const TOKEN_DECIMALS = 18;

/** Formats token base units for people: `1500000000000000000n` → `"1.5 TKN"`. */
export function formatToken(
  amount: bigint | string,
  symbol = TOKEN_SYMBOL,
  decimals = TOKEN_DECIMALS,
): string {
  return `${formatUnits(BigInt(amount), decimals)} ${symbol}`;
}

/** JSON for a `<script type="application/json">` block (no `</script>` breakout). */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}
