/**
 * The relay's policy (RELAY_* in lib/env.ts) and the site's token as the relay needs it: its
 * EIP-712 domain and decimals, and whether it implements EIP-3009 at all.
 */
import {
  BaseError,
  erc20Abi,
  HttpRequestError,
  TimeoutError,
  zeroAddress,
  zeroHash,
  type Address,
} from "viem";
import { isLocalChain } from "@/lib/chain/chain";
import type { ChainConfig } from "@/lib/chain/config";
import { env } from "@/lib/env";
import { AppError, BadGatewayError } from "@/lib/errors";
import { eip3009TokenAbi, readTokenDomain, type TokenDomain } from "@/lib/protocol/authorization";

/** What the relay accepts, from the environment and the token. */
export interface RelayPolicy {
  enabled: boolean;
  /** Smallest deposit or top-up relayed (base units). */
  minDeposit: bigint;
  perSenderPerHour: number;
  perIpPerHour: number;
  /** Wei the receiver spends on relays in any 24 hours. */
  dailyGasBudget: bigint;
  /** Seconds an authorization must stay valid after it arrives. */
  minValiditySeconds: number;
  /** Seconds a request waits for its transaction before answering 202. */
  waitSeconds: number;
}

/** The site's token, as the relay uses it. */
export interface RelayToken {
  domain: TokenDomain;
  decimals: number;
}

const tokens = new Map<string, Promise<RelayToken>>();

/** Whether `err` is the RPC failing (rather than the token answering no). */
function isRpcFailure(err: unknown): boolean {
  return (
    err instanceof BaseError &&
    err.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError) !== null
  );
}

async function readRelayToken(cfg: ChainConfig): Promise<RelayToken> {
  const { publicClient, deployment } = cfg;
  const token: Address = deployment.token;
  try {
    const [domain, decimals] = await Promise.all([
      readTokenDomain(publicClient, token),
      publicClient.readContract({ address: token, abi: erc20Abi, functionName: "decimals" }),
      publicClient.readContract({
        address: token,
        abi: eip3009TokenAbi,
        functionName: "authorizationState",
        args: [zeroAddress, zeroHash],
      }),
    ]);
    return { domain, decimals };
  } catch (err) {
    if (isRpcFailure(err))
      throw new BadGatewayError("the chain RPC is unreachable; nothing was relayed", err);
    throw new AppError(
      `the site's token ${token} does not support EIP-3009 authorizations (eip712Domain, ` +
        "authorizationState, receiveWithAuthorization): relayed opens and top-ups are not " +
        "available here; open or top up the channel yourself",
      { status: 501, expose: true, cause: err },
    );
  }
}

/**
 * The site's token's EIP-712 domain and decimals, read once per token.
 *
 * @throws a 501 when the token does not implement EIP-3009, a 502 when the RPC fails
 */
export function relayToken(cfg: ChainConfig): Promise<RelayToken> {
  const key = `${cfg.deployment.chainId}:${cfg.deployment.token}`;
  let hit = tokens.get(key);
  if (!hit) {
    hit = readRelayToken(cfg);
    tokens.set(key, hit);
    hit.catch(() => tokens.delete(key));
  }
  return hit;
}

/** Whether relaying is on: RELAY_ENABLED, or unset: only on the local development chain. */
export function relayEnabled(cfg: ChainConfig): boolean {
  return env().RELAY_ENABLED ?? isLocalChain(cfg.deployment.chainId);
}

/** The relay's limits that do not depend on the token (every kind of relay, faucet included). */
export type RelayLimits = Omit<RelayPolicy, "minDeposit">;

/** The relay's rates, gas budget and timing from the environment. */
export function relayLimits(cfg: ChainConfig): RelayLimits {
  const e = env();
  return {
    enabled: relayEnabled(cfg),
    perSenderPerHour: e.RELAY_MAX_PER_SENDER_PER_HOUR,
    perIpPerHour: e.RELAY_MAX_PER_IP_PER_HOUR,
    dailyGasBudget: e.RELAY_DAILY_GAS_BUDGET_WEI,
    minValiditySeconds: e.RELAY_MIN_VALIDITY_SECONDS,
    waitSeconds: e.RELAY_WAIT_SECONDS,
  };
}

/**
 * The relay's policy for the site's token.
 *
 * @throws like {@link relayToken} when RELAY_MIN_DEPOSIT is unset (its default is one whole token)
 */
export async function relayPolicy(cfg: ChainConfig): Promise<RelayPolicy> {
  const minDeposit = env().RELAY_MIN_DEPOSIT ?? 10n ** BigInt((await relayToken(cfg)).decimals);
  return { ...relayLimits(cfg), minDeposit };
}

/**
 * The faucet of the local development chain (`POST /api/1/faucet`): one grant per address every
 * 10 minutes, 10 per client IP address in any hour, 20 whole tokens each. Its gas counts in the
 * relay's daily budget; its rates are its own.
 */
export const FAUCET_LIMITS = {
  perAddressWindowSeconds: 600,
  perIpPerHour: 10,
  wholeTokens: 20n,
} as const;

/** Whether the faucet is on: only on the local development chain, whose tokens are worthless. */
export function faucetEnabled(cfg: ChainConfig): boolean {
  return isLocalChain(cfg.deployment.chainId);
}
