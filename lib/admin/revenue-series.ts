/**
 * Revenue over time: payments bucketed by UTC day, ISO week (Monday 00:00 UTC) or UTC month,
 * summed in bigint (exact beyond 2^53) and zero-filled. Pure functions of plain arrays.
 */

/** The bucket size of a revenue series. */
export type Period = "day" | "week" | "month";

/** The periods a series can be drawn by. */
export const PERIODS: readonly Period[] = ["day", "week", "month"];

/** One accepted payment as the revenue figures need it. */
export interface PaymentFact {
  resource: string;
  /** Token base units. */
  amount: bigint;
  createdAt: Date;
}

/** One bucket of a series. */
export interface SeriesPoint {
  /** Start of the bucket (UTC). */
  start: Date;
  /** `2026-11-28`, `2026-W48` or `2026-11`. */
  label: string;
  /** Σ amount of the bucket's payments, token base units. */
  amount: bigint;
  payments: number;
}

const DAY_MS = 86_400_000;

/** The start (UTC) of the bucket `date` falls in. */
export function bucketStart(date: Date, period: Period): Date {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  const d = date.getUTCDate();
  if (period === "month") return new Date(Date.UTC(y, m, 1));
  const day = new Date(Date.UTC(y, m, d));
  if (period === "day") return day;
  // getUTCDay: Sunday 0 … Saturday 6; ISO weeks start on Monday.
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - sinceMonday * DAY_MS);
}

/** The start of the bucket after the one starting at `start`. */
export function nextBucket(start: Date, period: Period): Date {
  if (period === "month")
    return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  return new Date(start.getTime() + (period === "week" ? 7 : 1) * DAY_MS);
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** ISO 8601 week-numbering year and week of a Monday. */
function isoWeek(monday: Date): { year: number; week: number } {
  // The week belongs to the year of its Thursday.
  const thursday = new Date(monday.getTime() + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return { year, week };
}

/** The label of the bucket starting at `start`: `2026-11-28`, `2026-W48` or `2026-11`. */
export function bucketLabel(start: Date, period: Period): string {
  const ym = `${start.getUTCFullYear()}-${pad(start.getUTCMonth() + 1)}`;
  if (period === "month") return ym;
  if (period === "day") return `${ym}-${pad(start.getUTCDate())}`;
  const { year, week } = isoWeek(start);
  return `${year}-W${pad(week)}`;
}

/**
 * The revenue series of the payments made in [from, to), one point per bucket from the bucket of
 * `from` to the bucket of the last instant before `to`, buckets without payments included at 0.
 *
 * @example
 * revenueSeries(payments, "week", { from: new Date("2026-11-01"), to: new Date("2026-12-01") })
 */
export function revenueSeries(
  payments: readonly PaymentFact[],
  period: Period,
  range: { from: Date; to: Date },
): SeriesPoint[] {
  if (range.to.getTime() <= range.from.getTime()) return [];
  const points: SeriesPoint[] = [];
  const index = new Map<number, SeriesPoint>();
  const last = bucketStart(new Date(range.to.getTime() - 1), period).getTime();
  for (
    let start = bucketStart(range.from, period);
    start.getTime() <= last;
    start = nextBucket(start, period)
  ) {
    const point = { start, label: bucketLabel(start, period), amount: 0n, payments: 0 };
    points.push(point);
    index.set(start.getTime(), point);
  }
  for (const p of payments) {
    const t = p.createdAt.getTime();
    if (t < range.from.getTime() || t >= range.to.getTime()) continue;
    const point = index.get(bucketStart(p.createdAt, period).getTime());
    if (!point) continue;
    point.amount += p.amount;
    point.payments += 1;
  }
  return points;
}

/** How many buckets the dashboard shows per period. */
export const SERIES_LENGTH: Record<Period, number> = { day: 30, week: 26, month: 12 };

/**
 * The dashboard's range for a period: the last {@link SERIES_LENGTH} buckets, the current one
 * (up to now) included.
 */
export function seriesRange(period: Period, now: Date): { from: Date; to: Date } {
  let from = bucketStart(now, period);
  for (let i = 1; i < SERIES_LENGTH[period]; i++) {
    from =
      period === "month"
        ? new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() - 1, 1))
        : new Date(from.getTime() - (period === "week" ? 7 : 1) * DAY_MS);
  }
  return { from, to: nextBucket(bucketStart(now, period), period) };
}
