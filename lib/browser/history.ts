/**
 * The local payment history: one entry per paid article, appended after the site's 2xx, kept in
 * this browser only (the site keeps its own record of accepted proofs).
 */
import { getAll, putOne, STORES, withoutKey } from "./idb";

/** One payment as remembered by this browser. */
export interface HistoryEntry {
  /** The paid path, e.g. `/articles/the-402-status-code`. */
  path: string;
  title: string;
  /** What was paid (base units). */
  amount: string;
  /** The channel's cumulative balance after the payment (base units). */
  balance: string;
  /** The channel's record key (see `channelKey`). */
  channel: string;
  /** How it was signed: by the session key or in the wallet. */
  mode?: "auto" | "confirm";
  /** When (ms since the epoch). */
  time: number;
}

/** Appends a payment to the history. */
export async function appendHistory(entry: HistoryEntry): Promise<void> {
  await putOne(STORES.history, { ...entry });
}

/** The history, newest first. */
export async function listHistory(): Promise<HistoryEntry[]> {
  const all = await getAll<HistoryEntry & { id: number }>(STORES.history);
  return all
    .sort((a, b) => b.time - a.time || b.id - a.id)
    .map((entry) => withoutKey(entry, "id") as HistoryEntry);
}
