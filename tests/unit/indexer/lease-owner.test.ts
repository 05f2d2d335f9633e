/**
 * One lease owner per process: Next loads lib/indexer/lease.ts once per bundle (the indexer's in
 * instrumentation.ts, each route's and server action's), and the receiver's transaction queue
 * sends only while the lease holder is this process's owner.
 */
import { expect, it, vi } from "vitest";

it("two copies of the lease module name the same owner", async () => {
  const first = await import("@/lib/indexer/lease");
  vi.resetModules();
  const second = await import("@/lib/indexer/lease");
  expect(second.acquireLease).not.toBe(first.acquireLease); // really two copies
  expect(second.LEASE_OWNER).toBe(first.LEASE_OWNER);
  expect(first.LEASE_OWNER).toContain(`:${process.pid}:`);
});
