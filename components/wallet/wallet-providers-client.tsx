"use client";
/**
 * The wallet context of the site's client islands (paywall, wallet page): wagmi, React Query and
 * RainbowKit over the page's one {@link sharedWalletConfig}. Load this module only in the browser
 * (`next/dynamic(..., { ssr: false })` or `import()` on a click): RainbowKit cannot be
 * server-rendered, and keeping it out of the page's first bundle keeps the page small.
 */
import "@rainbow-me/rainbowkit/styles.css";
import {
  lightTheme,
  RainbowKitAuthenticationProvider,
  RainbowKitProvider,
  type AuthenticationConfig,
} from "@rainbow-me/rainbowkit";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { WagmiProvider } from "wagmi";
import type { SiteTerms } from "@/components/paywall/types";
import { sharedWalletConfig } from "./wallet-config";

/** The page's one query cache, kept across client navigations like the wallet config. */
let queryClient: QueryClient | undefined;

/**
 * Wraps `children` in the wallet providers for the site's chain. With `authentication`, connecting
 * a wallet goes on to Sign-In with Ethereum in RainbowKit's dialog (the admin sign-in page).
 */
export function WalletProviders({
  terms,
  authentication,
  children,
}: {
  terms: SiteTerms;
  authentication?: AuthenticationConfig<string>;
  children: ReactNode;
}) {
  const config = sharedWalletConfig(terms);
  queryClient ??= new QueryClient();
  const rainbow = (
    <RainbowKitProvider
      initialChain={terms.chainId}
      modalSize="compact"
      theme={lightTheme({ accentColor: "#4b3fd6", borderRadius: "medium" })}
    >
      {children}
    </RainbowKitProvider>
  );
  return (
    <WagmiProvider config={config}>
      <QueryClientProvider client={queryClient}>
        {authentication ? (
          <RainbowKitAuthenticationProvider
            adapter={authentication.adapter}
            status={authentication.status}
          >
            {rainbow}
          </RainbowKitAuthenticationProvider>
        ) : (
          rainbow
        )}
      </QueryClientProvider>
    </WagmiProvider>
  );
}

export default WalletProviders;
