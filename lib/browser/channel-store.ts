/**
 * The browser's {@link PayerChannelStore}: channels in the site's IndexedDB database, one record
 * per (chainId, contract, sender, receiver, openBlock), in the payer core's JSON form.
 */
import { isAddressEqual } from "viem";
import { PayerError } from "@/lib/protocol/client/errors";
import { channelToJson, mergeSigned, storedChannelSchema } from "@/lib/protocol/client/store";
import {
  chargeOf,
  highestSigned,
  type PayerChannel,
  type PayerChannelStore,
} from "@/lib/protocol/client/types";
import { autoPayKey, checkAutoPay, type AutoPayOwner, type AutoPaySettings } from "./autopay";
import type { HistoryEntry } from "./history";
import { deleteOne, getAll, inTransaction, newestIn, STORES, type StoreName } from "./idb";

/** The record key of a channel: `chainId:contract:sender:receiver:openBlock` in lower case. */
export function channelKey(
  c: Pick<PayerChannel, "chainId" | "contract" | "sender" | "receiver" | "openBlock">,
): string {
  return `${c.chainId}:${c.contract}:${c.sender}:${c.receiver}:${c.openBlock}`.toLowerCase();
}

/** Parses a stored record; records that do not parse are skipped (never thrown on). */
function fromRecord(record: unknown): PayerChannel | undefined {
  const parsed = storedChannelSchema.safeParse(record);
  if (!parsed.success) return undefined;
  return parsed.data as PayerChannel;
}

/** The channels of stored records, skipping those that do not parse. */
export function channelsOf(records: readonly unknown[]): PayerChannel[] {
  return records.map(fromRecord).filter((c): c is PayerChannel => c !== undefined);
}

const toRecord = (channel: PayerChannel) => ({
  ...channelToJson(channel),
  key: channelKey(channel),
});

/** Options of {@link indexedDbChannelStore}. */
export interface IndexedDbStoreOptions {
  /**
   * Charge the signatures of session keys (channels whose signer is not the sender) to this
   * owner's auto-pay cap, in the same transaction as the reservation: refused when auto-pay is
   * off, in confirm mode or the cap would be exceeded, whichever tab signs.
   */
  autopay?: AutoPayOwner;
  /**
   * The channels as the caller read them (with the auto-pay setting, in one transaction):
   * `list()` answers them instead of reading again, until this store writes. The reservation
   * still reads the stored record: what another tab signed meanwhile counts, and a channel whose
   * balance, deposit or state changed since (or that was marked refused by the site, or without
   * its key) is refused with {@link StaleRead}.
   */
  channels?: readonly PayerChannel[];
  /**
   * A payment nobody confirmed (the auto-pay worker's): checked in the reservation's transaction
   * against what is stored then, so that a read made a moment earlier never passes a limit
   * changed since. The charge must be within the auto-pay setting's per-article maximum, and
   * `path` must not have been paid since `receiptSince` (its receipt serves it; else
   * {@link PaidRecently}).
   */
  automatic?: { path: string; receiptSince?: number };
}

/** The reservation found the channel changed since the caller's read (another tab paid). */
export class StaleRead extends Error {
  override name = "StaleRead";
}

/** The reservation found the path paid after the given time: its receipt serves it. */
export class PaidRecently extends Error {
  override name = "PaidRecently";
}

/**
 * Whether `stored` still has the balance, deposit and state `read` had (and is no more refused by
 * the site or lacking its key than it was).
 */
const unchanged = (stored: PayerChannel | undefined, read: PayerChannel) =>
  stored !== undefined &&
  stored.balance === read.balance &&
  stored.deposit === read.deposit &&
  stored.state === read.state &&
  !!stored.siteRefused === !!read.siteRefused &&
  !!stored.signerUnavailable === !!read.signerUnavailable;

/**
 * The channels of this browser, kept in IndexedDB (they survive reloads and are shared by the
 * site's tabs). A signature is reserved in one transaction with the channel's highest signed
 * balance (and the auto-pay cap, see {@link IndexedDbStoreOptions.autopay}), so tabs paying at
 * once never pass the same check twice.
 *
 * @example
 * const payer = createPayer({ account, walletClient, publicClient, store: indexedDbChannelStore() });
 */
export function indexedDbChannelStore(options: IndexedDbStoreOptions = {}): PayerChannelStore {
  let snapshot = options.channels && [...options.channels];
  return {
    async list() {
      if (snapshot) return [...snapshot];
      return channelsOf(await getAll<unknown>(STORES.channels));
    },
    async put(channel) {
      snapshot = undefined;
      await inTransaction([STORES.channels], async (tx, get) => {
        const stored = fromRecord(await get(STORES.channels, channelKey(channel)));
        tx.objectStore(STORES.channels).put(toRecord(mergeSigned(stored, channel)));
      });
    },
    async remove(channel) {
      snapshot = undefined;
      await deleteOne(STORES.channels, channelKey(channel));
    },
    async reserve(channel, balance, allow) {
      const checkRead = snapshot !== undefined;
      snapshot = undefined;
      const { automatic } = options;
      const since = automatic?.receiptSince;
      const stores: StoreName[] = [STORES.channels, STORES.autopay];
      if (since !== undefined) stores.push(STORES.history);
      return inTransaction(stores, async (tx, get) => {
        // Everything is asked for at once (one round trip).
        const [record, setting, recent] = await Promise.all([
          get(STORES.channels, channelKey(channel)),
          options.autopay
            ? get<AutoPaySettings & { key: string }>(STORES.autopay, autoPayKey(options.autopay))
            : undefined,
          since === undefined
            ? []
            : newestIn<HistoryEntry>(tx.objectStore(STORES.history), (h) => h.time > since),
        ]);
        const stored = fromRecord(record);
        if (checkRead && !unchanged(stored, channel)) {
          throw new StaleRead(`Channel ${channelKey(channel)} changed since it was read.`);
        }
        if (automatic && recent.some((h) => h.path === automatic.path)) {
          throw new PaidRecently(`${automatic.path} was paid in this browser a moment ago.`);
        }
        const current = stored ?? channel;
        const charge = chargeOf(current, balance);
        const bySessionKey = !isAddressEqual(current.signer, current.sender);
        let settings: (AutoPaySettings & { key: string }) | undefined;
        if (options.autopay && bySessionKey) {
          settings = setting;
          const refusal = autoPayRefusal(settings, charge, automatic !== undefined);
          if (refusal) throw refusal;
        } else if (automatic) {
          throw new PayerError("over-policy", "Only a session key pays automatically.", {
            details: { autopay: "not-session-key" },
          });
        }
        const error = allow(charge);
        if (error) throw error;
        if (charge === 0n) return 0n;
        tx.objectStore(STORES.channels).put(
          toRecord({ ...current, signed: highestSigned(current) + charge }),
        );
        if (settings) {
          tx.objectStore(STORES.autopay).put({
            ...settings,
            spent: (BigInt(settings.spent) + charge).toString(),
          });
        }
        return charge;
      });
    },
  };
}

/**
 * Why the auto-pay setting does not allow signing `charge` more now, as the payer's error; an
 * `automatic` charge must also be within the per-article maximum.
 */
function autoPayRefusal(
  settings: AutoPaySettings | undefined,
  charge: bigint,
  automatic: boolean,
): PayerError | undefined {
  const check = checkAutoPay(settings, 0n);
  if (!check.ok) {
    return new PayerError(
      "over-policy",
      check.reason === "confirm-mode"
        ? "This channel's payments are confirmed one by one: nothing was paid automatically."
        : "Auto-pay is off in this browser: nothing was paid automatically.",
      { details: { autopay: check.reason } },
    );
  }
  const max = BigInt(settings!.maxPerArticle);
  if (automatic && charge > max) {
    return new PayerError(
      "over-policy",
      `Paying ${charge} automatically is above the auto-pay maximum of ${max} an article; nothing was paid.`,
      { details: { autopay: "over-max", charge, max } },
    );
  }
  const left = BigInt(settings!.cap) - BigInt(settings!.spent);
  if (charge > left) {
    return new PayerError(
      "over-policy",
      `Paying ${charge} automatically would exceed the auto-pay cap (${left > 0n ? left : 0n} left); nothing was paid.`,
      { details: { autopay: "over-cap", charge, cap: BigInt(settings!.cap) } },
    );
  }
  return undefined;
}
