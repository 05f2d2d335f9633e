/**
 * Why this browser did not pay an article by itself although the reader chose auto-pay, in words:
 * the spending cap or the per-article limit, or a channel that no longer covers the price.
 */
import { isAddressEqual } from "viem";
import { remaining } from "@/lib/browser/auto-pay";
import { checkAutoPay } from "@/lib/browser/autopay";
import { tokens } from "./format";
import type { LocalState } from "./local-state";
import type { SiteTerms } from "./types";

/**
 * One sentence for a reader whose auto-pay did not pay `price`, or "" when auto-pay is not what
 * they chose here (off, confirm-each mode, or no channel this browser can sign for).
 */
export function autoPayReason(
  state: LocalState,
  price: bigint,
  terms: Pick<SiteTerms, "tokenDecimals" | "tokenSymbol">,
): string {
  const { settings, usable, sender } = state;
  if (!settings || !settings.enabled || settings.mode !== "auto" || !usable || !sender) return "";
  if (isAddressEqual(usable.signer, sender)) return "";
  const check = checkAutoPay(settings, price);
  const t = (v: bigint | string) => tokens(v, terms);
  if (!check.ok && check.reason === "over-max") {
    return `Auto-pay did not pay this article: it costs more than your limit of ${t(settings.maxPerArticle)} per article. Raise the limit or pay it yourself.`;
  }
  if (!check.ok && check.reason === "over-cap") {
    return `Auto-pay did not pay this article: it would pass your spending cap (${t(settings.spent)} of ${t(settings.cap)} spent). Raise the cap or pay it yourself.`;
  }
  if (remaining(usable) < price) {
    return `Auto-pay did not pay this article: your channel has ${t(remaining(usable))} left. Connect your wallet to top it up.`;
  }
  return "";
}
