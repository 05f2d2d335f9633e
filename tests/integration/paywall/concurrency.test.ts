import { afterAll, beforeAll, expect, it } from "vitest";
import { GET as fix } from "@/app/api/echo/fix/[param]/route";
import { db } from "@/lib/db/client";
import { call, indexChannel, paymentHeaders, proof } from "../../helpers/paywall";
import { startSiteFixture, TOKEN, type SiteFixture } from "../../helpers/site-fixture";
import { testDatabaseKind } from "../../helpers/test-database";

let f: SiteFixture;
beforeAll(async () => {
  f = await startSiteFixture();
});
afterAll(async () => f?.stop());

const PRICE = 5n;

it("200 concurrent payments with shuffled balances on one channel: nothing lost, nothing counted twice", async () => {
  const reader = f.readers[0]!;
  const openBlock = await f.openChannel(reader, TOKEN);
  const channelId = await indexChannel(f, reader, openBlock, TOKEN);
  const balances = Array.from({ length: 200 }, (_, i) => BigInt(i + 1) * PRICE);
  const signed = await Promise.all(
    balances.map(async (b) => ({ b, sig: await proof(f, reader, reader.address, openBlock, b) })),
  );
  signed.sort(() => Math.random() - 0.5);
  const responses = await Promise.all(
    signed.map(({ b, sig }) =>
      call(
        fix,
        `/api/echo/fix/${b}`,
        { param: String(b) },
        paymentHeaders(reader.address, openBlock, b, sig),
      ),
    ),
  );
  const ok = responses.filter((r) => r.status === 200).length;
  const rejected = responses.filter((r) => r.status === 402);
  expect(ok + rejected.length).toBe(200);
  expect(ok).toBeGreaterThan(0);
  for (const r of rejected) expect(r.headers.get("RDN-Invalid-Amount")).toBe("1");

  const channel = await db().channel.findUniqueOrThrow({ where: { id: channelId } });
  const payments = await db().payment.findMany({ where: { channelId }, orderBy: { id: "asc" } });
  expect(payments).toHaveLength(ok);
  const sum = payments.reduce((s, p) => s + BigInt(p.amount), 0n);
  expect(BigInt(channel.balance)).toBe(sum);
  expect(sum).toBe(BigInt(ok) * PRICE);
  // Accepted balances are exactly PRICE, 2·PRICE, … in order.
  expect(payments.map((p) => BigInt(p.balance))).toEqual(
    payments.map((_, i) => BigInt(i + 1) * PRICE),
  );
});

it("200 concurrent requests carrying the same valid proof are charged once", async () => {
  const reader = f.readers[1]!;
  const openBlock = await f.openChannel(reader, TOKEN);
  const channelId = await indexChannel(f, reader, openBlock, TOKEN);
  const sig = await proof(f, reader, reader.address, openBlock, PRICE);
  const responses = await Promise.all(
    Array.from({ length: 200 }, () =>
      call(
        fix,
        "/api/echo/fix/same",
        { param: "same" },
        paymentHeaders(reader.address, openBlock, PRICE, sig),
      ),
    ),
  );
  // One payment, and every other copy is a retry of the same proof for the same resource.
  expect(responses.every((r) => r.status === 200)).toBe(true);
  expect(await db().payment.count({ where: { channelId } })).toBe(1);
  expect((await db().channel.findUniqueOrThrow({ where: { id: channelId } })).balance).toBe(
    PRICE.toString(),
  );
});

it("sequential payers on many channels end with exact balances", async () => {
  const channels = await Promise.all(
    f.readers.slice(2, 8).map(async (reader) => {
      const openBlock = await f.openChannel(reader, TOKEN);
      return { reader, openBlock, id: await indexChannel(f, reader, openBlock, TOKEN) };
    }),
  );
  await Promise.all(
    channels.map(async ({ reader, openBlock }) => {
      for (let i = 1n; i <= 25n; i++) {
        const sig = await proof(f, reader, reader.address, openBlock, i * PRICE);
        const res = await call(
          fix,
          `/api/echo/fix/${i}`,
          { param: String(i) },
          paymentHeaders(reader.address, openBlock, i * PRICE, sig),
        );
        expect(res.status).toBe(200);
      }
    }),
  );
  for (const c of channels) {
    const row = await db().channel.findUniqueOrThrow({ where: { id: c.id } });
    expect(row.balance).toBe((25n * PRICE).toString());
    expect(await db().payment.count({ where: { channelId: c.id } })).toBe(25);
  }
});

// SQLite's whole-file write lock; on PostgreSQL another instance's write holds a row lock instead
// (tests/integration/cluster/three-instances.test.ts).
it.skipIf(testDatabaseKind() === "postgres")(
  "a payment waits for another connection's write lock without blocking the event loop",
  async () => {
    const reader = f.readers[8]!;
    const openBlock = await f.openChannel(reader, TOKEN);
    const channelId = await indexChannel(f, reader, openBlock, TOKEN);
    const { default: Database } = await import("better-sqlite3");
    const other = new Database(f.databaseUrl.slice("file:".length));
    other.prepare("BEGIN IMMEDIATE").run();
    // The lock is released by a timer: it can only fire if the paying request does not block the loop.
    const released = new Promise<void>((resolve) =>
      setTimeout(() => {
        other.prepare("COMMIT").run();
        other.close();
        resolve();
      }, 100),
    );
    const sig = await proof(f, reader, reader.address, openBlock, PRICE);
    const res = await call(
      fix,
      "/api/echo/fix/locked",
      { param: "locked" },
      paymentHeaders(reader.address, openBlock, PRICE, sig),
    );
    await released;
    expect(res.status).toBe(200);
    expect(await db().payment.count({ where: { channelId } })).toBe(1);
  },
);
