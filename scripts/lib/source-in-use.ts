/**
 * Whether a site runs on a database: its indexer lease (the SyncState row, unexpired and not left
 * by a process of this host that has exited) or, on PostgreSQL, the leader's advisory lock (a
 * session of the database holds it, seen in pg_locks). A copy taken while a site writes would miss
 * what it writes after.
 */
import { LEADER_LOCK_KEY } from "@/lib/cluster/leadership";
import type { PrismaClient } from "@/lib/db/generated/client";
import { liveLeaseHolder } from "@/lib/indexer/lease";

/** The sessions holding the leader lock of the database `client` is connected to. */
const LOCK_HOLDERS_SQL = `SELECT l.pid, a.application_name
  FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE l.locktype = 'advisory' AND l.granted
   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND l.classid = ($1::bigint >> 32)::oid AND l.objid = ($1::bigint & 4294967295)::oid
   AND l.objsubid = 1`;

type Reader = Pick<PrismaClient, "syncState" | "$queryRawUnsafe">;

/**
 * Why the database behind `client` is in use by a running site, or undefined when it is not.
 *
 * @param kind the database's kind (the leader lock exists on PostgreSQL only)
 */
export async function sourceInUse(
  client: Reader,
  kind: "sqlite" | "postgres",
): Promise<string | undefined> {
  if (kind === "postgres") {
    const holders = await client.$queryRawUnsafe<
      { pid: number; application_name: string | null }[]
    >(LOCK_HOLDERS_SQL, LEADER_LOCK_KEY);
    if (holders.length > 0) {
      const { pid, application_name: name } = holders[0]!;
      return `an instance of the site leads on it (session ${pid}${name ? `, "${name}"` : ""} holds the leader lock)`;
    }
  }
  let holder: Awaited<ReturnType<typeof liveLeaseHolder>>;
  try {
    holder = await liveLeaseHolder(client as PrismaClient);
  } catch (err) {
    // A database that never ran the site (no SyncState table yet) has no lease.
    if ((err as { code?: string }).code === "P2021") return undefined;
    throw err;
  }
  if (holder)
    return `its indexer lease is held by ${holder.owner} until ${holder.until.toISOString()}`;
  return undefined;
}
