/**
 * The paywall's {@link ChannelStore} on PostgreSQL, with the semantics of the SQLite one
 * (lib/db/channel-store.ts): a payment is one conditional update of the channel's balance plus its
 * Payment row, committed before its promise resolves, so before any content is sent.
 *
 * Across instances the conditional update is what keeps balances right: the UPDATE takes the
 * channel's row lock, and under READ COMMITTED a second writer waits for the first to commit, then
 * re-checks `balance = previous` against the new row and changes nothing. The payment is then
 * decided again by the paywall on the new balance, never lost or counted twice.
 *
 * Group commit: payments that arrive while earlier ones are being written wait and go together in
 * the next statement: one statement, one round trip and one WAL flush for the whole group. A group
 * holds at most one payment per channel (a second one waits for the next group, as it would have
 * to wait for the first one's row lock anyway). The statement locks its channels in id order, so
 * two groups (of this or another instance) cannot deadlock.
 */
import type { Address } from "viem";
import type { ChannelStore, ChannelView, PaymentCommit } from "@/lib/protocol/paywall";
import { toChannelView, type ChannelRow } from "./channel-store";
import { pgPool } from "./pg";

interface PgChannelRow extends ChannelRow {
  headBlock: number | null;
}

const GET_CHANNEL = `
  SELECT c."id", c."sender", c."openBlock", c."signer", c."deposit", c."balance", c."signature",
         c."lastResource", p."createdAt" AS "lastPaidAt", c."state", c."closeSigned", c."confirmed",
         (SELECT s."headBlock" FROM "SyncState" s WHERE s."id" = 1) AS "headBlock"
    FROM "Channel" c
    LEFT JOIN "Payment" p ON p."channelId" = c."id" AND p."balance" = c."balance"
   WHERE c."sender" = $1 AND c."openBlock" = $2`;

// Each payment's balance must still be the one its decision was made on; its Payment row is written
// by the same statement only when its update matched. Returns the channels whose payment applied.
const COMMIT_GROUP = `
  WITH input AS (
    SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
      AS t("id", "previous", "balance", "signature", "resource", "amount")
  ), locked AS (
    SELECT c."id" FROM "Channel" c WHERE c."id" = ANY($1::int[]) ORDER BY c."id" FOR UPDATE
  ), moved AS (
    UPDATE "Channel" c
       SET "balance" = i."balance", "signature" = i."signature", "lastResource" = i."resource",
           "updatedAt" = $7::timestamptz AT TIME ZONE 'UTC'
      FROM input i JOIN locked l ON l."id" = i."id"
     WHERE c."id" = i."id" AND c."balance" = i."previous" AND c."state" = 'open'
       AND c."closeSigned" = FALSE
    RETURNING c."id", i."resource", i."amount", i."balance", i."signature")
  INSERT INTO "Payment" ("channelId", "resource", "amount", "balance", "signature", "createdAt")
  SELECT "id", "resource", "amount", "balance", "signature", $7::timestamptz AT TIME ZONE 'UTC'
    FROM moved
  RETURNING "channelId"`;

/**
 * Most group statements of one process in flight at once. Fewer means larger groups (fewer WAL
 * flushes); two keep one group waiting on a row lock (a close being marked) from holding up all.
 */
const MAX_IN_FLIGHT = 2;

interface Pending {
  commit: PaymentCommit;
  resolve: (applied: boolean) => void;
  reject: (err: unknown) => void;
}

const queue: Pending[] = [];
let inFlight = 0;

/** Writes a group (one payment per channel); resolves with the channel ids that applied. */
async function commitGroup(group: Pending[]): Promise<Set<number>> {
  const c = group.map((p) => p.commit);
  const { rows } = await pgPool().query<{ channelId: number }>(COMMIT_GROUP, [
    c.map((x) => x.channelId),
    c.map((x) => x.previousBalance.toString()),
    c.map((x) => x.balance.toString()),
    c.map((x) => x.signature),
    c.map((x) => x.resource),
    c.map((x) => x.amount.toString()),
    new Date().toISOString(),
  ]);
  return new Set(rows.map((r) => r.channelId));
}

/** Writes one group; when the statement fails, each payment alone, so only a bad one fails. */
async function writeGroup(group: Pending[]): Promise<void> {
  try {
    const applied = await commitGroup(group);
    for (const p of group) p.resolve(applied.has(p.commit.channelId));
    return;
  } catch (err) {
    if (group.length === 1) throw err;
  }
  await Promise.all(
    group.map(async (p) => {
      try {
        p.resolve((await commitGroup([p])).has(p.commit.channelId));
      } catch (err) {
        p.reject(err);
      }
    }),
  );
}

/** Takes the next group off the queue: the oldest payment of each channel, in arrival order. */
function nextGroup(): Pending[] {
  const seen = new Set<number>();
  const group: Pending[] = [];
  for (let i = 0; i < queue.length;) {
    const id = queue[i]!.commit.channelId;
    if (seen.has(id)) {
      i += 1;
      continue;
    }
    seen.add(id);
    group.push(queue.splice(i, 1)[0]!);
  }
  return group;
}

function pump(): void {
  while (inFlight < MAX_IN_FLIGHT && queue.length > 0) {
    const group = nextGroup();
    inFlight += 1;
    writeGroup(group)
      .catch((err) => {
        for (const p of group) p.reject(err);
      })
      .finally(() => {
        inFlight -= 1;
        pump();
      });
  }
}

/**
 * The paywall's {@link ChannelStore} on PostgreSQL (see the file comment). `confirmations` is the
 * configured CONFIRMATIONS, read on each call.
 */
export function postgresChannelStore(confirmations: () => number): ChannelStore {
  return {
    async getChannel(sender: Address, openBlock: number): Promise<ChannelView | undefined> {
      const { rows } = await pgPool().query<PgChannelRow>(GET_CHANNEL, [sender, openBlock]);
      const row = rows[0];
      if (!row) return undefined;
      const missing = row.confirmed
        ? 0
        : Math.max(1, row.openBlock + confirmations() - (row.headBlock ?? 0));
      return toChannelView(row, missing);
    },
    commitPayment(commit: PaymentCommit): Promise<boolean> {
      return new Promise<boolean>((resolve, reject) => {
        queue.push({ commit, resolve, reject });
        // Wait one turn of the event loop so payments arriving together share a transaction.
        if (queue.length === 1) setImmediate(pump);
      });
    },
  };
}
