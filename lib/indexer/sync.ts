/**
 * One indexing pass: notice reorgs, re-read an overlap window below the synced block, fetch new
 * events up to the head, check every chunk against the canonical block hashes, store the events
 * idempotently and re-project the channels whose view changed.
 */
import type { Hex } from "viem";
import { chainConfig } from "@/lib/chain/config";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { BadGatewayError } from "@/lib/errors";
import { fetchBlockHash, fetchEvents } from "./fetch-events";
import { checkChunk, findForkPoint } from "./reorg";
import {
  channelKey,
  channelsWithEventsIn,
  EventForkError,
  pruneBlockHashes,
  recordedBlocksIn,
  recordedForForkCheck,
  reprojectChannels,
  rollbackFrom,
  storeChunk,
  storedEventsIn,
  type ChannelKey,
} from "./store";
import { ensureSyncState } from "./sync-state";

/** What one pass did. */
export interface SyncResult {
  /** Last block whose events are indexed. */
  syncedBlock: number;
  /** Chain head confirmations were counted against. */
  headBlock: number;
  /** New events stored by this pass. */
  events: number;
  /** Present when a reorg was detected: indexing restarted at `fromBlock`. */
  reorg?: { fromBlock: number };
}

/** The RPC kept giving answers that do not fit together (logs of another fork, a missing log). */
export class ChainInconsistentError extends BadGatewayError {
  override name = "ChainInconsistentError";
}

/** Extra hashes kept on top of the overlap window, to see reorgs a little deeper. */
const HASH_WINDOW_EXTRA = 64;
/** Blocks per `storeChunk` transaction: progress is saved at least this often. */
const COMMIT_CHUNKS = 4;
/** Fetches of one chunk before the pass gives up on an inconsistent RPC. */
const CHUNK_ATTEMPTS = 3;
const RETRY_DELAY_MS = 200;
/** Block hash look-ups sent at once. */
const HASH_BATCH = 16;

/** The overlap window re-read below the synced block on every pass. */
export function overlapBlocks(e: { INDEXER_OVERLAP_BLOCKS: number; CONFIRMATIONS: number }) {
  return Math.max(e.INDEXER_OVERLAP_BLOCKS, e.CONFIRMATIONS);
}

/**
 * Runs one pass. Safe to repeat and to restart at any point: progress is committed per chunk,
 * events are unique by (txHash, logIndex) and never rewritten, and projections are recomputed from
 * stored events. The last `max(INDEXER_OVERLAP_BLOCKS, CONFIRMATIONS)` blocks are read again on
 * every pass, so a log the RPC had not served yet (a lagging or load-balanced node) is still found.
 *
 * @throws {@link ChainInconsistentError} when the RPC's logs and block hashes keep disagreeing;
 *   any RPC or database failure (the runner logs it and retries)
 */
export async function syncOnce(): Promise<SyncResult> {
  const cfg = await chainConfig();
  const e = env();
  const { CONFIRMATIONS, SYNC_CHUNK_BLOCKS } = e;
  const overlap = overlapBlocks(e);
  const client = cfg.publicClient;
  const receiver = cfg.receiver.address;
  const state = await ensureSyncState(cfg);
  const head = Number(await client.getBlockNumber({ cacheTime: 0 }));
  const touched = new Set<ChannelKey>();
  let synced = state.syncedBlock;
  let reorgFrom: number | null = null;

  const rewind = async (block: number) => {
    console.warn(`[indexer] reorg detected: re-indexing from block ${block}`);
    for (const key of await rollbackFrom(block)) touched.add(key);
    reorgFrom = reorgFrom === null ? block : Math.min(reorgFrom, block);
    synced = Math.min(synced, block - 1);
  };

  // Every block hash recorded in the overlap window, including each stored event's own block,
  // is compared with the chain; below it the newest matching hash settles it.
  const seen = new Map<number, string | null>();
  const lookup = async (n: number) => {
    if (!seen.has(n)) seen.set(n, await fetchBlockHash(client, n));
    return seen.get(n)!;
  };
  const windowFrom = Math.max(state.fromBlock, synced - overlap + 1);
  const recorded = await recordedForForkCheck(overlap + HASH_WINDOW_EXTRA, windowFrom);
  const fork = await findForkPoint(recorded, lookup, state.fromBlock, windowFrom);
  if (fork !== null) await rewind(fork);
  else if (synced > head && (await lookup(synced)) === null) await rewind(head + 1);

  const canonicalHashes = async (numbers: Iterable<number>) => {
    const list = [...new Set(numbers)];
    const out = new Map<number, Hex | null>();
    for (let i = 0; i < list.length; i += HASH_BATCH) {
      const batch = list.slice(i, i + HASH_BATCH);
      const hashes = await Promise.all(batch.map((n) => fetchBlockHash(client, n)));
      batch.forEach((n, j) => out.set(n, hashes[j]!));
    }
    return out;
  };

  /**
   * Fetches, checks and stores `[from, to]`; returns the number of new events, and where to go on
   * when an event turned out to be stored in a block below `from` that left the chain.
   */
  const syncChunk = async (
    from: number,
    to: number,
  ): Promise<{ events: number; restartFrom?: number }> => {
    let reason = "";
    for (let attempt = 1; attempt <= CHUNK_ATTEMPTS; attempt += 1) {
      if (attempt > 1) await new Promise((r) => setTimeout(r, RETRY_DELAY_MS * (attempt - 1)));
      const found = await fetchEvents(client, {
        contract: cfg.deployment.contract,
        receiver,
        fromBlock: from,
        toBlock: to,
        chunkBlocks: SYNC_CHUNK_BLOCKS,
      });
      const stored = await storedEventsIn(from, to);
      const canonical = await canonicalHashes([
        to,
        ...found.map((x) => x.blockNumber),
        ...stored.map((x) => x.blockNumber),
      ]);
      const toHash = canonical.get(to);
      if (!toHash) {
        reason = `the chain has no block ${to} although its head is ${head}`;
        continue;
      }
      const verdict = checkChunk(found, stored, canonical, await recordedBlocksIn(from, to));
      if (verdict.type === "inconsistent") {
        reason = verdict.reason;
        console.warn(`[indexer] blocks ${from}–${to}, attempt ${attempt}: ${reason}`);
        continue;
      }
      if (verdict.type === "fork") await rewind(verdict.fromBlock);
      const kept = new Set(
        (verdict.type === "fork"
          ? stored.filter((x) => x.blockNumber < verdict.fromBlock)
          : stored
        ).map((x) => `${x.txHash}:${x.logIndex}`),
      );
      const fresh = found.filter((x) => !kept.has(`${x.txHash}:${x.logIndex}`));
      synced = Math.max(synced, to);
      const blocks = [to, ...found.map((x) => x.blockNumber)].map((n) => ({
        number: n,
        hash: canonical.get(n)!,
      }));
      try {
        await storeChunk(found, blocks, synced);
      } catch (err) {
        if (!(err instanceof EventForkError)) throw err;
        await rewind(Math.min(err.storedBlock.number, err.event.blockNumber));
        return { events: 0, restartFrom: synced + 1 };
      }
      for (const x of fresh) touched.add(channelKey(x.sender, x.openBlock));
      return { events: fresh.length };
    }
    throw new ChainInconsistentError(
      `the chain RPC gave inconsistent answers for blocks ${from}–${to} (${reason}); indexing retries on the next pass`,
    );
  };

  let events = 0;
  const step = SYNC_CHUNK_BLOCKS * COMMIT_CHUNKS;
  let from = Math.max(state.fromBlock, synced - overlap + 1);
  while (from <= head) {
    const to = Math.min(head, from + step - 1);
    const chunk = await syncChunk(from, to);
    events += chunk.events;
    from = chunk.restartFrom ?? to + 1;
  }

  // Events whose confirmation status flips between the previous head and this one.
  const before = state.headBlock - CONFIRMATIONS;
  const now = head - CONFIRMATIONS;
  for (const key of await channelsWithEventsIn(Math.min(before, now) + 1, Math.max(before, now)))
    touched.add(key);
  await reprojectChannels(touched, { head, confirmations: CONFIRMATIONS }, receiver);

  const receiverEth = await client.getBalance({ address: receiver });
  await db().syncState.update({
    where: { id: 1 },
    data: { syncedBlock: synced, headBlock: head, receiverEth: receiverEth.toString() },
  });
  await pruneBlockHashes(synced, overlap + HASH_WINDOW_EXTRA);
  return {
    syncedBlock: synced,
    headBlock: head,
    events,
    ...(reorgFrom !== null ? { reorg: { fromBlock: reorgFrom } } : {}),
  };
}
