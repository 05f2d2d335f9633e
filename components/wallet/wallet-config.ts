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

/**
 * Builds the wagmi config for `terms`.
 *
 * @example
 * const config = walletConfig(terms);
 * <WagmiProvider config={config}>…</WagmiProvider>
 */
export function walletConfig(
  terms: Pick<SiteTerms, "chainId" | "rpcUrl" | "walletConnectProjectId">,
): Config {
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
