/**
 * Plain props of the dashboard components, filled by the server page (amounts are bigint in
 * token base units, ETH in wei). Browser-safe: no server modules.
 */

/** One bucket of the revenue series. */
export interface SeriesPointProps {
  label: string;
  amount: bigint;
  payments: number;
}

/** One article's revenue row. */
export interface ArticleRevenueProps {
  slug: string;
  title: string;
  author: string;
  payments: number;
  revenue: bigint;
  share: number;
  /** Readers who saw the paywall or paid, each counted once. */
  readers: number;
  /** Of them, the readers who paid. */
  paidReaders: number;
  /** Paid readers ÷ readers; null when there are none. */
  conversion: number | null;
}

/** A resource other than a current article (media, upstream, removed article). */
export interface OtherRevenueProps {
  resource: string;
  kind: string;
  payments: number;
  revenue: bigint;
  share: number;
}

/** One dashboard alert. */
export interface AlertProps {
  kind: string;
  severity: "warn" | "danger";
  message: string;
  key: string;
}

/** A share 0–1 as a percentage. */
export function formatShare(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

/** The conversion as people read it: `42.5 %`, or `—` when no reader was counted. */
export function formatConversion(conversion: number | null): string {
  return conversion === null ? "—" : `${(conversion * 100).toFixed(1)} %`;
}
