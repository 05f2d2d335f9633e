import type { ChainConfig } from "./config";
import { isLocalChain } from "./chain";
import { env } from "@/lib/env";

/** Gas of one dispute (`cooperativeClose`, ~61k measured) with headroom for a cold token slot. */
export const DISPUTE_GAS = 90_000n;
/** The fixed minimum on the local development chain: 0.001 ETH. */
export const LOCAL_MIN_RECEIVER_ETH = 10n ** 15n;
/** How long a computed minimum is reused before the gas price is read again. */
const REFRESH_MS = 60_000;

const cache = new WeakMap<ChainConfig, { value: bigint; at: number }>();

/**
 * The receiver ETH (wei) below which the site stops selling: it must always afford a dispute.
 * MIN_RECEIVER_ETH_WEI when set; on the local development chain 0.001 ETH; elsewhere the current
 * gas price × {@link DISPUTE_GAS} × MIN_RECEIVER_ETH_FACTOR, read at most once a minute.
 *
 * @throws when the gas price cannot be read (the caller answers 502)
 */
export async function minReceiverEth(cfg: ChainConfig, now = Date.now()): Promise<bigint> {
  const { MIN_RECEIVER_ETH_WEI, MIN_RECEIVER_ETH_FACTOR } = env();
  if (MIN_RECEIVER_ETH_WEI !== undefined) return MIN_RECEIVER_ETH_WEI;
  if (isLocalChain(cfg.deployment.chainId)) return LOCAL_MIN_RECEIVER_ETH;
  const hit = cache.get(cfg);
  if (hit && now - hit.at < REFRESH_MS) return hit.value;
  const gasPrice = await cfg.publicClient.getGasPrice();
  const value = gasPrice * DISPUTE_GAS * BigInt(MIN_RECEIVER_ETH_FACTOR);
  cache.set(cfg, { value, at: now });
  return value;
}
