/**
 * Which instance leads: the leader alone runs the indexer and the watchtower and sends the
 * receiver's transactions (its transaction queue hands out nonces, so there must be one).
 *
 * - **PostgreSQL:** a session-level advisory lock held on a connection of its own. When the leader
 *   dies its connection closes and PostgreSQL releases the lock at once; another instance takes it
 *   on its next attempt (every SYNC_INTERVAL_MS). The connection's TCP keepalives are short, so a
 *   leader whose machine vanished without closing the connection loses the lock within about ten
 *   seconds. Before each pass the leader checks its connection still answers; if not, it steps
 *   down.
 * - **SQLite** (one instance): the lease row in SyncState (lib/indexer/lease.ts).
 */
import pg from "pg";
import { env } from "@/lib/env";
import { acquireLease, LEASE_OWNER, releaseLease } from "@/lib/indexer/lease";
import { dbKind } from "@/lib/db/sql";

/** The advisory lock key of the leadership ("paychan1" as a 64-bit number). */
export const LEADER_LOCK_KEY = "8097887072848801329";

/** Longest wait for the leader's connection to answer before it steps down. */
const CHECK_TIMEOUT_MS = 3_000;

interface PgLeadership {
  url: string;
  client?: pg.Client;
  held: boolean;
}

const globalForLeader = globalThis as unknown as { paychanLeader?: PgLeadership };

function pgState(): PgLeadership {
  const url = env().DATABASE_URL;
  const s = globalForLeader.paychanLeader;
  if (s && s.url === url) return s;
  void s?.client?.end().catch(() => undefined);
  globalForLeader.paychanLeader = { url, held: false };
  return globalForLeader.paychanLeader;
}

function drop(s: PgLeadership): void {
  if (s.held) console.warn(`[leader] ${LEASE_OWNER} lost the leadership (connection lost)`);
  s.held = false;
  const client = s.client;
  s.client = undefined;
  void client?.end().catch(() => undefined);
}

async function connect(s: PgLeadership): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: s.url,
    // Who leads, visible in pg_stat_activity: the instance name (PAYCHAN_INSTANCE) and process.
    application_name: `paychan-leader ${env().PAYCHAN_INSTANCE ?? "-"} ${LEASE_OWNER}`.slice(0, 63),
    keepAlive: true,
    query_timeout: CHECK_TIMEOUT_MS,
    options: "-c tcp_keepalives_idle=5 -c tcp_keepalives_interval=2 -c tcp_keepalives_count=3",
  });
  client.on("error", () => drop(s));
  await client.connect();
  s.client = client;
  return client;
}

async function acquirePg(): Promise<boolean> {
  const s = pgState();
  try {
    const client = s.client ?? (await connect(s));
    if (s.held) {
      // Still connected, so still holding the lock.
      await client.query("SELECT 1");
      return true;
    }
    const { rows } = await client.query<{ ok: boolean }>(
      "SELECT pg_try_advisory_lock($1::bigint) AS ok",
      [LEADER_LOCK_KEY],
    );
    s.held = rows[0]?.ok === true;
    if (s.held)
      console.log(
        `[leader] ${env().PAYCHAN_INSTANCE ?? LEASE_OWNER} leads: runs the indexer and the watchtower`,
      );
    return s.held;
  } catch (err) {
    drop(s);
    throw err;
  }
}

/** How long the SQLite lease lasts without renewal. */
function leaseTtlMs(): number {
  return Math.max(30_000, env().SYNC_INTERVAL_MS * 5);
}

/**
 * Becomes or stays the leader when possible.
 *
 * @returns whether this process leads now
 */
export async function acquireLeadership(): Promise<boolean> {
  return dbKind() === "postgres" ? acquirePg() : acquireLease(leaseTtlMs());
}

/** Whether this process held the leadership at its last check (no database round trip). */
export function holdsLeadership(): boolean {
  return dbKind() === "postgres" ? (globalForLeader.paychanLeader?.held ?? false) : true;
}

/** Gives the leadership up (on shutdown, or after a one-off task) so another takes it at once. */
export async function releaseLeadership(): Promise<void> {
  if (dbKind() !== "postgres") return releaseLease();
  const s = globalForLeader.paychanLeader;
  if (!s) return;
  const client = s.client;
  s.held = false;
  s.client = undefined;
  // Closing the session releases its advisory locks.
  await client?.end().catch(() => undefined);
}
