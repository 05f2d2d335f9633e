import { describe, expect, it } from "vitest";
import {
  bucketLabel,
  bucketStart,
  revenueSeries,
  seriesRange,
  type PaymentFact,
  type Period,
} from "@/lib/admin/revenue-series";

const at = (iso: string) => new Date(iso);
const pay = (iso: string, amount: bigint, resource = "article:a"): PaymentFact => ({
  resource,
  amount,
  createdAt: at(iso),
});

describe("bucketStart / bucketLabel", () => {
  it.each<[string, Period, string, string]>([
    // Sunday 23:59:59.999 belongs to the week that began on the Monday before.
    ["2026-11-29T23:59:59.999Z", "week", "2026-11-23T00:00:00.000Z", "2026-W48"],
    // Monday 00:00 starts a new ISO week.
    ["2026-11-30T00:00:00.000Z", "week", "2026-11-30T00:00:00.000Z", "2026-W49"],
    // ISO week 1 of 2026 begins on Monday 29 December 2025.
    ["2025-12-31T12:00:00.000Z", "week", "2025-12-29T00:00:00.000Z", "2026-W01"],
    // 1 January 2027 is a Friday: still week 53 of 2026.
    ["2027-01-01T08:00:00.000Z", "week", "2026-12-28T00:00:00.000Z", "2026-W53"],
    ["2026-11-30T23:59:59.999Z", "day", "2026-11-30T00:00:00.000Z", "2026-11-30"],
    ["2026-12-01T00:00:00.000Z", "day", "2026-12-01T00:00:00.000Z", "2026-12-01"],
    ["2026-11-30T23:59:59.999Z", "month", "2026-11-01T00:00:00.000Z", "2026-11"],
    ["2026-12-01T00:00:00.000Z", "month", "2026-12-01T00:00:00.000Z", "2026-12"],
    ["2028-02-29T23:59:59.999Z", "day", "2028-02-29T00:00:00.000Z", "2028-02-29"],
    ["2028-02-29T12:00:00.000Z", "month", "2028-02-01T00:00:00.000Z", "2028-02"],
  ])("%s by %s starts at %s (%s)", (when, period, start, label) => {
    const s = bucketStart(at(when), period);
    expect(s.toISOString()).toBe(start);
    expect(bucketLabel(s, period)).toBe(label);
  });

  it("uses UTC, whatever the offset the time was written with", () => {
    // 00:30 in Berlin on 1 December is still 30 November in UTC.
    expect(bucketLabel(bucketStart(at("2026-12-01T00:30:00+01:00"), "day"), "day")).toBe(
      "2026-11-30",
    );
  });
});

describe("revenueSeries", () => {
  it("splits Sunday 23:59 and Monday 00:00 into two weeks", () => {
    const series = revenueSeries(
      [pay("2026-11-29T23:59:00Z", 1n), pay("2026-11-30T00:00:00Z", 2n)],
      "week",
      { from: at("2026-11-23T00:00:00Z"), to: at("2026-12-07T00:00:00Z") },
    );
    expect(series.map((p) => [p.label, p.amount, p.payments])).toEqual([
      ["2026-W48", 1n, 1],
      ["2026-W49", 2n, 1],
    ]);
  });

  it("zero-fills every bucket between the first and the last of the range", () => {
    const series = revenueSeries(
      [pay("2028-02-27T10:00:00Z", 5n), pay("2028-03-02T10:00:00Z", 7n)],
      "day",
      { from: at("2028-02-27T00:00:00Z"), to: at("2028-03-03T00:00:00Z") },
    );
    expect(series.map((p) => p.label)).toEqual([
      "2028-02-27",
      "2028-02-28",
      "2028-02-29",
      "2028-03-01",
      "2028-03-02",
    ]);
    expect(series.map((p) => p.amount)).toEqual([5n, 0n, 0n, 0n, 7n]);
  });

  it("buckets month ends and leap days into their month", () => {
    const series = revenueSeries(
      [
        pay("2028-01-31T23:59:59.999Z", 1n),
        pay("2028-02-01T00:00:00Z", 10n),
        pay("2028-02-29T23:59:59Z", 100n),
        pay("2028-03-01T00:00:00Z", 1000n),
      ],
      "month",
      { from: at("2028-01-01T00:00:00Z"), to: at("2028-04-01T00:00:00Z") },
    );
    expect(series.map((p) => [p.label, p.amount])).toEqual([
      ["2028-01", 1n],
      ["2028-02", 110n],
      ["2028-03", 1000n],
    ]);
  });

  it("sums exactly beyond 2^53", () => {
    const big = 2n ** 53n + 1n;
    const series = revenueSeries(
      [
        pay("2026-11-28T01:00:00Z", big),
        pay("2026-11-28T02:00:00Z", big),
        pay("2026-11-28T03:00:00Z", 1n),
      ],
      "day",
      { from: at("2026-11-28T00:00:00Z"), to: at("2026-11-29T00:00:00Z") },
    );
    expect(series).toHaveLength(1);
    expect(series[0]!.amount).toBe(2n ** 54n + 3n);
    expect(series[0]!.amount.toString()).toBe("18014398509481987");
  });

  it("leaves out payments outside [from, to)", () => {
    const series = revenueSeries(
      [
        pay("2026-11-27T23:59:59.999Z", 1n),
        pay("2026-11-28T00:00:00Z", 2n),
        pay("2026-11-29T00:00:00Z", 4n),
      ],
      "day",
      { from: at("2026-11-28T00:00:00Z"), to: at("2026-11-29T00:00:00Z") },
    );
    expect(series.map((p) => p.amount)).toEqual([2n]);
  });

  it("is empty for an empty range", () => {
    const t = at("2026-11-28T00:00:00Z");
    expect(revenueSeries([pay("2026-11-28T00:00:00Z", 1n)], "day", { from: t, to: t })).toEqual([]);
  });
});

describe("seriesRange", () => {
  const now = at("2026-11-28T15:00:00Z"); // a Saturday
  it.each<[Period, number, string, string]>([
    ["day", 30, "2026-10-30", "2026-11-28"],
    ["week", 26, "2026-W23", "2026-W48"],
    ["month", 12, "2025-12", "2026-11"],
  ])("by %s: the last %i buckets, the current one included", (period, n, first, last) => {
    const series = revenueSeries([], period, seriesRange(period, now));
    expect(series).toHaveLength(n);
    expect(series[0]!.label).toBe(first);
    expect(series.at(-1)!.label).toBe(last);
  });
});
