/**
 * The deployment's token as people see it: its `symbol()` and `decimals()`, read from the chain
 * once per process (cached on globalThis so the proxy, route handlers and pages share one read).
 * Every amount the site formats or parses goes through this unit; nothing assumes 18 decimals.
 */
import { BaseError, erc20Abi, HttpRequestError, TimeoutError, type Address } from "viem";
import { z } from "zod";
import { ChainUnavailableError, ConfigError } from "@/lib/errors";
import { BASE_UNITS, type TokenUnit } from "@/lib/format";
import { chainConfig, type ChainConfig } from "./config";

/** The token's address with its unit. */
export interface TokenInfo extends TokenUnit {
  address: Address;
}

const decimalsSchema = z.number().int().min(0).max(77);
const symbolSchema = z.string().trim().max(32);

const globalForToken = globalThis as unknown as {
  tokenInfo?: { config: ChainConfig; promise: Promise<TokenInfo> };
};

const unreachable = (err: unknown) =>
  err instanceof BaseError &&
  err.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError) !== null;

async function read(config: ChainConfig): Promise<TokenInfo> {
  const address = config.deployment.token;
  const call = (functionName: "decimals" | "symbol") =>
    config.publicClient.readContract({ address, abi: erc20Abi, functionName });
  let raw: [unknown, unknown];
  try {
    raw = await Promise.all([call("decimals"), call("symbol")]);
  } catch (cause) {
    if (unreachable(cause))
      throw new ChainUnavailableError(
        "the chain RPC is unreachable; the token cannot be read",
        cause,
      );
    throw new ConfigError(
      `the token ${address} on chain ${config.chain.id} does not answer decimals() and symbol(): ` +
        "is TOKEN_ADDRESS an ERC-20?",
      cause,
    );
  }
  const decimals = decimalsSchema.safeParse(raw[0]);
  const symbol = symbolSchema.safeParse(raw[1]);
  if (!decimals.success || !symbol.success)
    throw new ConfigError(
      `the token ${address} on chain ${config.chain.id} answers decimals() ${String(raw[0])} and ` +
        `symbol() ${JSON.stringify(raw[1])}: not a usable ERC-20 unit`,
    );
  return { address, symbol: symbol.data, decimals: decimals.data };
}

/**
 * The deployment's token: address, symbol and decimals. Read once per loaded chain configuration
 * (a new deployment is read again); a failed read is not cached.
 *
 * @throws {@link ConfigError} (503) when the token does not answer `decimals()`/`symbol()`;
 *   {@link ChainUnavailableError} (502) when the RPC does not answer
 * @example
 * const unit = await tokenInfo(); // { address: "0x…", symbol: "dUSD", decimals: 6 }
 * formatToken(price, unit); // "$0.05"
 */
export async function tokenInfo(): Promise<TokenInfo> {
  const config = await chainConfig();
  const cached = globalForToken.tokenInfo;
  if (cached && cached.config === config) return cached.promise;
  const entry = { config, promise: read(config) };
  globalForToken.tokenInfo = entry;
  entry.promise.catch(() => {
    if (globalForToken.tokenInfo === entry) globalForToken.tokenInfo = undefined;
  });
  return entry.promise;
}

/** The token's unit alone (plain JSON, for client components' props). */
export async function tokenUnit(): Promise<TokenUnit> {
  const { symbol, decimals } = await tokenInfo();
  return { symbol, decimals };
}

/**
 * The token's unit for pages that must render without the chain (the home page, the admin
 * pages): {@link BASE_UNITS} when the chain or its configuration cannot be read.
 */
export async function displayUnit(): Promise<TokenUnit> {
  try {
    return await tokenUnit();
  } catch (err) {
    if (err instanceof ConfigError || err instanceof ChainUnavailableError) return BASE_UNITS;
    throw err;
  }
}
