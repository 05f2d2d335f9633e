/**
 * The deployment as the browser's wallet code needs it (paywall island, wallet page): plain JSON,
 * safe to put in a page. Never carries RPC_URL when PUBLIC_RPC_URL is set (RPC_URL may hold a key).
 */
import { chainConfig } from "@/lib/chain/config";
import { tokenInfo } from "@/lib/chain/token-info";
import { isLocalChain } from "@/lib/chain/chain";
import { typicalArticlePrice } from "@/lib/content/catalog";
import { env } from "@/lib/env";
import { GATEWAY_PATH } from "@/lib/protocol/headers";
import { relayOffer } from "@/lib/relay/offer";
import { relayEnabled } from "@/lib/relay/policy";
import type { SiteTerms } from "@/components/paywall/types";

/** The public RPC URL for browsers: PUBLIC_RPC_URL, else RPC_URL. */
export function publicRpcUrl(): string {
  return env().PUBLIC_RPC_URL ?? env().RPC_URL;
}

/**
 * The site's payment terms for browsers.
 *
 * @throws {@link ConfigError} (503) or {@link ChainUnavailableError} (502) when the chain
 *   configuration cannot be loaded
 */
export async function siteTerms(): Promise<SiteTerms> {
  const chain = await chainConfig();
  const token = await tokenInfo();
  const relay = await relayOffer(chain);
  return {
    receiver: chain.receiver.address,
    contract: chain.deployment.contract,
    token: chain.deployment.token,
    chainId: chain.chain.id,
    rpcUrl: publicRpcUrl(),
    localChain: isLocalChain(chain.chain.id),
    relayCloses: relayEnabled(chain),
    walletConnectProjectId: env().WALLETCONNECT_PROJECT_ID,
    startBlock: chain.deployment.startBlock,
    gatewayPath: GATEWAY_PATH,
    tokenSymbol: token.symbol,
    tokenDecimals: token.decimals,
    typicalPrice: (await typicalArticlePrice()).toString(),
    ...(relay
      ? {
          relay: {
            url: relay.url,
            minDeposit: relay.min_deposit,
            minValiditySeconds: relay.min_validity_seconds,
          },
        }
      : {}),
  };
}
