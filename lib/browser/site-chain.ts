/**
 * The chain the site pays on, as viem needs it in the browser: a chain definition and a public
 * client over the site's public RPC URL.
 */
import { createPublicClient, defineChain, http, type Chain, type PublicClient } from "viem";

/** Where the browser reads the chain: the site's chain id and public RPC URL. */
export interface SiteChainInfo {
  chainId: number;
  rpcUrl: string;
}

/** A viem chain for the site's chain id, read over `rpcUrl`. */
export function siteChain({ chainId, rpcUrl }: SiteChainInfo): Chain {
  return defineChain({
    id: chainId,
    name: chainId === 31337 ? "Local chain" : `Chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
    testnet: chainId === 31337,
  });
}

/** A public client over the site's RPC URL. */
export function sitePublicClient(info: SiteChainInfo): PublicClient {
  return createPublicClient({ chain: siteChain(info), transport: http(info.rpcUrl) });
}
