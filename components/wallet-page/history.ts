/**
 * The wallet page's payment history: what this browser remembers (local history) merged with what
 * the site accepted (`GET /api/1/channels/:sender/:open_block/payments`), one row per payment.
 */
import { formatUnits } from "viem";
import { toCsv } from "./csv";

/** A payment as this browser remembers it (the local history's entry). */
export type LocalPayment = {
  /** The paid path, e.g. `/articles/the-402-status-code`. */
  path: string;
  title: string;
  /** Base units, decimal. */
  amount: string;
  /** The channel's cumulative balance after the payment, decimal. */
  balance: string;
  /** The channel's record key. */
  channel: string;
  /** Milliseconds since the epoch. */
  time: number;
};

/** A payment as the site's API returns it. */
export type SitePayment = {
  resource: string;
  amount: string;
  balance: string;
  created_at: string;
  /** The article's title, when the site still has the article. */
  title?: string;
};

/** One channel's payments as the site reported them. */
export type SiteHistory = { channel: string; openBlock: number; payments: readonly SitePayment[] };

/** One row of the merged history. */
export type HistoryRow = {
  /** Unique per payment: the channel key and the balance (a balance is paid once per channel). */
  id: string;
  channel: string;
  openBlock: number | null;
  /** What was paid for: the site's resource name (`article:<slug>`) or the local path. */
  resource: string;
  /** The article's page when the payment was for an article. */
  href: string | null;
  /** The article's title when known. */
  title: string | null;
  amount: bigint;
  balance: bigint;
  /** Milliseconds since the epoch (the site's time when it reported the payment). */
  time: number;
  /** Who reported it: this browser, the site, or both. */
  source: "local" | "site" | "both";
};

const ARTICLE_PATH = /^\/articles\/([^/?#]+)$/;
const ARTICLE_RESOURCE = /^article:(.+)$/;

/** The article slug of a local path (`/articles/<slug>`) or a site resource (`article:<slug>`). */
export function articleSlug(resourceOrPath: string): string | null {
  const m = ARTICLE_RESOURCE.exec(resourceOrPath) ?? ARTICLE_PATH.exec(resourceOrPath);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return m[1]!;
  }
}

const articleHref = (slug: string) => `/articles/${encodeURIComponent(slug)}`;

/**
 * Merges the local history with the site's: a payment both know (same channel and balance) is one
 * row, with the title from this browser and the site's time. Titles this browser saw for an
 * article also name the site's rows of that article. Newest first (then highest balance).
 *
 * @param openBlocks - channel key → open block, for local rows of channels the site did not list
 */
export function mergeHistory(
  local: readonly LocalPayment[],
  site: readonly SiteHistory[],
  openBlocks: ReadonlyMap<string, number> = new Map(),
): HistoryRow[] {
  const titles = new Map<string, string>();
  for (const p of local) {
    const slug = articleSlug(p.path);
    if (slug && p.title) titles.set(slug, p.title);
  }
  const rows = new Map<string, HistoryRow>();
  for (const p of local) {
    const slug = articleSlug(p.path);
    const id = `${p.channel}:${BigInt(p.balance)}`;
    rows.set(id, {
      id,
      channel: p.channel,
      openBlock: openBlocks.get(p.channel) ?? null,
      resource: slug ? `article:${slug}` : p.path,
      href: slug ? articleHref(slug) : null,
      title: p.title || (slug ? (titles.get(slug) ?? null) : null),
      amount: BigInt(p.amount),
      balance: BigInt(p.balance),
      time: p.time,
      source: "local",
    });
  }
  for (const h of site) {
    for (const p of h.payments) {
      const id = `${h.channel}:${BigInt(p.balance)}`;
      const slug = articleSlug(p.resource);
      const time = Date.parse(p.created_at);
      const known = rows.get(id);
      rows.set(id, {
        id,
        channel: h.channel,
        openBlock: h.openBlock,
        resource: p.resource,
        href: slug ? articleHref(slug) : null,
        title: known?.title ?? (slug ? (titles.get(slug) ?? p.title ?? null) : null),
        amount: BigInt(p.amount),
        balance: BigInt(p.balance),
        time: Number.isFinite(time) ? time : (known?.time ?? 0),
        source: known ? "both" : "site",
      });
    }
  }
  return [...rows.values()].sort(
    (a, b) => b.time - a.time || (a.balance < b.balance ? 1 : a.balance > b.balance ? -1 : 0),
  );
}

/** The header row of the CSV export. */
export const HISTORY_CSV_HEADER = [
  "time",
  "channel_open_block",
  "resource",
  "title",
  "amount",
  "token",
  "amount_base_units",
  "balance_base_units",
  "source",
] as const;

/** The history as CSV: amounts in token units and in base units, times in ISO 8601 (UTC). */
export function historyCsv(
  rows: readonly HistoryRow[],
  token: { symbol: string; decimals: number },
): string {
  return toCsv(
    HISTORY_CSV_HEADER,
    rows.map((r) => [
      new Date(r.time).toISOString(),
      r.openBlock ?? "",
      r.resource,
      r.title ?? "",
      formatUnits(r.amount, token.decimals),
      token.symbol,
      r.amount,
      r.balance,
      r.source,
    ]),
  );
}
