/**
 * The per-reader conversion as pure values: what a reader of one resource did (was shown the
 * paywall, paid), merged so that each reader counts once per resource however often they come
 * back, and the totals per resource the dashboard divides. lib/paywall/reader-counter.ts keeps a
 * {@link ReaderMarks} batch in memory and writes it with the same merge in SQL; the dashboard reads
 * the stored rows grouped by resource and paid, and folds them with {@link readerTotals}.
 */

/** What a reader did: was answered with the paywall (402), or paid. */
export type ReaderEvent = "asked" | "paid";

/** What one reader did for one resource so far. Once set, a flag stays set. */
export interface ReaderMark {
  asked: boolean;
  paid: boolean;
}

/** `mark` with `event` added. */
export function markReader(mark: ReaderMark | undefined, event: ReaderEvent): ReaderMark {
  return {
    asked: (mark?.asked ?? false) || event === "asked",
    paid: (mark?.paid ?? false) || event === "paid",
  };
}

/** One reader's mark, with the resource and the reader it belongs to. */
export interface ReaderPair {
  resource: string;
  visitor: string;
  mark: ReaderMark;
}

/**
 * Marks per resource and reader, bounded: beyond `maxPairs` pairs a new pair is dropped (an event
 * of a pair already held is always merged).
 */
export class ReaderMarks {
  private readonly byResource = new Map<string, Map<string, ReaderMark>>();
  private pairCount = 0;

  constructor(readonly maxPairs = Number.POSITIVE_INFINITY) {}

  /** Pairs held. */
  get size(): number {
    return this.pairCount;
  }

  /** Adds `event` of `visitor` on `resource`; false when it was dropped (the batch is full). */
  add(resource: string, visitor: string, event: ReaderEvent): boolean {
    let readers = this.byResource.get(resource);
    const mark = readers?.get(visitor);
    if (mark) {
      if (event === "asked") mark.asked = true;
      else mark.paid = true;
      return true;
    }
    if (this.pairCount >= this.maxPairs) return false;
    if (!readers) this.byResource.set(resource, (readers = new Map()));
    readers.set(visitor, markReader(undefined, event));
    this.pairCount += 1;
    return true;
  }

  /** The mark of one pair, if held. */
  get(resource: string, visitor: string): ReaderMark | undefined {
    return this.byResource.get(resource)?.get(visitor);
  }

  /** Every pair held. */
  *pairs(): IterableIterator<ReaderPair> {
    for (const [resource, readers] of this.byResource) {
      for (const [visitor, mark] of readers) yield { resource, visitor, mark };
    }
  }

  /** Adds every pair of `other` (a batch that could not be written, put back). */
  merge(other: ReaderMarks): void {
    for (const { resource, visitor, mark } of other.pairs()) {
      if (mark.asked) this.add(resource, visitor, "asked");
      if (mark.paid) this.add(resource, visitor, "paid");
    }
  }
}

/** The readers of one resource: all of them, and those who paid. */
export interface ReaderFact {
  resource: string;
  /** Readers who were shown the paywall or paid. */
  readers: number;
  /** Of them, those who paid. */
  paid: number;
}

/** Readers of a resource who paid, or did not (`readers` of them; 1 when left out). */
export interface ReaderGroup {
  resource: string;
  paid: boolean;
  readers?: number;
}

/**
 * Totals per resource of readers, each given once or as a group with its count: what the
 * conversion divides.
 *
 * @example
 * readerTotals([{ resource: "article:a", paid: true }, { resource: "article:a", paid: false }]);
 * // [{ resource: "article:a", readers: 2, paid: 1 }]
 */
export function readerTotals(groups: Iterable<ReaderGroup>): ReaderFact[] {
  const totals = new Map<string, ReaderFact>();
  for (const g of groups) {
    const n = g.readers ?? 1;
    let t = totals.get(g.resource);
    if (!t) totals.set(g.resource, (t = { resource: g.resource, readers: 0, paid: 0 }));
    t.readers += n;
    if (g.paid) t.paid += n;
  }
  return [...totals.values()];
}

/** Readers who paid ÷ readers who were shown the paywall or paid; null when there are none. */
export function conversionOf(paid: number, readers: number): number | null {
  return readers > 0 ? paid / readers : null;
}
