import { formatUnits, parseUnits } from "viem";
import { CliError, EXIT } from "./exit-codes";

/** Decimals of the site's token (TKN). */
export const TOKEN_DECIMALS = 18;
export const TOKEN_SYMBOL = "TKN";

/**
 * Parses an amount given in whole tokens with up to 18 decimals (`"0.5"`, `"12"`) into base units.
 *
 * @throws {@link CliError} (exit 1) naming the option when it is not such a number
 * @example
 * parseTokenAmount("0.5", "--deposit"); // 500000000000000000n
 */
export function parseTokenAmount(
  value: string,
  what: string,
  opts: { allowZero?: boolean } = {},
): bigint {
  const v = value.trim();
  const m = /^(\d+)(?:\.(\d+))?$/.exec(v);
  if (!m || (m[2]?.length ?? 0) > TOKEN_DECIMALS) {
    throw new CliError(
      `${what}: "${value}" is not an amount of ${TOKEN_SYMBOL} (a decimal number with at most ${TOKEN_DECIMALS} decimals, e.g. 0.5)`,
      EXIT.usage,
    );
  }
  const amount = parseUnits(v, TOKEN_DECIMALS);
  if (amount === 0n && !opts.allowZero) {
    throw new CliError(`${what}: the amount must be greater than 0`, EXIT.usage);
  }
  return amount;
}

/** Base units for people: `1500000000000000000n` → `"1.5 TKN"`. */
export function formatTokens(amount: bigint): string {
  return `${formatUnits(amount, TOKEN_DECIMALS)} ${TOKEN_SYMBOL}`;
}
