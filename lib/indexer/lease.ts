/**
 * A lease in SyncState so only one app instance runs the indexer loop at a time.
 */
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db/client";

/** This process's lease owner id. */
export const LEASE_OWNER = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

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
  return count === 1;
}

/** Gives the lease up (on shutdown) so another instance can take over at once. */
export async function releaseLease(owner: string = LEASE_OWNER): Promise<void> {
  await db().syncState.updateMany({
    where: { id: 1, leaseOwner: owner },
    data: { leaseOwner: null, leaseUntil: null },
  });
}
