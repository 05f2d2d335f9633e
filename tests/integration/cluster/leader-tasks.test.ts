/**
 * The leadership and the work routed to the leader, on a real PostgreSQL: one leader at a time
 * (advisory lock), released the moment the leader's connection closes, and work asked of a
 * non-leader run by the leader with its result or error carried back exactly; an instance that
 * lost the lock sends no receiver transaction.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  acquireLeadership,
  holdsLeadership,
  LEADER_LOCK_KEY,
  releaseLeadership,
} from "@/lib/cluster/leadership";
import { onLeader, runQueuedTasks } from "@/lib/cluster/leader-tasks";
import { chainConfig } from "@/lib/chain/config";
import { txQueue } from "@/lib/chain/tx-queue";
import { db } from "@/lib/db/client";
import { BadRequestError } from "@/lib/errors";
import { LEASE_OWNER } from "@/lib/indexer/lease";
import { startPostgres, type PostgresServer } from "../../../scripts/lib/postgres";
import { runScript, startSiteFixture, type SiteFixture } from "../../helpers/site-fixture";

let server: PostgresServer;
let url: string;
let f: SiteFixture;

beforeAll(async () => {
  server = await startPostgres({ fast: true, log: () => undefined });
  url = await server.createDatabase("leader_tasks");
  runScript(["scripts/prisma.mjs", "migrate", "deploy"], { DATABASE_URL: url });
  f = await startSiteFixture({ env: { DATABASE_URL: url } });
});
afterAll(async () => {
  await releaseLeadership();
  await f?.stop();
  server?.stop();
});

/** Another instance: a connection of its own that may hold the leader lock. */
async function otherInstance(): Promise<{ tryLead(): Promise<boolean>; die(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    async tryLead() {
      const { rows } = await client.query("SELECT pg_try_advisory_lock($1::bigint) AS ok", [
        LEADER_LOCK_KEY,
      ]);
      return rows[0].ok === true;
    },
    die: () => client.end(),
  };
}

/** This process's leader connection (as lib/cluster/leadership.ts keeps it on globalThis). */
const leaderConnection = () =>
  (globalThis as unknown as { paychanLeader?: { client?: pg.Client } }).paychanLeader?.client;

/** Sends a plain transaction as the receiver through its queue; returns the outcome and whether
 * the receiver's nonce moved (something reached the node). */
async function sendAsReceiver(): Promise<{ type: string; error?: string; moved: boolean }> {
  const cfg = await chainConfig();
  const count = () =>
    f.publicClient.getTransactionCount({ address: f.receiver.address, blockTag: "pending" });
  const before = await count();
  const res = await txQueue(cfg).send({ to: f.readers[0]!.address, data: "0x" });
  return {
    type: res.type,
    error: res.type === "sent" || res.type === "aborted" ? undefined : res.error,
    moved: (await count()) !== before,
  };
}

async function waitForQueued(kind: string): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const row = await db().leaderTask.findFirst({ where: { kind, state: "queued" } });
    if (row) return row.id;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no queued ${kind} task appeared`);
}

describe("leadership", () => {
  it("has one holder at a time and passes on the moment the holder's connection closes", async () => {
    expect(await acquireLeadership()).toBe(true);
    expect(holdsLeadership()).toBe(true);
    expect(await acquireLeadership()).toBe(true); // renewing keeps it
    const other = await otherInstance();
    expect(await other.tryLead()).toBe(false);
    await releaseLeadership();
    expect(holdsLeadership()).toBe(false);
    expect(await other.tryLead()).toBe(true);
    expect(await acquireLeadership()).toBe(false);
    const started = Date.now();
    await other.die(); // like SIGKILL: the session ends, its locks go
    expect(await acquireLeadership()).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
    await releaseLeadership();
  });
});

describe("work asked of a non-leader", () => {
  it("is run by the leader and its result comes back", async () => {
    const leader = await otherInstance();
    expect(await leader.tryLead()).toBe(true);
    const asked = onLeader("sync", {});
    const id = await waitForQueued("sync");
    // The other instance hands over; this process leads and runs what is queued.
    await leader.die();
    expect(await acquireLeadership()).toBe(true);
    expect(await runQueuedTasks()).toBe(1);
    const result = await asked;
    const head = Number(await f.publicClient.getBlockNumber({ cacheTime: 0 }));
    expect(result.syncedBlock).toBeGreaterThan(0);
    expect(result.syncedBlock).toBeLessThanOrEqual(head);
    const row = await db().leaderTask.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ state: "done", owner: LEASE_OWNER });
    await releaseLeadership();
  });

  it("carries the leader's refusal back with its status and message", async () => {
    const key = { sender: f.readers[0]!.address, openBlock: 999_999 };
    const direct = await onLeader("withdrawOne", key).catch((e: unknown) => e);
    expect(direct).toBeInstanceOf(BadRequestError);

    const leader = await otherInstance();
    expect(await leader.tryLead()).toBe(true);
    const asked = onLeader("withdrawOne", key).catch((e: unknown) => e);
    await waitForQueued("withdrawOne");
    await leader.die();
    expect(await acquireLeadership()).toBe(true);
    await runQueuedTasks();
    const err = await asked;
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).status).toBe((direct as BadRequestError).status);
    expect((err as BadRequestError).message).toBe((direct as BadRequestError).message);
    await releaseLeadership();
  });

  it("is run by the asking instance itself when the leader died before taking it", async () => {
    const leader = await otherInstance();
    expect(await leader.tryLead()).toBe(true);
    const asked = onLeader("syncNow", {});
    const id = await waitForQueued("syncNow");
    await leader.die(); // nobody runs the queue now
    const summary = await asked;
    expect(summary.syncedBlock).toBeGreaterThan(0);
    expect(await db().leaderTask.findUniqueOrThrow({ where: { id } })).toMatchObject({
      state: "done",
      owner: LEASE_OWNER,
    });
    // A one-off leader steps down after its task.
    expect(holdsLeadership()).toBe(false);
  });
});

describe("fencing the receiver's transactions", () => {
  it("sends as the leader, and nothing once the lock is gone while the flag still says leader", async () => {
    expect(await acquireLeadership()).toBe(true);
    expect(await sendAsReceiver()).toMatchObject({ type: "sent", moved: true });

    // The lock goes behind the flag's back, and another instance leads.
    await leaderConnection()!.query("SELECT pg_advisory_unlock_all()");
    const other = await otherInstance();
    expect(await other.tryLead()).toBe(true);
    expect(holdsLeadership()).toBe(true); // the last check's answer
    const refused = await sendAsReceiver();
    expect(refused).toMatchObject({ type: "failed", moved: false });
    expect(refused.error).toMatch(/does not hold the leader lock/);
    expect(holdsLeadership()).toBe(false); // the refusal stepped down
    await other.die();
  });

  it("sends nothing once the leader's connection is cut", async () => {
    expect(await acquireLeadership()).toBe(true);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'paychan-leader %'",
      );
    } finally {
      await admin.end();
    }
    expect(await sendAsReceiver()).toMatchObject({ type: "failed", moved: false });
    expect(holdsLeadership()).toBe(false);
    // Leading again (a new connection), it sends.
    expect(await acquireLeadership()).toBe(true);
    expect(await sendAsReceiver()).toMatchObject({ type: "sent", moved: true });
    await releaseLeadership();
  });
});
