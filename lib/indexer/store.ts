/**
 * Database side of the indexer: idempotent event storage, block-hash bookkeeping and writing
 * channel projections (event-derived columns only).
 */
import { getAddress } from "viem";
import { db } from "@/lib/db/client";
import { eventFromRow, type ChannelEvent } from "./events";
import { projectChannel, type ConfirmationContext } from "./project";

/** A channel of this receiver, as `"<sender>:<openBlock>"`. */
export type ChannelKey = string;

/** The key of the channel an event belongs to. */
export function channelKey(sender: string, openBlock: number): ChannelKey {
  return `${getAddress(sender)}:${openBlock}`;
}

function parseKey(key: ChannelKey): { sender: string; openBlock: number } {
  const [sender, openBlock] = key.split(":");
  return { sender: sender!, openBlock: Number(openBlock) };
}

/** An event is already stored with another block: that block left the chain, roll back first. */
export class EventForkError extends Error {
  override name = "EventForkError";
  constructor(
    readonly event: ChannelEvent,
    readonly storedBlock: { number: number; hash: string },
  ) {
    super(
      `event ${event.txHash}:${event.logIndex} is stored in block ${storedBlock.number} (${storedBlock.hash}) but was fetched in block ${event.blockNumber} (${event.blockHash})`,
    );
  }
}

/**
 * Stores new events (unique by txHash + logIndex; one stored already in the same block is left as
 * it is) and the canonical hashes of `blocks`, in one transaction together with `syncedBlock`.
 * A stored event is never rewritten: its own block hash is what later passes check for a fork.
 *
 * @throws {@link EventForkError} when an event is already stored in another block
 */
export async function storeChunk(
  events: readonly ChannelEvent[],
  blocks: ReadonlyArray<{ number: number; hash: string }>,
  syncedBlock: number,
): Promise<void> {
  const existing =
    events.length === 0
      ? []
      : await db().chainEvent.findMany({
          where: { txHash: { in: [...new Set(events.map((e) => e.txHash))] } },
          select: { txHash: true, logIndex: true, blockNumber: true, blockHash: true },
        });
  const stored = new Map(existing.map((r) => [`${r.txHash}:${r.logIndex}`, r]));
  const fresh: ChannelEvent[] = [];
  for (const e of events) {
    const row = stored.get(`${e.txHash}:${e.logIndex}`);
    if (!row) fresh.push(e);
    else if (
      row.blockNumber !== e.blockNumber ||
      row.blockHash.toLowerCase() !== e.blockHash.toLowerCase()
    )
      throw new EventForkError(e, { number: row.blockNumber, hash: row.blockHash });
  }
  const hashes = new Map<number, string>(blocks.map((b) => [b.number, b.hash]));
  await db().$transaction([
    ...fresh.map((e) => {
      const row = { ...e, args: JSON.stringify(e.args) };
      // `update: {}`: a row written concurrently is kept as it is, never rewritten.
      return db().chainEvent.upsert({
        where: { txHash_logIndex: { txHash: e.txHash, logIndex: e.logIndex } },
        create: row,
        update: {},
      });
    }),
    ...[...hashes].map(([number, hash]) =>
      db().indexedBlock.upsert({ where: { number }, create: { number, hash }, update: { hash } }),
    ),
    db().syncState.update({ where: { id: 1 }, data: { syncedBlock } }),
  ]);
}

/** Events stored in blocks `[from, to]`, with their own block hashes. */
export async function storedEventsIn(from: number, to: number): Promise<ChannelEvent[]> {
  const rows = await db().chainEvent.findMany({
    where: { blockNumber: { gte: from, lte: to } },
    orderBy: [{ blockNumber: "asc" }, { logIndex: "asc" }],
  });
  return rows.map(eventFromRow);
}

/** Recorded block hashes in `[from, to]`. */
export async function recordedBlocksIn(
  from: number,
  to: number,
): Promise<Array<{ number: number; hash: string }>> {
  return db().indexedBlock.findMany({
    where: { number: { gte: from, lte: to } },
    select: { number: true, hash: true },
  });
}

/**
 * The block hashes to compare when looking for a fork: the newest `take` recorded block hashes,
 * plus the own block hash of every event stored from `windowFrom` on.
 */
export async function recordedForForkCheck(
  take: number,
  windowFrom: number,
): Promise<Array<{ number: number; hash: string }>> {
  const [blocks, events] = await Promise.all([
    db().indexedBlock.findMany({ orderBy: { number: "desc" }, take }),
    db().chainEvent.findMany({
      where: { blockNumber: { gte: windowFrom } },
      select: { blockNumber: true, blockHash: true },
      distinct: ["blockNumber", "blockHash"],
    }),
  ]);
  return [
    ...blocks.map((b) => ({ number: b.number, hash: b.hash })),
    ...events.map((e) => ({ number: e.blockNumber, hash: e.blockHash })),
  ];
}

/** Forgets hashes older than `window` blocks below `synced`, except blocks that hold events. */
export async function pruneBlockHashes(synced: number, window: number): Promise<void> {
  await db()
    .$executeRaw`DELETE FROM "IndexedBlock" WHERE "number" < ${synced - window} AND "number" NOT IN (SELECT "blockNumber" FROM "ChainEvent")`;
}

/**
 * Deletes everything indexed from block `fork` on (events and hashes) and rewinds syncedBlock.
 *
 * @returns the channels whose events were deleted
 */
export async function rollbackFrom(fork: number): Promise<Set<ChannelKey>> {
  const gone = await db().chainEvent.findMany({
    where: { blockNumber: { gte: fork } },
    select: { sender: true, openBlock: true },
  });
  await db().$transaction([
    db().chainEvent.deleteMany({ where: { blockNumber: { gte: fork } } }),
    db().indexedBlock.deleteMany({ where: { number: { gte: fork } } }),
    db().syncState.update({ where: { id: 1 }, data: { syncedBlock: fork - 1 } }),
  ]);
  return new Set(gone.map((e) => channelKey(e.sender, e.openBlock)));
}

/** Channels with an event in blocks `[from, to]`. */
export async function channelsWithEventsIn(from: number, to: number): Promise<Set<ChannelKey>> {
  if (to < from) return new Set();
  const rows = await db().chainEvent.findMany({
    where: { blockNumber: { gte: from, lte: to } },
    select: { sender: true, openBlock: true },
    distinct: ["sender", "openBlock"],
  });
  return new Set(rows.map((e) => channelKey(e.sender, e.openBlock)));
}

/**
 * Recomputes the event-derived columns of each channel from its stored events. A channel whose
 * creation vanished (reorg) is deleted, or marked settled when it already carries payments.
 */
export async function reprojectChannels(
  keys: Iterable<ChannelKey>,
  ctx: ConfirmationContext,
  receiver: string,
): Promise<void> {
  for (const key of keys) {
    const { sender, openBlock } = parseKey(key);
    const rows = await db().chainEvent.findMany({ where: { sender, openBlock } });
    const p = projectChannel(rows.map(eventFromRow), ctx);
    const where = { sender_openBlock: { sender, openBlock } };
    if (!p) {
      const existing = await db().channel.findUnique({
        where,
        include: { _count: { select: { payments: true } } },
      });
      if (!existing) continue;
      if (existing._count.payments === 0) {
        await db().channel.delete({ where });
        console.warn(`[indexer] channel ${key} vanished in a reorg: deleted`);
      } else {
        await db().channel.update({
          where,
          data: { state: "settled", confirmed: false, deposit: "0", seenDeposit: "0" },
        });
        console.error(
          `[indexer] channel ${key} vanished in a reorg but has ${existing._count.payments} payments: marked settled`,
        );
      }
      continue;
    }
    const fields = {
      signer: p.signer,
      confirmed: p.confirmed,
      deposit: p.deposit.toString(),
      seenDeposit: p.seenDeposit.toString(),
      state: p.state,
      settleBlock: p.settleBlock,
      closingBalance: p.closingBalance?.toString() ?? null,
      withdrawn: p.withdrawn.toString(),
    };
    await db().channel.upsert({
      where,
      create: { sender, openBlock, receiver, ...fields },
      update: fields,
    });
  }
}
