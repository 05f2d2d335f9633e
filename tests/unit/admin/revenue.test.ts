import { describe, expect, it } from "vitest";
import {
  conversionOf,
  revenueBreakdown,
  shareOf,
  type ArticleFact,
  type PaymentFact,
} from "@/lib/admin/revenue";

const T = 10n ** 18n;
const when = new Date("2026-11-28T12:00:00Z");
const pay = (resource: string, amount: bigint): PaymentFact => ({
  resource,
  amount,
  createdAt: when,
});
const articles: ArticleFact[] = [
  { slug: "a1", title: "First", author: "Ada Lovelace" },
  { slug: "a2", title: "Second", author: "Ada Lovelace " },
  { slug: "b1", title: "Third", author: "Bob" },
  { slug: "c1", title: "Unread", author: "Cy" },
];

describe("revenueBreakdown", () => {
  const payments = [
    pay("article:a1", T),
    pay("article:a1", T),
    pay("article:a2", 2n * T),
    pay("article:b1", T / 2n),
    pay("media:photos/cat.jpg", 3n),
    pay("upstream:https://example.org/x", 5n),
    pay("article:gone", 7n),
  ];
  const r = revenueBreakdown(payments, articles, [
    { resource: "article:a1", readers: 8, paid: 2 },
    { resource: "article:b1", readers: 0, paid: 0 },
    { resource: "media:photos/cat.jpg", readers: 5, paid: 1 },
  ]);

  it("totals every payment", () => {
    expect(r.total).toBe(4n * T + T / 2n + 15n);
    expect(r.payments).toBe(7);
  });

  it("sums each article and gives its share", () => {
    const a1 = r.articles.find((a) => a.slug === "a1")!;
    expect(a1).toMatchObject({
      title: "First",
      author: "Ada Lovelace",
      payments: 2,
      revenue: 2n * T,
    });
    expect(a1.share).toBeCloseTo(Number(2n * T) / Number(r.total), 5);
    expect(r.articles.find((a) => a.slug === "c1")).toMatchObject({
      payments: 0,
      revenue: 0n,
      share: 0,
    });
    // Highest revenue first.
    expect(r.articles.map((a) => a.slug)).toEqual(["a1", "a2", "b1", "c1"]);
  });

  it("groups several articles of one author (surrounding blanks ignored)", () => {
    expect(r.authors).toEqual([
      { author: "Ada Lovelace", articles: 2, payments: 3, revenue: 4n * T },
      { author: "Bob", articles: 1, payments: 1, revenue: T / 2n },
      { author: "Cy", articles: 1, payments: 0, revenue: 0n },
    ]);
  });

  it("labels media, upstream and removed articles as other resources", () => {
    expect(r.other.map((o) => [o.resource, o.kind, o.revenue])).toEqual([
      ["article:gone", "removed article", 7n],
      ["upstream:https://example.org/x", "upstream", 5n],
      ["media:photos/cat.jpg", "media", 3n],
    ]);
  });

  it("gives the conversion of readers, only where readers were counted", () => {
    const by = (slug: string) => r.articles.find((a) => a.slug === slug)!;
    expect(by("a1")).toMatchObject({ readers: 8, paidReaders: 2, conversion: 0.25 });
    // Paid reads without counted readers (older data) give no conversion.
    expect(by("a2")).toMatchObject({ payments: 1, readers: 0, paidReaders: 0, conversion: null });
    expect(by("b1")).toMatchObject({ readers: 0, conversion: null });
    expect(by("c1").conversion).toBeNull();
  });

  it("sums per author exactly beyond 2^53", () => {
    const big = 2n ** 60n + 1n;
    const { authors } = revenueBreakdown(
      [pay("article:a1", big), pay("article:a2", big)],
      articles,
    );
    expect(authors[0]).toMatchObject({ author: "Ada Lovelace", revenue: 2n ** 61n + 2n });
  });
});

describe("conversionOf / shareOf", () => {
  it.each([
    [3, 4, 0.75],
    [0, 5, 0],
    [4, 4, 1],
    [0, 0, null],
  ])("%i paid of %i readers → %s", (paid, readers, expected) => {
    expect(conversionOf(paid, readers)).toBe(expected);
  });

  it("computes shares in bigint and 0 of nothing", () => {
    expect(shareOf(1n, 4n)).toBe(0.25);
    expect(shareOf(2n ** 70n, 2n ** 71n)).toBe(0.5);
    expect(shareOf(0n, 0n)).toBe(0);
  });
});
