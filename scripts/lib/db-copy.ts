/**
 * Copies every row of one site database into another, empty one: SQLite → PostgreSQL when a site
 * outgrows one instance (or back). A source a running site uses is refused (its indexer lease or
 * leader lock is held: see source-in-use.ts). Both are migrated first (as the site does on every
 * start), the target must hold no rows; every table is read from one snapshot of the source (one
 * read-only REPEATABLE READ transaction on PostgreSQL, one read transaction on SQLite), in key
 * order and in batches, then counted on both sides; PostgreSQL's id sequences are moved past the
 * copied ids. Amounts are text on both sides and are copied as they are.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { createPrismaClient } from "@/lib/db/client";
import type { Prisma, PrismaClient } from "@/lib/db/generated/client";
import { databaseKind } from "@/lib/db/kind";
import { sourceInUse } from "./source-in-use";

const root = path.resolve(__dirname, "../..");
const BATCH = 1000;
/** The snapshot lasts as long as the copy: a large site takes minutes. */
const SNAPSHOT_TIMEOUT_MS = 24 * 3_600_000;

type Row = Record<string, unknown>;
interface Delegate {
  count(): Promise<number>;
  findMany(args: object): Promise<Row[]>;
  createMany(args: { data: Row[] }): Promise<{ count: number }>;
}

/** Every table, parents before children; `id` names an integer key to copy in batches by. */
export const COPIED_TABLES: { model: string; table: string; id?: string }[] = [
  { model: "article", table: "Article", id: "id" },
  { model: "upstreamRoute", table: "UpstreamRoute", id: "id" },
  { model: "resourceChallenge", table: "ResourceChallenge" },
  { model: "resourceReader", table: "ResourceReader" },
  { model: "media", table: "Media", id: "id" },
  { model: "channel", table: "Channel", id: "id" },
  { model: "payment", table: "Payment", id: "id" },
  { model: "oneOffPayment", table: "OneOffPayment", id: "id" },
  { model: "relay", table: "Relay", id: "id" },
  { model: "chainEvent", table: "ChainEvent", id: "id" },
  { model: "indexedBlock", table: "IndexedBlock" },
  { model: "syncState", table: "SyncState" },
  { model: "authNonce", table: "AuthNonce" },
  { model: "archivedProof", table: "ArchivedProof", id: "id" },
  { model: "leaderTask", table: "LeaderTask", id: "id" },
];

const delegate = (client: PrismaClient | Prisma.TransactionClient, model: string) =>
  (client as unknown as Record<string, Delegate>)[model]!;

/** What {@link copyDatabase} may be told besides the two URLs. */
export interface CopyOptions {
  /** Progress lines (default: console.log). */
  log?: (line: string) => void;
  /** Called inside the source's snapshot after each table is copied (tests write to the source
   * here, to show that the copy does not see it). */
  afterTable?: (table: string) => Promise<void>;
}

/** Refuses a source that a running site uses. */
async function refuseInUse(
  client: PrismaClient | Prisma.TransactionClient,
  kind: "sqlite" | "postgres",
): Promise<void> {
  const why = await sourceInUse(client as PrismaClient, kind);
  if (why)
    throw new Error(
      `the source is in use: ${why}. Stop every instance of the site on it, then copy ` +
        "(nothing was copied)",
    );
}

/**
 * Copies `from` into `to`.
 *
 * @returns the number of rows copied per table
 * @throws when a running site uses the source, the target holds any row, or a count differs
 *   after the copy
 * @example
 * await copyDatabase("file:./data/site.db", process.env.TARGET_URL!);
 */
export async function copyDatabase(
  from: string,
  to: string,
  opts: CopyOptions = {},
): Promise<Record<string, number>> {
  const log = opts.log ?? console.log;
  if (from === to) throw new Error("--from and --to name the same database");
  const fromKind = databaseKind(from);
  databaseKind(to);
  // Before migrating: a running site's database is not touched at all. (The probe's connection
  // is closed first: migrating SQLite waits for every other connection to the file.)
  const probe = createPrismaClient(from);
  try {
    await refuseInUse(probe, fromKind);
  } finally {
    await probe.$disconnect();
  }
  for (const [which, url] of [
    ["source", from],
    ["target", to],
  ] as const) {
    log(`migrating the ${which} to the current schema…`);
    const migrated = spawnSync(process.execPath, ["scripts/prisma.mjs", "migrate", "deploy"], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url },
      encoding: "utf8",
    });
    if (migrated.status !== 0)
      throw new Error(`migrating the ${which} failed:\n${migrated.stdout}${migrated.stderr}`);
  }

  const source = createPrismaClient(from);
  const target = createPrismaClient(to);
  try {
    for (const { model, table } of COPIED_TABLES) {
      const n = await delegate(target, model).count();
      if (n > 0)
        throw new Error(`the target is not empty: ${table} holds ${n} rows (nothing was copied)`);
    }
    const copied: Record<string, number> = {};
    await source.$transaction(
      async (snapshot) => {
        if (fromKind === "postgres") await snapshot.$executeRawUnsafe("SET TRANSACTION READ ONLY");
        await refuseInUse(snapshot, fromKind); // a site started since the first look
        try {
          await copyTables(snapshot, target, copied, log, opts.afterTable);
        } catch (err) {
          throw new Error(
            `${err instanceof Error ? err.message : String(err)}; the target holds a partial ` +
              "copy: drop and recreate it before trying again",
            { cause: err },
          );
        }
      },
      {
        // SQLite: BEGIN on the one connection, whose first read fixes what every later one sees.
        ...(fromKind === "postgres"
          ? { isolationLevel: "RepeatableRead" as Prisma.TransactionIsolationLevel }
          : {}),
        maxWait: 60_000,
        timeout: SNAPSHOT_TIMEOUT_MS,
      },
    );
    if (databaseKind(to) === "postgres") {
      // New rows get ids after the copied ones.
      for (const { table, id } of COPIED_TABLES.filter((t) => t.id)) {
        await target.$executeRawUnsafe(
          `SELECT setval(pg_get_serial_sequence('"${table}"', '${id}'),
                         COALESCE((SELECT MAX("${id}") FROM "${table}"), 1),
                         (SELECT MAX("${id}") FROM "${table}") IS NOT NULL)`,
        );
      }
    }
    return copied;
  } finally {
    await Promise.all([source.$disconnect(), target.$disconnect()]);
  }
}

/** Copies each table in order (batches by key), checking the counts on both sides. */
async function copyTables(
  source: Prisma.TransactionClient,
  target: PrismaClient,
  copied: Record<string, number>,
  log: (line: string) => void,
  afterTable?: (table: string) => Promise<void>,
): Promise<void> {
  for (const { model, table, id } of COPIED_TABLES) {
    const src = delegate(source, model);
    const dst = delegate(target, model);
    let done = 0;
    if (id) {
      for (let last = -1; ;) {
        const rows = await src.findMany({
          where: { [id]: { gt: last } },
          orderBy: { [id]: "asc" },
          take: BATCH,
        });
        if (rows.length === 0) break;
        done += (await dst.createMany({ data: rows })).count;
        last = rows[rows.length - 1]![id] as number;
      }
    } else {
      const rows = await src.findMany({});
      if (rows.length > 0) done = (await dst.createMany({ data: rows })).count;
    }
    const [a, b] = await Promise.all([src.count(), dst.count()]);
    if (a !== b) throw new Error(`${table}: ${a} rows in the source, ${b} copied`);
    copied[table] = done;
    log(`  ${table}: ${done} row${done === 1 ? "" : "s"}`);
    await afterTable?.(table);
  }
}
