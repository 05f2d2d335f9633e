import { defineChain, type Chain } from "viem";

/**
 * The viem `Chain` for a chain id learned from the RPC (`eth_chainId`). The one place a chain is
 * built: every client of the site, the deploy step and the scripts use it, so no code path can
 * sign for a chain id it did not read from the node.
 *
 * @example
 * const chain = buildChain(await publicClient.getChainId(), rpcUrl);
 */
export function buildChain(chainId: number, rpcUrl: string): Chain {
  if (!Number.isSafeInteger(chainId) || chainId <= 0) {
    throw new Error(`invalid chain id ${chainId}: it must come from the node's eth_chainId`);
  }
  return defineChain({
    id: chainId,
    name: chainId === LOCAL_CHAIN_ID ? "Local development chain" : `Chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

/** Chain id of the local development chain (anvil's default). */
export const LOCAL_CHAIN_ID = 31337;

/** Whether `chainId` is the local development chain, where the demo's relaxed defaults apply. */
export function isLocalChain(chainId: number): boolean {
  return chainId === LOCAL_CHAIN_ID;
}
