/**
 * Finding what lets this browser pay an article by itself: an enabled auto-pay setting for the
 * site's contract that allows the price, an open channel of that sender whose deposit covers it,
 * and the channel's session key in this browser. Never a deposit: only existing channels pay.
 */
import { isAddressEqual, type Address, type LocalAccount } from "viem";
import type { PayerChannel } from "@/lib/protocol/client";
import { checkAutoPay, listAutoPay, remainingUnderCap, type AutoPaySettings } from "./autopay";
import { indexedDbChannelStore } from "./channel-store";
import { getSessionKey } from "./session-keys";

/** Everything an automatic payment uses. */
export interface AutoPayment {
  settings: AutoPaySettings;
  channel: PayerChannel;
  sessionKey: LocalAccount;
}

/**
 * The browser payer options of an automatic payment (`createBrowserPayer`): the session key signs
 * for the channel's sender, each signature is charged to the cap when it is signed, within the
 * setting's per-article maximum and what is left under its cap.
 */
export function autoPayerOptions(auto: AutoPayment) {
  return {
    sender: auto.channel.sender,
    sessionKey: auto.sessionKey,
    autoPay: true,
    policy: {
      maxPrice: BigInt(auto.settings.maxPerArticle),
      budget: remainingUnderCap(auto.settings),
    },
  };
}

/** The site a payment goes to. */
export interface AutoPaySite {
  chainId: number;
  contract: Address;
  receiver: Address;
}

/** The room left on a channel. */
export const remaining = (c: PayerChannel) => c.deposit - c.balance;

/** The open channels of `sender` to the site (newest first). */
export function siteChannels(
  channels: readonly PayerChannel[],
  site: AutoPaySite,
  sender?: Address,
): PayerChannel[] {
  return channels
    .filter(
      (c) =>
        c.chainId === site.chainId &&
        isAddressEqual(c.contract, site.contract) &&
        isAddressEqual(c.receiver, site.receiver) &&
        (sender === undefined || isAddressEqual(c.sender, sender)),
    )
    .sort((a, b) => b.openBlock - a.openBlock);
}

/**
 * What pays `price` automatically, if anything: for each enabled auto-mode setting on the site's
 * contract (only `sender`'s when given) that allows the price, the open channel of that sender
 * covering the price with the least room left whose session key this browser holds.
 */
export async function findAutoPayment(
  site: AutoPaySite,
  price: bigint,
  sender?: Address,
): Promise<AutoPayment | undefined> {
  const settings = (
    await listAutoPay({ chainId: site.chainId, contract: site.contract, enabledOnly: true })
  ).filter(
    (s) => (sender === undefined || isAddressEqual(s.sender, sender)) && checkAutoPay(s, price).ok,
  );
  if (settings.length === 0) return undefined;
  const channels = await indexedDbChannelStore().list();
  for (const s of settings) {
    const candidates = siteChannels(channels, site, s.sender)
      .filter(
        (c) =>
          c.state === "open" &&
          !c.siteRefused &&
          !c.signerUnavailable &&
          !isAddressEqual(c.signer, c.sender) &&
          remaining(c) >= price,
      )
      .sort((a, b) => (remaining(a) < remaining(b) ? -1 : remaining(a) > remaining(b) ? 1 : 0));
    for (const channel of candidates) {
      const sessionKey = await getSessionKey(channel.signer);
      if (sessionKey) return { settings: s, channel, sessionKey };
    }
  }
  return undefined;
}
