/**
 * Reorg detection: compare the block hashes recorded while indexing with the chain's, and check
 * that one fetched chunk of logs agrees with the canonical block hashes before it is stored.
 */
import type { ChannelEvent } from "./events";

/** A recorded block hash. */
export interface BlockHash {
  number: number;
  hash: string;
}

/** Looks up the canonical hash of a block; `null` when the chain has no such block (any more). */
export type HashLookup = (number: number) => Promise<string | null>;

const sameHash = (a: string | null | undefined, b: string | null | undefined) =>
  !!a && !!b && a.toLowerCase() === b.toLowerCase();

/**
 * Finds where the indexed data leaves the canonical chain.
 *
 * Every recorded block at or above `checkFrom` (the overlap window) is compared, since the hashes
 * recorded there may come from different answers of the RPC. Below the window the recorded hashes
 * are walked from the newest down until one still matches: on the canonical chain a matching hash
 * implies every ancestor matches. A block recorded twice (an event's own block hash and the block
 * hash row) matches only when every recorded hash does.
 *
 * @param recorded - recorded hashes, any order, duplicates allowed
 * @param fallback - block to restart from when no recorded hash below a mismatch matches
 * @param checkFrom - first block of the window in which every recorded hash is compared
 * @returns `null` when nothing changed, else the first block to re-index
 */
export async function findForkPoint(
  recorded: readonly BlockHash[],
  lookup: HashLookup,
  fallback: number,
  checkFrom: number = Number.POSITIVE_INFINITY,
): Promise<number | null> {
  const byNumber = new Map<number, string[]>();
  for (const b of recorded) byNumber.set(b.number, [...(byNumber.get(b.number) ?? []), b.hash]);
  const newestFirst = [...byNumber.keys()].sort((a, b) => b - a);
  let lowestMismatch: number | null = null;
  let resume: number | null = null;
  for (const number of newestFirst) {
    const canonical = await lookup(number);
    if (!byNumber.get(number)!.every((hash) => sameHash(canonical, hash))) {
      lowestMismatch = number;
      resume = null;
      continue;
    }
    if (lowestMismatch !== null && resume === null) resume = number + 1;
    if (number >= checkFrom) continue;
    return lowestMismatch === null ? null : resume;
  }
  return lowestMismatch === null ? null : (resume ?? fallback);
}

/** A stored event's identity and place, as compared with a fresh fetch. */
export type StoredEvent = Pick<ChannelEvent, "txHash" | "logIndex" | "blockNumber" | "blockHash">;

/** Verdict on one fetched chunk of logs. */
export type ChunkVerdict =
  /** The logs agree with the canonical hashes and with what is stored: store them. */
  | { type: "consistent" }
  /** The RPC's answers disagree with each other (lagging or load-balanced nodes): fetch again. */
  | { type: "inconsistent"; reason: string }
  /** What is stored from `fromBlock` on is on another fork: roll back, then store the fetch. */
  | { type: "fork"; fromBlock: number };

const eventKey = (e: Pick<StoredEvent, "txHash" | "logIndex">) =>
  `${e.txHash.toLowerCase()}:${e.logIndex}`;

/**
 * Checks a fetched chunk before it is stored: every log must carry the canonical hash of its block,
 * and every event already stored in the chunk's range must be fetched again in the same block. A
 * stored event that is missing or re-seen in another block is a fork when its block is no longer
 * canonical; when its block is still canonical the log answer is incomplete and must be refetched.
 *
 * A recorded block hash that differs from a freshly fetched canonical one is a fork as well.
 *
 * @param canonical - canonical hashes of (at least) every block that holds a fetched or stored event
 * @param recordedBlocks - block hashes recorded in the chunk's range (only those in `canonical` are compared)
 */
export function checkChunk(
  fetched: readonly StoredEvent[],
  stored: readonly StoredEvent[],
  canonical: ReadonlyMap<number, string | null>,
  recordedBlocks: readonly BlockHash[] = [],
): ChunkVerdict {
  for (const e of fetched) {
    if (!sameHash(canonical.get(e.blockNumber), e.blockHash)) {
      return {
        type: "inconsistent",
        reason: `a log of block ${e.blockNumber} carries block hash ${e.blockHash}, but the chain's block ${e.blockNumber} is ${canonical.get(e.blockNumber) ?? "missing"}`,
      };
    }
  }
  const seen = new Map(fetched.map((e) => [eventKey(e), e]));
  let fork: number | null = null;
  for (const s of stored) {
    const again = seen.get(eventKey(s));
    if (again && again.blockNumber === s.blockNumber && sameHash(again.blockHash, s.blockHash))
      continue;
    if (sameHash(canonical.get(s.blockNumber), s.blockHash)) {
      return {
        type: "inconsistent",
        reason: `event ${s.txHash}:${s.logIndex} of canonical block ${s.blockNumber} is missing from the logs`,
      };
    }
    const at = Math.min(s.blockNumber, again?.blockNumber ?? s.blockNumber);
    fork = fork === null ? at : Math.min(fork, at);
  }
  for (const b of recordedBlocks) {
    if (!canonical.has(b.number) || sameHash(canonical.get(b.number), b.hash)) continue;
    fork = fork === null ? b.number : Math.min(fork, b.number);
  }
  return fork === null ? { type: "consistent" } : { type: "fork", fromBlock: fork };
}
