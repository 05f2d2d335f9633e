import type Database from "better-sqlite3";
import type { Address, Hex } from "viem";
import type { ChannelStore, ChannelView, PaymentCommit } from "@/lib/protocol/paywall";
import { sqlite, withBusyRetry } from "./sqlite";

interface ChannelRow {
  id: number;
  sender: string;
  openBlock: number;
  signer: string;
  deposit: string;
  balance: string;
  signature: string | null;
  lastResource: string | null;
  state: string;
  closeSigned: number;
  confirmed: number;
}

interface Statements {
  conn: Database.Database;
  get: Database.Statement<[string, number], ChannelRow>;
  head: Database.Statement<[], { headBlock: number }>;
  update: Database.Statement<[string, string, string, string, number, string]>;
  insert: Database.Statement<[number, string, string, string, string, string]>;
  commit: Database.Transaction<(c: PaymentCommit) => boolean>;
}

let prepared: Statements | undefined;

function statements(): Statements {
  const conn = sqlite();
  if (prepared?.conn === conn) return prepared;
  const get = conn.prepare<[string, number], ChannelRow>(
    `SELECT id, sender, openBlock, signer, deposit, balance, signature, lastResource, state,
            closeSigned, confirmed
       FROM Channel WHERE sender = ? AND openBlock = ?`,
  );
  const head = conn.prepare<[], { headBlock: number }>(`SELECT headBlock FROM SyncState WHERE id = 1`);
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
  const commit = conn.transaction((c: PaymentCommit): boolean => {
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
    insert.run(c.channelId, c.resource, c.amount.toString(), c.balance.toString(), c.signature, now);
    return true;
  });
  prepared = { conn, get, head, update, insert, commit };
  return prepared;
}

/**
 * The paywall's {@link ChannelStore} on SQLite. Synchronous better-sqlite3 calls: a commit is one
 * immediate transaction, durable before the response is produced.
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
      return {
        id: row.id,
        sender: row.sender as Address,
        openBlock: row.openBlock,
        signer: row.signer as Address,
        deposit: BigInt(row.deposit),
        balance: BigInt(row.balance),
        signature: row.signature as Hex | null,
        lastResource: row.lastResource,
        state: row.state as ChannelView["state"],
        closeSigned: row.closeSigned === 1,
        confirmationsMissing: missing,
      };
    },
    async commitPayment(commit: PaymentCommit): Promise<boolean> {
      const s = statements();
      return withBusyRetry(() => s.commit.immediate(commit));
    },
  };
}
