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
 * Group commit: payments that arrive while a transaction is being written wait and go together in
 * the next one (one WAL flush for all of them). Each keeps its own statement; within a group the
 * statements run in channel-id order, so two groups (of this or another instance) lock channels in
 * the same order and cannot deadlock.
 */
import type { PoolClient } from "pg";
import type { Address, Hex } from "viem";
import type { ChannelStore, ChannelView, PaymentCommit } from "@/lib/protocol/paywall";
import { pgPool } from "./pg";

interface ChannelRow {
  id: number;
  sender: string;
  openBlock: number;
  signer: string;
  deposit: string;
  balance: string;
  signature: string | null;
  lastResource: string | null;
  lastPaidAt: string | null;
  state: string;
  closeSigned: boolean;
  confirmed: boolean;
  headBlock: number | null;
}

const GET_CHANNEL = `
  SELECT c."id", c."sender", c."openBlock", c."signer", c."deposit", c."balance", c."signature",
         c."lastResource", p."createdAt" AS "lastPaidAt", c."state", c."closeSigned", c."confirmed",
         (SELECT s."headBlock" FROM "SyncState" s WHERE s."id" = 1) AS "headBlock"
    FROM "Channel" c
    LEFT JOIN "Payment" p ON p."channelId" = c."id" AND p."balance" = c."balance"
   WHERE c."sender" = $1 AND c."openBlock" = $2`;

// The balance must still be the one the decision was made on; the Payment row is written by the
// same statement only when the update matched.
const COMMIT_PAYMENT = `
  WITH moved AS (
    UPDATE "Channel" SET "balance" = $1, "signature" = $2, "lastResource" = $3, "updatedAt" = $4
     WHERE "id" = $5 AND "balance" = $6 AND "state" = 'open' AND "closeSigned" = FALSE
    RETURNING "id")
  INSERT INTO "Payment" ("channelId", "resource", "amount", "balance", "signature", "createdAt")
  SELECT "id", $3, $7, $1, $2, $4 FROM moved`;

/** Most transactions of one process writing payments at once. */
const MAX_IN_FLIGHT = 4;

interface Pending {
  commit: PaymentCommit;
  resolve: (applied: boolean) => void;
  reject: (err: unknown) => void;
}

const queue: Pending[] = [];
let inFlight = 0;

async function apply(client: PoolClient, c: PaymentCommit, now: string): Promise<boolean> {
  const res = await client.query(COMMIT_PAYMENT, [
    c.balance.toString(),
    c.signature,
    c.resource,
    now,
    c.channelId,
    c.previousBalance.toString(),
    c.amount.toString(),
  ]);
  return res.rowCount === 1;
}

/** Writes one group in one transaction; when that fails, each payment on its own. */
async function writeGroup(group: Pending[]): Promise<void> {
  const ordered = [...group].sort((a, b) => a.commit.channelId - b.commit.channelId);
  const client = await pgPool().connect();
  let broken = false;
  try {
    try {
      const now = new Date().toISOString();
      await client.query("BEGIN");
      const results: boolean[] = [];
      for (const p of ordered) results.push(await apply(client, p.commit, now));
      await client.query("COMMIT");
      ordered.forEach((p, i) => p.resolve(results[i]!));
      return;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => (broken = true));
      if (ordered.length === 1 || broken) throw err;
    }
    // One payment failed the group: write each alone, so only that one fails.
    for (const p of ordered) {
      try {
        p.resolve(await apply(client, p.commit, new Date().toISOString()));
      } catch (err) {
        p.reject(err);
      }
    }
  } finally {
    client.release(broken);
  }
}

function pump(): void {
  while (inFlight < MAX_IN_FLIGHT && queue.length > 0) {
    const group = queue.splice(0);
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
      const { rows } = await pgPool().query<ChannelRow>(GET_CHANNEL, [sender, openBlock]);
      const row = rows[0];
      if (!row) return undefined;
      const missing = row.confirmed
        ? 0
        : Math.max(1, row.openBlock + confirmations() - (row.headBlock ?? 0));
      return {
        id: row.id,
        sender: row.sender as Address,
        openBlock: row.openBlock,
        signer: row.signer as Address,
        deposit: BigInt(row.deposit),
        balance: BigInt(row.balance),
        signature: row.signature as Hex | null,
        lastResource: row.lastResource,
        lastPaidAt: row.lastPaidAt === null ? null : Date.parse(row.lastPaidAt),
        state: row.state as ChannelView["state"],
        closeSigned: row.closeSigned,
        confirmationsMissing: missing,
      };
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
