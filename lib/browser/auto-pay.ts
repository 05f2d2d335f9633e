/**
 * Finding what lets this browser pay an article by itself: an enabled auto-pay setting for the
 * site's contract that allows the price, an open channel of that sender whose deposit covers it,
 * and the channel's session key in this browser. Never a deposit: only existing channels pay.
 */
import { isAddressEqual, type Address, type LocalAccount } from "viem";
import type { PayerChannel } from "@/lib/protocol/client";
import { checkAutoPay, filterAutoPay, remainingUnderCap, type AutoPaySettings } from "./autopay";
import { channelsOf } from "./channel-store";
import type { HistoryEntry } from "./history";
import { readTogether, STORES, withoutKey, type StoreName } from "./idb";
import { sessionAccount, type StoredSessionKey } from "./session-keys";

/** Everything an automatic payment uses. */
export interface AutoPayment {
  settings: AutoPaySettings;
  channel: PayerChannel;
  sessionKey: LocalAccount;
}

/**
 * The browser payer options of an automatic payment of `path` (`createBrowserPayer`): the session
 * key signs for the channel's sender, each signature is charged to the cap when it is signed,
 * within the setting's per-article maximum and what is left under its cap, as stored when it is
 * reserved (and, with `receiptSince`, only when `path` was not paid since).
 */
export function autoPayerOptions(auto: AutoPayment, path: string, receiptSince?: number) {
  return {
    sender: auto.channel.sender,
    sessionKey: auto.sessionKey,
    autoPay: true,
    automatic: { path, ...(receiptSince === undefined ? {} : { receiptSince }) },
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

/** What this browser holds for paying automatically, as one transaction read it. */
export interface AutoPayState {
  /** Every auto-pay setting. */
  settings: AutoPaySettings[];
  /** Every stored channel (the records that parse). */
  channels: PayerChannel[];
  sessionKeys: StoredSessionKey[];
  /** The history appended after `historySince`, newest first (empty when not asked for). */
  history: HistoryEntry[];
}

/**
 * Reads the auto-pay settings, channels and session keys (and, with `historySince`, the recent
 * history) in one readonly transaction: one consistent view, one round trip to the database.
 */
export async function readAutoPayState(
  options: { historySince?: number } = {},
): Promise<AutoPayState> {
  const { historySince } = options;
  const stores: StoreName[] = [STORES.autopay, STORES.channels, STORES.sessionKeys];
  if (historySince !== undefined) stores.push(STORES.history);
  return readTogether(stores, async (read) => {
    const [settings, channels, sessionKeys, history] = await Promise.all([
      read.getAll<AutoPaySettings & { key: string }>(STORES.autopay),
      read.getAll<unknown>(STORES.channels),
      read.getAll<StoredSessionKey>(STORES.sessionKeys),
      historySince === undefined
        ? []
        : read.newestWhile<HistoryEntry & { id: number }>(
            STORES.history,
            (entry) => entry.time > historySince,
          ),
    ]);
    return {
      settings: filterAutoPay(settings),
      channels: channelsOf(channels),
      sessionKeys,
      history: history.map((entry) => withoutKey(entry, "id") as HistoryEntry),
    };
  });
}

/**
 * What pays `price` automatically in `state`, if anything (pure but for deriving the key's
 * account): for each enabled auto-mode setting on the site's contract (only `sender`'s when
 * given) that allows the price, the open channel of that sender covering the price with the least
 * room left whose session key this browser holds.
 */
export function pickAutoPayment(
  state: Pick<AutoPayState, "settings" | "channels" | "sessionKeys">,
  site: AutoPaySite,
  price: bigint,
  sender?: Address,
): AutoPayment | undefined {
  const settings = state.settings.filter(
    (s) =>
      s.chainId === site.chainId &&
      isAddressEqual(s.contract, site.contract) &&
      s.enabled &&
      (sender === undefined || isAddressEqual(s.sender, sender)) &&
      checkAutoPay(s, price).ok,
  );
  for (const s of settings) {
    const candidates = siteChannels(state.channels, site, s.sender)
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
      const key = state.sessionKeys.find((k) => isAddressEqual(k.address, channel.signer));
      if (key) return { settings: s, channel, sessionKey: sessionAccount(key) };
    }
  }
  return undefined;
}

/** What pays `price` automatically, if anything (see {@link pickAutoPayment}). */
export async function findAutoPayment(
  site: AutoPaySite,
  price: bigint,
  sender?: Address,
): Promise<AutoPayment | undefined> {
  return pickAutoPayment(await readAutoPayState(), site, price, sender);
}
