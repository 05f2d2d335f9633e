/**
 * Reorg detection: compare the block hashes recorded while indexing with the chain's.
 */

/** A recorded block hash. */
export interface BlockHash {
  number: number;
  hash: string;
}

/** Looks up the canonical hash of a block; `null` when the chain has no such block (any more). */
export type HashLookup = (number: number) => Promise<string | null>;

/**
 * Finds where the indexed data leaves the canonical chain.
 *
 * Walks the recorded hashes from the newest down and stops at the first that still matches;
 * everything above it is suspect. Checking only the newest is enough in the common case: a
 * matching head hash implies every ancestor matches.
 *
 * @param recorded - recorded hashes, any order
 * @param fallback - block to restart from when no recorded hash matches (deeper than retained)
 * @returns `null` when nothing changed, else the first block to re-index
 */
export async function findForkPoint(
  recorded: readonly BlockHash[],
  lookup: HashLookup,
  fallback: number,
): Promise<number | null> {
  const newestFirst = [...recorded].sort((a, b) => b.number - a.number);
  let mismatched = false;
  for (const block of newestFirst) {
    const canonical = await lookup(block.number);
    if (canonical !== null && canonical.toLowerCase() === block.hash.toLowerCase()) {
      return mismatched ? block.number + 1 : null;
    }
    mismatched = true;
  }
  return mismatched ? fallback : null;
}
