/**
 * Which instance leads: the leader alone runs the indexer and the watchtower and sends the
 * receiver's transactions (its transaction queue hands out nonces, so there must be one).
 *
 * - **PostgreSQL:** a session-level advisory lock held on a connection of its own. When the leader
 *   dies its connection closes and PostgreSQL releases the lock at once; another instance takes it
 *   on its next attempt (every SYNC_INTERVAL_MS). The connection's TCP keepalives are short, so a
 *   leader whose machine vanished without closing the connection loses the lock within about ten
 *   seconds. Before each pass the leader checks its connection still answers; if not, it steps
 *   down. Before each of the receiver's transactions it checks, on that connection, that it still
 *   holds the lock ({@link confirmLeadership}).
 * - **SQLite** (one instance): the lease row in SyncState (lib/indexer/lease.ts).
 */
import pg from "pg";
import { env } from "@/lib/env";
import { acquireLease, LEASE_OWNER, liveLeaseHolder, releaseLease } from "@/lib/indexer/lease";
import { dbKind } from "@/lib/db/sql";

/** The advisory lock key of the leadership ("paychan1" as a 64-bit number). */
export const LEADER_LOCK_KEY = "8097887072848801329";

/** Longest wait for the leader's connection to answer before it steps down. */
const CHECK_TIMEOUT_MS = 3_000;

/** Whether this session holds the leader lock (a bigint key is classid, objid and objsubid 1). */
const HOLDS_LOCK_SQL = `SELECT EXISTS (
  SELECT 1 FROM pg_locks
   WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()
     AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
     AND classid = ($1::bigint >> 32)::oid AND objid = ($1::bigint & 4294967295)::oid
     AND objsubid = 1) AS held`;

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

function drop(s: PgLeadership, why = "connection lost"): void {
  if (s.held) console.warn(`[leader] ${LEASE_OWNER} lost the leadership (${why})`);
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

/**
 * Whether this process leads at this moment, asked of the database rather than remembered: on
 * PostgreSQL its leader connection answers and holds the advisory lock (pg_locks); on SQLite no
 * other live process holds the lease. The receiver's transaction queue asks before every send, so
 * an instance that lost the lock (its connection cut, another instance leading) sends nothing.
 */
export async function confirmLeadership(): Promise<boolean> {
  if (dbKind() !== "postgres") {
    const holder = await liveLeaseHolder();
    return holder === null || holder.owner === LEASE_OWNER;
  }
  const s = globalForLeader.paychanLeader;
  if (!s?.held || !s.client || s.url !== env().DATABASE_URL) return false;
  try {
    const { rows } = await s.client.query<{ held: boolean }>(HOLDS_LOCK_SQL, [LEADER_LOCK_KEY]);
    if (rows[0]?.held === true) return true;
    drop(s, "the lock is no longer held");
  } catch {
    drop(s);
  }
  return false;
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
