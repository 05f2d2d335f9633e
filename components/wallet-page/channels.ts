/**
 * The wallet page's view of a channel: the browser's record corrected by what the chain says now
 * (a channel may have been closed, disputed or settled from elsewhere), and by the site's history
 * (a browser that lost its record knows no balance until the site tells it).
 */
import { isAddressEqual, type Address } from "viem";
import type { PayerChannel } from "@/lib/protocol/client";
import { highestSigned } from "@/lib/protocol/client/types";
import type { OnChainChannel } from "@/lib/protocol/client/chain";

/** A channel as the page shows it. */
export type ChannelRow = {
  /** The browser's record (what the payer acts on). */
  channel: PayerChannel;
  state: "open" | "closing" | "settled";
  deposit: bigint;
  /**
   * The highest balance known to be paid: the browser's or the site's; null when neither knows it
   * (a channel found on chain, before the site's history is loaded or a payment corrects it).
   */
  spent: bigint | null;
  remaining: bigint | null;
  /** While closing: the block after which `settle` is accepted. */
  settleBlock: number | null;
  /** The channel's signer is a session key this browser does not hold. */
  lostKey: boolean;
};

/** The channels of `sender` to this site's receiver on its contract and chain. */
export function siteChannelsOf(
  all: readonly PayerChannel[],
  site: { chainId: number; contract: Address; receiver: Address },
  sender: Address,
): PayerChannel[] {
  return all.filter(
    (c) =>
      c.chainId === site.chainId &&
      isAddressEqual(c.contract, site.contract) &&
      isAddressEqual(c.receiver, site.receiver) &&
      isAddressEqual(c.sender, sender),
  );
}

/**
 * What the page shows for a channel.
 *
 * @param onChain - `getChannelInfo` now: null when the contract no longer knows the channel
 *   (settled), undefined when the chain was not read
 * @param siteBalance - the newest balance the site reported for the channel, if loaded
 * @param hasKey - whether this browser can sign for the channel's signer
 */
export function channelRow(
  channel: PayerChannel,
  p: { onChain?: OnChainChannel | null; siteBalance?: bigint; hasKey: boolean },
): ChannelRow {
  let state = channel.state;
  let deposit = channel.deposit;
  let settleBlock = channel.settleBlock ?? null;
  if (p.onChain === null) {
    state = "settled";
  } else if (p.onChain) {
    deposit = p.onChain.deposit;
    if (p.onChain.settleBlock > 0) {
      state = "closing";
      settleBlock = p.onChain.settleBlock;
    } else {
      state = "open";
      settleBlock = null;
    }
  }
  const unknown =
    channel.balanceUnknown === true &&
    highestSigned(channel) === 0n &&
    p.siteBalance === undefined &&
    state !== "settled";
  const spent = unknown
    ? null
    : p.siteBalance !== undefined && p.siteBalance > channel.balance
      ? p.siteBalance
      : channel.balance;
  return {
    channel,
    state,
    deposit,
    spent,
    remaining:
      spent === null ? null : state === "settled" || spent >= deposit ? 0n : deposit - spent,
    settleBlock,
    lostKey: !p.hasKey,
  };
}

/** Open channels first, then closing, then settled; newest first within each. */
export function sortChannelRows(rows: readonly ChannelRow[]): ChannelRow[] {
  const rank = { open: 0, closing: 1, settled: 2 } as const;
  return [...rows].sort(
    (a, b) => rank[a.state] - rank[b.state] || b.channel.openBlock - a.channel.openBlock,
  );
}
