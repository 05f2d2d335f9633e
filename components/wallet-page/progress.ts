/** The payer's progress events as sentences for the wallet page's status line. */
import type { PayerEvent } from "@/lib/protocol/client";

/** Formats base units with the token's symbol. */
export type FormatAmount = (amount: bigint) => string;

const short = (hash: string) => `${hash.slice(0, 10)}…`;

/** What the page says while the payer works; undefined for events it does not report. */
export function describeEvent(e: PayerEvent, fmt: FormatAmount): string | undefined {
  switch (e.type) {
    case "topping-up":
      return `Adding ${fmt(e.amount)} to the channel opened in block ${e.channel.openBlock}: confirm in your wallet…`;
    case "transaction-sent":
      return `Transaction sent (${e.what}, ${short(e.txHash)}): waiting for it to be mined…`;
    case "topped-up":
      return `Deposit added (transaction ${short(e.txHash)}).`;
    case "close-requested":
      return `Asking the site for its closing signature for the channel opened in block ${e.channel.openBlock}…`;
    case "close-refused":
      return `No closing signature from the site (${e.reason}): closing without it, confirm in your wallet…`;
    case "closed":
      return e.cooperative
        ? `Channel closed and settled (transaction ${short(e.txHash)}).`
        : `Close requested (transaction ${short(e.txHash)}): the challenge period has started.`;
    case "settled":
      return `Channel settled (transaction ${short(e.txHash)}).`;
    case "channel-recovered":
      return `Found the channel opened in block ${e.channel.openBlock} on chain.`;
    default:
      return undefined;
  }
}
