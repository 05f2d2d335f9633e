/**
 * A lease in SyncState so only one app instance runs the indexer loop at a time.
 */
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db/client";
import type { PrismaClient } from "@/lib/db/generated/client";

const globalForLease = globalThis as unknown as { paychanLeaseOwner?: string };

/**
 * This process's lease owner id: one per process, kept on `globalThis` because Next loads this
 * module once per bundle (the indexer's and a server action's must be the same owner).
 */
export const LEASE_OWNER =
  (globalForLease.paychanLeaseOwner ??= `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`);

/**
 * Takes or renews the lease for `ttlMs` when it is free, expired or already ours (one conditional
 * update, so two instances cannot both win).
 *
 * @returns whether this process holds the lease now
 */
export async function acquireLease(
  ttlMs: number,
  owner: string = LEASE_OWNER,
  now: Date = new Date(),
): Promise<boolean> {
  const { count } = await db().syncState.updateMany({
    where: {
      id: 1,
      OR: [
        { leaseOwner: null },
        { leaseOwner: owner },
        { leaseUntil: null },
        { leaseUntil: { lt: now } },
      ],
    },
    data: { leaseOwner: owner, leaseUntil: new Date(now.getTime() + ttlMs) },
  });
  if (count === 1) return true;
  // A lease held by a process of this host that no longer runs (killed, crashed) is taken over at
  // once instead of after its expiry: indexing, and the watchtower, resume with the restart.
  const held = await db().syncState.findUnique({ where: { id: 1 }, select: { leaseOwner: true } });
  if (!held?.leaseOwner || !isDeadLocalOwner(held.leaseOwner)) return false;
  const taken = await db().syncState.updateMany({
    where: { id: 1, leaseOwner: held.leaseOwner },
    data: { leaseOwner: owner, leaseUntil: new Date(now.getTime() + ttlMs) },
  });
  if (taken.count === 1)
    console.warn(`[indexer] took over the lease of ${held.leaseOwner}, which no longer runs`);
  return taken.count === 1;
}

/** Whether a lease owner id names a process of this host that has exited. */
export function isDeadLocalOwner(leaseOwner: string): boolean {
  const [host, pid] = leaseOwner.split(":");
  if (host !== hostname() || !pid || !/^\d+$/.test(pid) || Number(pid) === process.pid)
    return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * Who holds the lease now: its owner and expiry when it has not expired and does not name a
 * process of this host that has exited, else null.
 *
 * @param client the database to look in (default: the site's)
 */
export async function liveLeaseHolder(
  client: PrismaClient = db(),
  now: Date = new Date(),
): Promise<{ owner: string; until: Date } | null> {
  const row = await client.syncState.findUnique({
    where: { id: 1 },
    select: { leaseOwner: true, leaseUntil: true },
  });
  if (!row?.leaseOwner || !row.leaseUntil || row.leaseUntil < now) return null;
  if (isDeadLocalOwner(row.leaseOwner)) return null;
  return { owner: row.leaseOwner, until: row.leaseUntil };
}

/** Gives the lease up (on shutdown) so another instance can take over at once. */
export async function releaseLease(owner: string = LEASE_OWNER): Promise<void> {
  await db().syncState.updateMany({
    where: { id: 1, leaseOwner: owner },
    data: { leaseOwner: null, leaseUntil: null },
  });
}
