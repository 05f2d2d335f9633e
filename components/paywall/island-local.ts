/**
 * What the paywall island reads from IndexedDB once this browser holds a channel: loaded on demand
 * (`import()`), so that a reader without one downloads neither the stored records' validation
 * (zod) nor viem's address and key code with the paywall.
 */
import { findAutoPayment } from "@/lib/browser/auto-pay";
import { autoPayReason } from "./auto-pay-reason";
import { readLocalState, type LocalState } from "./local-state";
import type { SiteTerms } from "./types";

export { readLocalState };

/**
 * What could pay `price` by itself (auto-pay), the reader's state (for that payment's sender, else
 * the newest channel's) and, when nothing pays automatically, why in words ("" when auto-pay is
 * not what the reader chose).
 */
export async function islandState(terms: SiteTerms, price: bigint) {
  const auto = await findAutoPayment(terms, price);
  const state: LocalState = await readLocalState(terms, price, auto?.channel.sender);
  return { auto, state, reason: auto ? "" : autoPayReason(state, price, terms) };
}
