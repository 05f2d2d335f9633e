/**
 * `npm run db:copy`: a site's SQLite database moved to PostgreSQL row for row (payments written by
 * the hot path included), id sequences moved on, and the copy serving the next payment; a target
 * that holds rows is refused. Every table comes from one snapshot of the source (SQLite and
 * PostgreSQL), a source a running site uses is refused, and a URL with a password is taken from the
 * environment or a file, never from the command line.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as fix } from "@/app/api/echo/fix/[param]/route";
import { createPrismaClient, db, resetDb } from "@/lib/db/client";
import { closeSqlite } from "@/lib/db/sqlite";
import { resetEnv } from "@/lib/env";
import { resetChainConfig } from "@/lib/chain/config";
import { LEADER_LOCK_KEY } from "@/lib/cluster/leadership";
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
  // A one-off (x402 exact) payment and a relayed open: money records like the payments.
  await db().oneOffPayment.create({
    data: {
      kind: "x402-exact",
      resource: "article:the-402-status-code",
      amount: "50000",
      payer: reader.address,
      nonce: `0x${"ab".repeat(32)}`,
      txHash: `0x${"cd".repeat(32)}`,
      network: "eip155:31337",
      gasUsed: "60000",
      gasCost: "60000000000000",
    },
  });
  await db().relay.create({
    data: {
      kind: "open",
      sender: reader.address,
      receiver: reader.address,
      amount: "1000000",
      nonce: `0x${"ef".repeat(32)}`,
      clientIp: "127.0.0.1",
      state: "mined",
      gasCost: "1",
    },
  });
});
afterAll(async () => {
  await f?.stop();
  server?.stop();
});

const quiet = { log: () => undefined };

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

it("copies every table of the schema", () => {
  const models = [
    ...readFileSync(path.resolve(__dirname, "../../../prisma/schema.prisma"), "utf8").matchAll(
      /^model (\w+) \{/gm,
    ),
  ].map((m) => m[1]);
  expect(COPIED_TABLES.map((t) => t.table).sort()).toEqual(models.sort());
});

it("copies every row of every table exactly, and refuses a target that holds rows", async () => {
  // The site is stopped for the copy: its connections to the file are closed.
  await resetDb();
  closeSqlite();
  const copied = await copyDatabase(source, target, quiet);
  expect(copied.Payment).toBe(3);
  expect(copied.OneOffPayment).toBe(1);
  expect(copied.Relay).toBe(1);
  expect(copied.Article).toBeGreaterThan(200);
  const [a, b] = await Promise.all([dump(source), dump(target)]);
  expect(b).toEqual(a);
  await expect(copyDatabase(source, target, quiet)).rejects.toThrow(
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

describe("one snapshot of the source", () => {
  /** A payment that lands while the copy runs: the channel's balance and its Payment row. */
  async function payDuringCopy(url: string, balance: bigint): Promise<void> {
    const writer = createPrismaClient(url);
    try {
      await writer.$transaction([
        writer.channel.update({ where: { id: channelId }, data: { balance: balance.toString() } }),
        writer.payment.create({
          data: {
            channelId,
            resource: "during-copy",
            amount: ECHO_FIX_PRICE.toString(),
            balance: balance.toString(),
            signature: "0x",
          },
        }),
      ]);
    } finally {
      await writer.$disconnect();
    }
  }

  /** Copies `from` into `to` with a payment written into `from` once Channel is copied. */
  async function copyWithPaymentBetweenTables(from: string, to: string, balance: bigint) {
    const before = await dump(from);
    let written = false;
    await copyDatabase(from, to, {
      ...quiet,
      afterTable: async (table) => {
        if (table !== "Channel") return;
        await payDuringCopy(from, balance);
        written = true;
      },
    });
    expect(written).toBe(true);
    const after = await dump(from);
    expect(after.Payment).toHaveLength(before.Payment!.length + 1); // the write landed
    // The copy is the source as it was when the copy began: no Payment row without its balance.
    expect(await dump(to)).toEqual(before);
  }

  it("from SQLite: a payment written between the Channel and Payment tables is in neither", async () => {
    const to = await server.createDatabase("copy_snapshot");
    await copyWithPaymentBetweenTables(source, to, 10n * ECHO_FIX_PRICE);
  });

  it("from PostgreSQL (REPEATABLE READ, read only): the same", async () => {
    const to = `file:${path.join(f.dir, "back.db")}`;
    await copyWithPaymentBetweenTables(target, to, 11n * ECHO_FIX_PRICE);
  });
});

/** Sets the source's indexer lease (as a running site of another host does), then disconnects:
 * migrating SQLite waits for every other connection to the file. */
async function setLease(until: Date): Promise<void> {
  const client = createPrismaClient(source);
  try {
    await client.syncState.update({
      where: { id: 1 },
      data: { leaseOwner: "other-host:4242:abcd1234", leaseUntil: until },
    });
  } finally {
    await client.$disconnect();
  }
}

describe("a source a running site uses", () => {
  it("is refused while its indexer lease is held, before anything is migrated or copied", async () => {
    const to = await server.createDatabase("copy_live");
    await setLease(new Date(Date.now() + 60_000));
    await expect(copyDatabase(source, to, quiet)).rejects.toThrow(
      /the source is in use: its indexer lease is held by other-host:4242:abcd1234 until .*Stop every instance/,
    );
    // Not migrated: the target has no tables.
    const tables = new pg.Client({ connectionString: to });
    await tables.connect();
    const { rows } = await tables.query(
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'",
    );
    await tables.end();
    expect(rows[0].n).toBe(0);
    // An expired lease (the site stopped, or crashed long ago) is not in the way.
    await setLease(new Date(Date.now() - 1_000));
    expect((await copyDatabase(source, to, quiet)).Article).toBeGreaterThan(200);
  });

  it("is refused while an instance holds the leader lock (PostgreSQL)", async () => {
    const leader = new pg.Client({ connectionString: target });
    await leader.connect();
    try {
      const { rows } = await leader.query("SELECT pg_try_advisory_lock($1::bigint) AS ok", [
        LEADER_LOCK_KEY,
      ]);
      expect(rows[0].ok).toBe(true);
      await expect(
        copyDatabase(target, `file:${path.join(f.dir, "live.db")}`, quiet),
      ).rejects.toThrow(/the source is in use: an instance of the site leads on it \(session \d+/);
    } finally {
      await leader.end();
    }
  });
});

describe("npm run db:copy", () => {
  const cli = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ["node_modules/.bin/tsx", "scripts/db-copy.ts", ...args], {
      cwd: path.resolve(__dirname, "../../.."),
      env: { ...process.env, ...env },
      encoding: "utf8",
    });

  it("refuses a URL with a password on the command line, saying how to pass it", () => {
    const res = cli(["--from", source, "--to", "postgresql://u:s3cret@127.0.0.1:1/paychan"]);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/--to carries a password.*--to-env .*--to-file/);
    expect(res.stdout + res.stderr).not.toContain("s3cret");
  });

  it("takes the URLs from the environment (and still refuses a live source)", async () => {
    await setLease(new Date(Date.now() + 60_000));
    try {
      const res = cli(["--from-env", "SOURCE_URL", "--to-env", "TARGET_URL"], {
        SOURCE_URL: source,
        TARGET_URL: server.url("copy_cli"),
      });
      expect(res.stderr).toMatch(/db:copy failed: the source is in use/);
      expect(res.stdout).toMatch(/copying file:.* → postgresql:\/\/postgres:…@127\.0\.0\.1/);
      expect(res.stdout + res.stderr).not.toContain(server.url().split(":")[2]!.split("@")[0]!);
    } finally {
      await setLease(new Date(0));
    }
  });
});
