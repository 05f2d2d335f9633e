"use client";
/**
 * The payer of the connected wallet account: the wallet client from wagmi, the site's public RPC
 * URL, this browser's IndexedDB store and, for auto-pay, a session key. Use inside
 * {@link WalletProviders}.
 */
import { useCallback } from "react";
import type { Address, LocalAccount } from "viem";
import { useAccount, useWalletClient } from "wagmi";
import { createBrowserPayer, type BrowserPayer, type BrowserPayerOptions } from "@/lib/browser";
import type { SiteTerms } from "@/components/paywall/types";

/** What {@link useWalletPayer} returns. */
export interface WalletPayer {
  /** The connected account, when connected. */
  sender?: Address;
  /** Whether the wallet is on the site's chain. */
  onSiteChain: boolean;
  /**
   * A payer for the connected account (undefined until the wallet client is ready); pass the
   * session key for auto-pay channels.
   */
  makePayer?: (options?: {
    sessionKey?: LocalAccount;
    autoPay?: boolean;
    policy?: BrowserPayerOptions["policy"];
    onEvent?: BrowserPayerOptions["onEvent"];
  }) => BrowserPayer;
}

/**
 * The connected account and a factory of payers for it.
 *
 * @example
 * const { makePayer } = useWalletPayer(terms);
 * const { payArticle } = makePayer!({ onEvent: console.log });
 */
export function useWalletPayer(terms: SiteTerms): WalletPayer {
  const { address, chainId, isConnected } = useAccount();
  const { data: walletClient } = useWalletClient({ chainId: terms.chainId });
  const onSiteChain = isConnected && chainId === terms.chainId;
  const makePayer = useCallback<NonNullable<WalletPayer["makePayer"]>>(
    (options = {}) =>
      createBrowserPayer({
        chainId: terms.chainId,
        rpcUrl: terms.rpcUrl,
        contract: terms.contract,
        token: terms.token,
        sender: address!,
        walletClient,
        fromBlock: BigInt(terms.startBlock),
        ...options,
      }),
    [
      address,
      walletClient,
      terms.chainId,
      terms.rpcUrl,
      terms.contract,
      terms.token,
      terms.startBlock,
    ],
  );
  return {
    sender: isConnected ? address : undefined,
    onSiteChain,
    makePayer: isConnected && address && walletClient && onSiteChain ? makePayer : undefined,
  };
}
