"use client";
/**
 * Whether this browser has a wallet to connect: an injected provider (`window.ethereum`) or one
 * that announces itself (EIP-6963). RainbowKit lists MetaMask either way, and without one its
 * button does nothing visible; the paywall and the wallet page say so instead.
 */
import { useEffect, useState } from "react";

/** How long announcements are waited for. */
const ANNOUNCE_WAIT_MS = 300;

/** The words shown when no wallet is found. */
export const NO_WALLET_TEXT =
  "No browser wallet was found. Install MetaMask (metamask.io) or another Ethereum wallet extension, then reload this page.";

/** True once a wallet is found, false when none answered, undefined while looking. */
export function useWalletFound(): boolean | undefined {
  const [found, setFound] = useState<boolean>();
  useEffect(() => {
    const injected = (window as { ethereum?: unknown }).ethereum !== undefined;
    const onAnnounce = () => setFound(true);
    window.addEventListener("eip6963:announceProvider", onAnnounce);
    window.dispatchEvent(new Event("eip6963:requestProvider"));
    const timer = setTimeout(() => setFound((f) => f ?? injected), injected ? 0 : ANNOUNCE_WAIT_MS);
    return () => {
      window.removeEventListener("eip6963:announceProvider", onAnnounce);
      clearTimeout(timer);
    };
  }, []);
  return found;
}

/** The notice shown when no wallet is found (with where to get one). */
export function NoWalletNotice() {
  return (
    <p className="wallet-note" role="alert" data-testid="no-wallet">
      No browser wallet was found. Install{" "}
      <a href="https://metamask.io/download/" target="_blank" rel="noreferrer">
        MetaMask
      </a>{" "}
      or another Ethereum wallet extension, then reload this page.
    </p>
  );
}
