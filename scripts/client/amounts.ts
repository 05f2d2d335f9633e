import { erc20Abi, parseUnits, type Address, type PublicClient } from "viem";
import { formatToken } from "../../lib/format";
import { CliError, EXIT } from "./exit-codes";

/** How amounts of the site's token are written: its decimals and symbol (the demo token's until known). */
export interface TokenUnits {
  decimals: number;
  symbol: string;
}

const DEMO_UNITS: TokenUnits = { decimals: 18, symbol: "TKN" };
let units: TokenUnits = DEMO_UNITS;
let unitsOf: Address | undefined;

/** The units amounts are parsed and printed in now. */
export function tokenUnits(): TokenUnits {
  return units;
}

/**
 * Reads the token's `decimals()` and `symbol()` (both optional in ERC-20: 18 and "tokens" when a
 * token lacks them) and uses them for every amount parsed or printed from now on.
 */
export async function adoptTokenUnits(client: PublicClient, token: Address): Promise<TokenUnits> {
  if (unitsOf?.toLowerCase() === token.toLowerCase()) return units;
  const [decimals, symbol] = await Promise.all([
    client
      .readContract({ address: token, abi: erc20Abi, functionName: "decimals" })
      .catch(() => 18),
    client
      .readContract({ address: token, abi: erc20Abi, functionName: "symbol" })
      .catch(() => "tokens"),
  ]);
  units = { decimals: Number(decimals), symbol: String(symbol).trim() || "tokens" };
  unitsOf = token;
  return units;
}

/**
 * Parses an amount given in whole tokens (up to the token's decimals) (`"0.5"`, `"12"`) into base units.
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
  if (!m || (m[2]?.length ?? 0) > units.decimals) {
    throw new CliError(
      `${what}: "${value}" is not an amount of ${units.symbol} (a decimal number with at most ${units.decimals} decimals, e.g. 0.5)`,
      EXIT.usage,
    );
  }
  const amount = parseUnits(v, units.decimals);
  if (amount === 0n && !opts.allowZero) {
    throw new CliError(`${what}: the amount must be greater than 0`, EXIT.usage);
  }
  return amount;
}

/** Base units for people: `1500000000000000000n` → `"1.5 TKN"` (in the token's own units; `"$0.05"` for a dollar token). */
export function formatTokens(amount: bigint): string {
  return formatToken(amount, units);
}
