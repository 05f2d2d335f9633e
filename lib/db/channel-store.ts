import type Database from "better-sqlite3";
import type { Address, Hex } from "viem";
import type { ChannelStore, ChannelView, PaymentCommit } from "@/lib/protocol/paywall";
import { sqlite, withBusyRetry } from "./sqlite";

/** A channel row as the hot path reads it (booleans are 0/1 on SQLite). */
export interface ChannelRow {
  id: number;
  sender: string;
  openBlock: number;
  signer: string;
  deposit: string;
  balance: string;
  signature: string | null;
  lastResource: string | null;
  lastPaidAt: string | number | null;
  state: string;
  closeSigned: number | boolean;
  confirmed: number | boolean;
}

/**
 * The paywall's view of a stored channel. `confirmationsMissing` is computed by the caller from
 * the head block (0 once the channel is confirmed).
 */
export function toChannelView(row: ChannelRow, confirmationsMissing: number): ChannelView {
  return {
    id: row.id,
    sender: row.sender as Address,
    openBlock: row.openBlock,
    signer: row.signer as Address,
    deposit: BigInt(row.deposit),
    balance: BigInt(row.balance),
    signature: row.signature as Hex | null,
    lastResource: row.lastResource,
    lastPaidAt: timestamp(row.lastPaidAt),
    state: row.state as ChannelView["state"],
    closeSigned: row.closeSigned === 1 || row.closeSigned === true,
    confirmationsMissing,
  };
}

/** A stored DateTime as unix ms: ISO text (written here) or a number (written by Prisma). */
function timestamp(v: string | number | null): number | null {
  if (v === null) return null;
  const ms = typeof v === "number" ? v : /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  return Number.isFinite(ms) ? ms : null;
}

interface Statements {
  conn: Database.Database;
  get: Database.Statement<[string, number], ChannelRow>;
  head: Database.Statement<[], { headBlock: number }>;
  update: Database.Statement<[string, string, string, string, number, string]>;
  insert: Database.Statement<[number, string, string, string, string, string]>;
  /** Applies a group of payments in one transaction; each in its own savepoint. */
  commitGroup: Database.Transaction<(group: PaymentCommit[]) => Array<boolean | Error>>;
}

let prepared: Statements | undefined;

function statements(): Statements {
  const conn = sqlite();
  if (prepared?.conn === conn) return prepared;
  const get = conn.prepare<[string, number], ChannelRow>(
    // The payment that accepted the current balance ((channelId, balance) is unique) dates it: a
    // retry of its proof is served only for a short while after it.
    `SELECT c.id, c.sender, c.openBlock, c.signer, c.deposit, c.balance, c.signature,
            c.lastResource, p.createdAt AS lastPaidAt, c.state, c.closeSigned, c.confirmed
       FROM Channel c
       LEFT JOIN Payment p ON p.channelId = c.id AND p.balance = c.balance
      WHERE c.sender = ? AND c.openBlock = ?`,
  );
  const head = conn.prepare<[], { headBlock: number }>(
    `SELECT headBlock FROM SyncState WHERE id = 1`,
  );
  // The balance must still be the one the decision was made on: concurrent payments on a channel
  // are applied one at a time and never lost or double-counted.
  const update = conn.prepare<[string, string, string, string, number, string]>(
    `UPDATE Channel SET balance = ?, signature = ?, lastResource = ?, updatedAt = ?
      WHERE id = ? AND balance = ? AND state = 'open' AND closeSigned = 0`,
  );
  const insert = conn.prepare<[number, string, string, string, string, string]>(
    `INSERT INTO Payment (channelId, resource, amount, balance, signature, createdAt)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const commitOne = conn.transaction((c: PaymentCommit): boolean => {
    const now = new Date().toISOString();
    const changed = update.run(
      c.balance.toString(),
      c.signature,
      c.resource,
      now,
      c.channelId,
      c.previousBalance.toString(),
    ).changes;
    if (changed !== 1) return false;
    insert.run(
      c.channelId,
      c.resource,
      c.amount.toString(),
      c.balance.toString(),
      c.signature,
      now,
    );
    return true;
  });
  // Nested in commitGroup, each payment runs in a savepoint: one failing never undoes the others.
  const commitGroup = conn.transaction((group: PaymentCommit[]) =>
    group.map((c) => {
      try {
        return commitOne(c);
      } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
      }
    }),
  );
  prepared = { conn, get, head, update, insert, commitGroup };
  return prepared;
}

interface Pending {
  commit: PaymentCommit;
  resolve: (applied: boolean) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: payments that arrive in the same turn of the event loop are written in one
 * transaction (one WAL append instead of one each). Every payment keeps its own conditional
 * update, so a group never merges two payments of one channel: the later one finds the balance
 * moved and is decided again.
 */
const pending: Pending[] = [];
let flushScheduled = false;

async function flush(): Promise<void> {
  flushScheduled = false;
  const group = pending.splice(0);
  try {
    const s = statements();
    const results = await withBusyRetry(() => s.commitGroup.immediate(group.map((p) => p.commit)));
    results.forEach((r, i) => (r instanceof Error ? group[i]!.reject(r) : group[i]!.resolve(r)));
  } catch (err) {
    for (const p of group) p.reject(err);
  }
}

/**
 * The paywall's {@link ChannelStore} on SQLite (better-sqlite3, prepared statements). A payment is
 * committed (group commit, see above) before its promise resolves, so before any content is sent.
 */
export function sqliteChannelStore(confirmations: () => number): ChannelStore {
  return {
    async getChannel(sender: Address, openBlock: number): Promise<ChannelView | undefined> {
      const s = statements();
      const row = s.get.get(sender, openBlock);
      if (!row) return undefined;
      let missing = 0;
      if (!row.confirmed) {
        const head = s.head.get()?.headBlock ?? 0;
        missing = Math.max(1, row.openBlock + confirmations() - head);
      }
      return toChannelView(row, missing);
    },
    async commitPayment(commit: PaymentCommit): Promise<boolean> {
      return new Promise<boolean>((resolve, reject) => {
        pending.push({ commit, resolve, reject });
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(() => void flush());
        }
      });
    },
  };
}
