/**
 * The browser's {@link PayerChannelStore}: channels in the site's IndexedDB database, one record
 * per (chainId, contract, sender, receiver, openBlock), in the payer core's JSON form.
 */
import { channelToJson, storedChannelSchema } from "@/lib/protocol/client/store";
import type { PayerChannel, PayerChannelStore } from "@/lib/protocol/client/types";
import { deleteOne, getAll, putOne, STORES } from "./idb";

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

/**
 * The channels of this browser, kept in IndexedDB (they survive reloads and are shared by the
 * site's tabs).
 *
 * @example
 * const payer = createPayer({ account, walletClient, publicClient, store: indexedDbChannelStore() });
 */
export function indexedDbChannelStore(): PayerChannelStore {
  return {
    async list() {
      const records = await getAll<unknown>(STORES.channels);
      return records.map(fromRecord).filter((c): c is PayerChannel => c !== undefined);
    },
    async put(channel) {
      await putOne(STORES.channels, { ...channelToJson(channel), key: channelKey(channel) });
    },
    async remove(channel) {
      await deleteOne(STORES.channels, channelKey(channel));
    },
  };
}
