/**
 * What this browser knows about the reader and the site before any wallet loads: their channels
 * to the site (from IndexedDB), which of them can pay (the wallet signs, or a session key this
 * browser holds), which are stranded (their session key is elsewhere), and the auto-pay setting.
 */
import { isAddressEqual, type Address } from "viem";
import { remaining, siteChannels } from "@/lib/browser/auto-pay";
import { getAutoPay, type AutoPaySettings } from "@/lib/browser/autopay";
import { indexedDbChannelStore } from "@/lib/browser/channel-store";
import { getSessionKey } from "@/lib/browser/session-keys";
import type { PayerChannel } from "@/lib/protocol/client";
import type { SiteTerms } from "./types";

/** The reader's state as the paywall shows it. */
export interface LocalState {
  sender?: Address;
  /** The channel that pays next: covering the price with the least room, else the roomiest. */
  usable?: PayerChannel;
  /** Open channels whose session key is not in this browser. */
  lost: PayerChannel[];
  settings?: AutoPaySettings;
}

/**
 * Reads the reader's state for `sender` (default: the sender of the newest channel to the site).
 */
export async function readLocalState(
  terms: SiteTerms,
  price: bigint,
  sender?: Address,
): Promise<LocalState> {
  const all = siteChannels(await indexedDbChannelStore().list(), terms, sender).filter(
    (c) => c.state === "open" && !c.siteRefused,
  );
  const who = sender ?? all[0]?.sender;
  const mine = who ? all.filter((c) => isAddressEqual(c.sender, who)) : [];
  const usableList: PayerChannel[] = [];
  const lost: PayerChannel[] = [];
  for (const c of mine) {
    const held =
      !c.signerUnavailable &&
      (isAddressEqual(c.signer, c.sender) || (await getSessionKey(c.signer)) !== undefined);
    (held ? usableList : lost).push(c);
  }
  const covering = usableList
    .filter((c) => remaining(c) >= price)
    .sort((a, b) => cmp(remaining(a), remaining(b)));
  const roomiest = [...usableList].sort((a, b) => cmp(remaining(b), remaining(a)));
  const settings = who
    ? await getAutoPay({ chainId: terms.chainId, contract: terms.contract, sender: who })
    : undefined;
  return { sender: who, usable: covering[0] ?? roomiest[0], lost, settings };
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
