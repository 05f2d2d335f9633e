/**
 * One indexing pass: notice reorgs, fetch new events up to the head, store them idempotently and
 * re-project the channels whose view changed.
 */
import { chainConfig } from "@/lib/chain/config";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { fetchEvents } from "./fetch-events";
import { findForkPoint } from "./reorg";
import {
  channelKey,
  channelsWithEventsIn,
  pruneBlockHashes,
  reprojectChannels,
  rollbackFrom,
  storeChunk,
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

/** Extra hashes kept on top of the confirmation depth, to see reorgs a little deeper. */
const HASH_WINDOW_EXTRA = 64;
/** Blocks per `storeChunk` transaction: progress is saved at least this often. */
const COMMIT_CHUNKS = 4;

/**
 * Runs one pass. Safe to repeat and to restart at any point: progress is committed per chunk,
 * events are unique by (txHash, logIndex) and projections are recomputed from stored events.
 *
 * @throws when the RPC or the database fails (the runner logs it and retries)
 */
export async function syncOnce(): Promise<SyncResult> {
  const cfg = await chainConfig();
  const { CONFIRMATIONS, SYNC_CHUNK_BLOCKS } = env();
  const client = cfg.publicClient;
  const receiver = cfg.receiver.address;
  let state = await ensureSyncState(cfg);
  const head = Number(await client.getBlockNumber({ cacheTime: 0 }));
  const touched = new Set<ChannelKey>();
  let reorg: SyncResult["reorg"];

  // The newest recorded hashes suffice: a matching newest hash means no reorg; a reorg deeper
  // than all of them falls back to re-indexing from the start block.
  const recorded = await db().indexedBlock.findMany({
    orderBy: { number: "desc" },
    take: CONFIRMATIONS + HASH_WINDOW_EXTRA,
  });
  const fork = await findForkPoint(
    recorded,
    async (n) =>
      n > head
        ? null
        : ((await client.getBlock({ blockNumber: BigInt(n) }).catch(() => null))?.hash ?? null),
    state.fromBlock,
  );
  const rewindTo = fork ?? (state.syncedBlock > head ? head + 1 : null);
  if (rewindTo !== null) {
    console.warn(`[indexer] reorg detected: re-indexing from block ${rewindTo}`);
    for (const key of await rollbackFrom(rewindTo)) touched.add(key);
    reorg = { fromBlock: rewindTo };
    state = { ...state, syncedBlock: rewindTo - 1 };
  }

  let events = 0;
  const step = SYNC_CHUNK_BLOCKS * COMMIT_CHUNKS;
  for (let from = state.syncedBlock + 1; from <= head; from += step) {
    const to = Math.min(head, from + step - 1);
    const found = await fetchEvents(client, {
      contract: cfg.deployment.contract,
      receiver,
      fromBlock: from,
      toBlock: to,
      chunkBlocks: SYNC_CHUNK_BLOCKS,
    });
    const block = await client.getBlock({ blockNumber: BigInt(to) });
    await storeChunk(found, { number: to, hash: block.hash });
    for (const e of found) touched.add(channelKey(e.sender, e.openBlock));
    events += found.length;
  }
  const syncedBlock = Math.max(state.syncedBlock, head);

  // Events whose confirmation status flips between the previous head and this one.
  const before = state.headBlock - CONFIRMATIONS;
  const now = head - CONFIRMATIONS;
  for (const key of await channelsWithEventsIn(Math.min(before, now) + 1, Math.max(before, now)))
    touched.add(key);
  await reprojectChannels(touched, { head, confirmations: CONFIRMATIONS }, receiver);

  const receiverEth = await client.getBalance({ address: receiver });
  await db().syncState.update({
    where: { id: 1 },
    data: { syncedBlock, headBlock: head, receiverEth: receiverEth.toString() },
  });
  await pruneBlockHashes(syncedBlock, CONFIRMATIONS + HASH_WINDOW_EXTRA);
  return { syncedBlock, headBlock: head, events, ...(reorg ? { reorg } : {}) };
}
