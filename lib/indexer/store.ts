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

/**
 * Stores events (unique by txHash + logIndex: storing one twice is a no-op) and the hashes of
 * their blocks plus `head`, in one transaction together with the new `syncedBlock`.
 */
export async function storeChunk(
  events: readonly ChannelEvent[],
  head: { number: number; hash: string },
): Promise<void> {
  const hashes = new Map<number, string>(events.map((e) => [e.blockNumber, e.blockHash]));
  hashes.set(head.number, head.hash);
  await db().$transaction([
    ...events.map((e) => {
      const row = { ...e, args: JSON.stringify(e.args) };
      return db().chainEvent.upsert({
        where: { txHash_logIndex: { txHash: e.txHash, logIndex: e.logIndex } },
        create: row,
        update: row,
      });
    }),
    ...[...hashes].map(([number, hash]) =>
      db().indexedBlock.upsert({ where: { number }, create: { number, hash }, update: { hash } }),
    ),
    db().syncState.update({ where: { id: 1 }, data: { syncedBlock: head.number } }),
  ]);
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
