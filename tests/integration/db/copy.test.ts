/**
 * `npm run db:copy`: a site's SQLite database moved to PostgreSQL row for row (payments written by
 * the hot path included), id sequences moved on, and the copy serving the next payment; a target
 * that holds rows is refused.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { GET as fix } from "@/app/api/echo/fix/[param]/route";
import { createPrismaClient, db, resetDb } from "@/lib/db/client";
import { closeSqlite } from "@/lib/db/sqlite";
import { resetEnv } from "@/lib/env";
import { resetChainConfig } from "@/lib/chain/config";
import { ECHO_FIX_PRICE } from "@/lib/content/echo";
import { COPIED_TABLES, copyDatabase } from "../../../scripts/lib/db-copy";
import { startPostgres, type PostgresServer } from "../../../scripts/lib/postgres";
import { call, indexChannel, paymentHeaders, proof } from "../../helpers/paywall";
import { runScript, startSiteFixture, TOKEN, type SiteFixture } from "../../helpers/site-fixture";

let f: SiteFixture;
let server: PostgresServer;
let source: string;
let target: string;
let channelId: number;
let openBlock: number;

beforeAll(async () => {
  f = await startSiteFixture();
  source = f.databaseUrl;
  runScript(["node_modules/.bin/tsx", "prisma/seed.ts"], { DATABASE_URL: source });
  server = await startPostgres({ fast: true, log: () => undefined });
  target = await server.createDatabase("copy_target");
  const reader = f.readers[0]!;
  openBlock = await f.openChannel(reader, TOKEN);
  channelId = await indexChannel(f, reader, openBlock, TOKEN);
  for (let i = 1n; i <= 3n; i++) {
    const balance = i * ECHO_FIX_PRICE;
    const res = await call(
      fix,
      `/api/echo/fix/${i}`,
      { param: String(i) },
      paymentHeaders(
        reader.address,
        openBlock,
        balance,
        await proof(f, reader, reader.address, openBlock, balance),
      ),
    );
    expect(res.status).toBe(200);
  }
});
afterAll(async () => {
  await f?.stop();
  server?.stop();
});

/** Every row of every table, in key order, from a client of `url`. */
async function dump(url: string): Promise<Record<string, unknown[]>> {
  const client = createPrismaClient(url);
  try {
    const out: Record<string, unknown[]> = {};
    for (const { model, table, id } of COPIED_TABLES) {
      const d = (client as unknown as Record<string, { findMany(a: object): Promise<unknown[]> }>)[
        model
      ]!;
      const rows = await d.findMany(id ? { orderBy: { [id]: "asc" } } : {});
      out[table] = id
        ? rows
        : [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    }
    return out;
  } finally {
    await client.$disconnect();
  }
}

it("copies every row of every table exactly, and refuses a target that holds rows", async () => {
  // The site is stopped for the copy: its connections to the file are closed.
  await resetDb();
  closeSqlite();
  const copied = await copyDatabase(source, target, () => undefined);
  expect(copied.Payment).toBe(3);
  expect(copied.Article).toBeGreaterThan(200);
  const [a, b] = await Promise.all([dump(source), dump(target)]);
  expect(b).toEqual(a);
  await expect(copyDatabase(source, target, () => undefined)).rejects.toThrow(
    /the target is not empty: Article holds \d+ rows/,
  );
});

it("serves the next payment from the copy, on top of the copied balance, with fresh ids", async () => {
  Object.assign(process.env, { DATABASE_URL: target });
  resetEnv();
  resetChainConfig(); // a new paywall context, with the PostgreSQL store
  await resetDb();
  const reader = f.readers[0]!;
  const balance = 4n * ECHO_FIX_PRICE;
  const res = await call(
    fix,
    "/api/echo/fix/4",
    { param: "4" },
    paymentHeaders(
      reader.address,
      openBlock,
      balance,
      await proof(f, reader, reader.address, openBlock, balance),
    ),
  );
  expect(res.status).toBe(200);
  const channel = await db().channel.findUniqueOrThrow({ where: { id: channelId } });
  expect(BigInt(channel.balance)).toBe(balance);
  const payments = await db().payment.findMany({ where: { channelId }, orderBy: { id: "asc" } });
  expect(payments.map((p) => BigInt(p.balance))).toEqual(
    [1n, 2n, 3n, 4n].map((i) => i * ECHO_FIX_PRICE),
  );
  // The sequence moved past the copied ids: a new row does not collide.
  const article = await db().article.create({
    data: { slug: "after-copy", title: "t", author: "a", teaser: "t", body: "b", price: "1" },
  });
  const max = await db().article.aggregate({ _max: { id: true } });
  expect(article.id).toBe(max._max.id);
});
