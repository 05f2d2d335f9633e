/**
 * The benchmark's own access to the site's database, on SQLite or PostgreSQL: it adds a free copy
 * of a paid article and reads back the payments recorded during a run to check them proof by
 * proof. Plain SQL, outside the site's code, so the check does not trust what it checks.
 */
import Database from "better-sqlite3";
import pg from "pg";
import type { RecordedPayment } from "../bench-payments";

export interface BenchDb {
  /** Adds `free-copy`: the article `slug` at price 0 (the same route and page, served free). */
  addFreeCopy(slug: string): Promise<void>;
  /** The id of the newest payment (0 when there is none). */
  lastPaymentId(): Promise<number>;
  /** Payments recorded after payment `id`, with the channel's sender and open block. */
  paymentsSince(id: number): Promise<Array<RecordedPayment & { openBlock: number }>>;
  close(): Promise<void>;
}

const sqliteDb = (file: string): BenchDb => {
  let check: Database.Database | undefined;
  const reader = () => (check ??= new Database(file, { readonly: true }));
  return {
    async addFreeCopy(slug) {
      const sql = new Database(file);
      sql
        .prepare(
          `INSERT INTO Article (slug, title, author, teaser, body, price, publishedAt)
      SELECT 'free-copy', title, author, teaser, body, '0', publishedAt FROM Article WHERE slug = ?`,
        )
        .run(slug);
      sql.close();
    },
    async lastPaymentId() {
      const row = reader()
        .prepare<[], { id: number | null }>("SELECT MAX(id) AS id FROM Payment")
        .get();
      return row?.id ?? 0;
    },
    async paymentsSince(id) {
      return reader()
        .prepare<[number], RecordedPayment & { openBlock: number }>(
          `SELECT c.sender AS channel, c.openBlock AS openBlock, p.balance AS balance,
        p.amount AS amount, p.resource AS resource
      FROM Payment p JOIN Channel c ON c.id = p.channelId WHERE p.id > ?`,
        )
        .all(id);
    },
    async close() {
      check?.close();
    },
  };
};

const postgresDb = (url: string): BenchDb => {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  return {
    async addFreeCopy(slug) {
      await pool.query(
        `INSERT INTO "Article" (slug, title, author, teaser, body, price, "publishedAt")
        SELECT 'free-copy', title, author, teaser, body, '0', "publishedAt" FROM "Article"
        WHERE slug = $1`,
        [slug],
      );
    },
    async lastPaymentId() {
      const { rows } = await pool.query<{ id: number | null }>(
        `SELECT MAX(id) AS id FROM "Payment"`,
      );
      return rows[0]?.id ?? 0;
    },
    async paymentsSince(id) {
      const { rows } = await pool.query<RecordedPayment & { openBlock: number }>(
        `SELECT c.sender AS channel, c."openBlock" AS "openBlock", p.balance AS balance,
          p.amount AS amount, p.resource AS resource
        FROM "Payment" p JOIN "Channel" c ON c.id = p."channelId" WHERE p.id > $1`,
        [id],
      );
      return rows;
    },
    async close() {
      await pool.end();
    },
  };
};

/** The benchmark's database access for `databaseUrl` (`file:` SQLite or `postgresql:`). */
export function openBenchDb(databaseUrl: string): BenchDb {
  if (databaseUrl.startsWith("file:")) return sqliteDb(databaseUrl.slice("file:".length));
  if (/^postgres(ql)?:/.test(databaseUrl)) return postgresDb(databaseUrl);
  throw new Error(`unsupported DATABASE_URL for the benchmark: ${databaseUrl}`);
}
