import { describe, expect, it } from "vitest";
import {
  conversionOf,
  markReader,
  ReaderMarks,
  readerTotals,
  type ReaderEvent,
} from "@/lib/paywall/reader-marks";

type Event = [resource: string, visitor: string, event: ReaderEvent];

/** The conversion per resource after `events`, as the counter and the dashboard compute it. */
function conversions(events: Event[]): Record<string, number | null> {
  const marks = new ReaderMarks();
  for (const [resource, visitor, event] of events) marks.add(resource, visitor, event);
  const groups = [...marks.pairs()].map((p) => ({ resource: p.resource, paid: p.mark.paid }));
  return Object.fromEntries(
    readerTotals(groups).map((t) => [t.resource, conversionOf(t.paid, t.readers)]),
  );
}

describe("per-reader conversion", () => {
  it.each<[string, Event[], Record<string, number | null>]>([
    [
      "everyone pays, each after the paywall's own 402: 100 %",
      [
        ["article:a", "v1", "asked"],
        ["article:a", "v1", "paid"],
        ["article:a", "v2", "asked"],
        ["article:a", "v2", "paid"],
        ["article:a", "v3", "paid"],
      ],
      { "article:a": 1 },
    ],
    [
      "one of two readers never pays: 50 %",
      [
        ["article:a", "v1", "asked"],
        ["article:a", "v1", "paid"],
        ["article:a", "v2", "asked"],
        ["article:a", "v2", "asked"],
      ],
      { "article:a": 0.5 },
    ],
    [
      "paying twice counts once",
      [
        ["article:a", "v1", "paid"],
        ["article:a", "v1", "paid"],
        ["article:a", "v2", "asked"],
      ],
      { "article:a": 0.5 },
    ],
    [
      "a 402 then a payment by the same reader counts as paid, in either order",
      [
        ["article:a", "v1", "asked"],
        ["article:a", "v1", "paid"],
        ["article:b", "v1", "paid"],
        ["article:b", "v1", "asked"],
      ],
      { "article:a": 1, "article:b": 1 },
    ],
    [
      "readers are counted per resource",
      [
        ["article:a", "v1", "paid"],
        ["article:b", "v1", "asked"],
      ],
      { "article:a": 1, "article:b": 0 },
    ],
  ])("%s", (_name, events, expected) => {
    expect(conversions(events)).toEqual(expected);
  });

  it("has no conversion without readers", () => {
    expect(conversions([])).toEqual({});
    expect(conversionOf(0, 0)).toBeNull();
    expect(conversionOf(3, 4)).toBe(0.75);
  });
});

describe("markReader", () => {
  it("keeps a flag once set", () => {
    expect(markReader(undefined, "asked")).toEqual({ asked: true, paid: false });
    expect(markReader({ asked: true, paid: false }, "paid")).toEqual({ asked: true, paid: true });
    expect(markReader({ asked: false, paid: true }, "asked")).toEqual({ asked: true, paid: true });
  });
});

describe("ReaderMarks", () => {
  it("holds one pair per resource and reader", () => {
    const m = new ReaderMarks();
    m.add("article:a", "v1", "asked");
    m.add("article:a", "v1", "paid");
    m.add("article:a", "v2", "asked");
    m.add("media:x.jpg", "v1", "asked");
    expect(m.size).toBe(3);
    expect(m.get("article:a", "v1")).toEqual({ asked: true, paid: true });
  });

  it("drops new pairs past its bound but still merges marks of held ones", () => {
    const m = new ReaderMarks(2);
    expect(m.add("article:a", "v1", "asked")).toBe(true);
    expect(m.add("article:a", "v2", "asked")).toBe(true);
    expect(m.add("article:a", "v3", "asked")).toBe(false);
    expect(m.add("article:a", "v1", "paid")).toBe(true);
    expect(m.size).toBe(2);
    expect(m.get("article:a", "v1")).toEqual({ asked: true, paid: true });
    expect(m.get("article:a", "v3")).toBeUndefined();
  });

  it("merges a batch put back after a failed write", () => {
    const batch = new ReaderMarks();
    batch.add("article:a", "v1", "asked");
    const since = new ReaderMarks();
    since.add("article:a", "v1", "paid");
    since.add("article:a", "v2", "asked");
    batch.merge(since);
    expect([...batch.pairs()]).toEqual([
      { resource: "article:a", visitor: "v1", mark: { asked: true, paid: true } },
      { resource: "article:a", visitor: "v2", mark: { asked: true, paid: false } },
    ]);
  });
});

describe("readerTotals", () => {
  it("adds grouped rows (counts per resource and paid) and single readers", () => {
    expect(
      readerTotals([
        { resource: "article:a", paid: true, readers: 3 },
        { resource: "article:a", paid: false, readers: 1 },
        { resource: "article:b", paid: false },
      ]),
    ).toEqual([
      { resource: "article:a", readers: 4, paid: 3 },
      { resource: "article:b", readers: 1, paid: 0 },
    ]);
  });
});
