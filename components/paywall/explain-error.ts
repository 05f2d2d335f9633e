/** Errors of the paywall's steps, explained to the reader in words. */
import { isPayerError } from "@/lib/protocol/client/errors";

/** Whether `err` (or one of its causes) is the wallet saying the reader declined. */
export function isUserRejection(err: unknown): boolean {
  for (let e = err as { code?: unknown; name?: unknown; cause?: unknown } | undefined; e;) {
    if (e.code === 4001 || e.name === "UserRejectedRequestError") return true;
    e = e.cause as typeof e;
  }
  return false;
}

/** One or two sentences saying what went wrong and what the reader can do. */
export function explainError(err: unknown): string {
  if (isUserRejection(err)) return "You declined the request in your wallet. Nothing was sent.";
  if (isPayerError(err)) {
    switch (err.code) {
      case "no-tokens":
        return "Your wallet does not hold enough tokens for this deposit. Choose a smaller deposit or get more tokens.";
      case "no-eth":
        return err.details.relayOffered === true
          ? "Your wallet has no ETH (or too little) to pay the transaction's gas. Let the site open it for you instead (one signature, no gas)."
          : "Your wallet has no ETH (or too little) to pay the transaction's gas. Add some ETH and try again.";
      case "relay-refused":
        return `The site did not open or top up the channel for you: ${typeof err.details.error === "string" ? err.details.error : err.message}. Nothing was moved.`;
      case "relay-mismatch":
        return "The site said it opened your channel, but the chain does not show that channel, so it is not used and nothing was paid from it.";
      case "relay-unavailable":
        return "The site cannot open the channel for you here: open it with your own transaction.";
      case "wrong-chain":
        return "Your wallet is on another network than the site. Switch the network and try again.";
      case "confirmations-timeout":
        return "The site has not seen your channel (or top-up) on chain yet. Your deposit is safe: try again in a minute.";
      case "site-unreachable":
        return "The site did not answer. Check your connection and try again.";
      case "transaction-failed":
        return `The transaction did not go through: ${err.message}`;
      case "paid-not-served":
        return "The site kept your payment for this article but did not serve it, so nothing more was paid. The amount counts against your spending limits.";
      case "over-policy":
        if (err.details.autopay === "over-cap")
          return "Auto-pay stopped: this payment would pass your spending cap. Raise the cap or pay it yourself.";
        if (err.details.autopay === "over-max")
          return "Auto-pay stopped: this payment is above your auto-pay maximum for one article. Raise the maximum or pay it yourself.";
        if (err.details.autopay !== undefined)
          return "Auto-pay is off in this browser: nothing was paid automatically.";
        if (err.details.charge !== undefined)
          return "The site asked for more than your limits allow for this article; nothing more was paid.";
        if (err.details.needs === "top-up")
          return "Your channel's deposit does not cover this article any more: top it up to read on.";
        if (err.details.needs === "open")
          return "There is no open channel to pay from: open one to read on.";
        if (err.details.budget !== undefined || err.details.maxPrice !== undefined)
          return "This payment would pass your spending limits (the per-article maximum or what is left under your cap), so nothing was paid. Raise them or pay it yourself.";
        return `The payment is above your limits: ${err.message}`;
      case "no-signer":
        return "This step needs your wallet: connect it and try again.";
      default:
        return err.message;
    }
  }
  return err instanceof Error ? err.message : String(err);
}
