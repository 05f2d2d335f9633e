/**
 * The wagmi configuration of the site's wallets: MetaMask and any injected wallet always,
 * WalletConnect only when the site has a project id, on the site's one chain read over its public
 * RPC URL. Browser-only: import it from client code loaded after the page (never server-rendered).
 */
import { connectorsForWallets } from "@rainbow-me/rainbowkit";
import {
  injectedWallet,
  metaMaskWallet,
  walletConnectWallet,
} from "@rainbow-me/rainbowkit/wallets";
import { createConfig, http, type Config } from "wagmi";
import { siteChain } from "@/lib/browser/site-chain";
import type { SiteTerms } from "@/components/paywall/types";

/** The name wallets show when they ask the reader to connect. */
export const APP_NAME = "Paychan Press";

type ConfigTerms = Pick<SiteTerms, "chainId" | "rpcUrl" | "walletConnectProjectId">;

/** The page's configs, one per site terms: see {@link sharedWalletConfig}. */
const shared = new Map<string, Config>();

/**
 * The one wagmi config of `terms` for the page's lifetime. Every wallet island (paywall, wallet
 * page, sign-in) of the document uses it, so a wallet connected on one page is connected on the
 * next after a client navigation, with no second reconnection. A config per mount raced: wagmi
 * starts reconnecting while rendering, a render React discards left a config reconnecting that
 * no page used, and wagmi's one-at-a-time guard then skipped the reconnection of the config the
 * page did use, which stayed "not connected" although the wallet was.
 */
export function sharedWalletConfig(terms: ConfigTerms): Config {
  const key = `${terms.chainId}|${terms.rpcUrl}|${terms.walletConnectProjectId ?? ""}`;
  let config = shared.get(key);
  if (!config) {
    config = walletConfig(terms);
    shared.set(key, config);
  }
  return config;
}

/**
 * Builds a new wagmi config for `terms` (pages use {@link sharedWalletConfig}).
 *
 * @example
 * const config = walletConfig(terms);
 * <WagmiProvider config={config}>…</WagmiProvider>
 */
export function walletConfig(terms: ConfigTerms): Config {
  const chain = siteChain(terms);
  const wallets = terms.walletConnectProjectId
    ? [metaMaskWallet, injectedWallet, walletConnectWallet]
    : [metaMaskWallet, injectedWallet];
  const connectors = connectorsForWallets([{ groupName: "Wallets", wallets }], {
    appName: APP_NAME,
    // RainbowKit wants a project id even when WalletConnect is not offered; none is contacted then.
    projectId: terms.walletConnectProjectId ?? "walletconnect-not-configured",
  });
  return createConfig({
    connectors,
    chains: [chain],
    transports: { [chain.id]: http(terms.rpcUrl) },
    ssr: false,
  });
}
