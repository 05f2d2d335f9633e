import { formatUnits } from "viem";

/** Formats token base units for people: `1500000000000000000n` → `"1.5 TKN"`. */
export function formatToken(amount: bigint | string, symbol = "TKN", decimals = 18): string {
  return `${formatUnits(BigInt(amount), decimals)} ${symbol}`;
}
