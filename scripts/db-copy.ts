/**
 * `npm run db:copy -- --from <url> --to <url>`: moves a site's database, e.g. from its SQLite file
 * to PostgreSQL before running several instances. Stop the site first: a source whose indexer
 * lease or leader lock is held is refused. Every table is read from one snapshot of the source.
 * The source is brought to the current schema (as the site does on every start) and otherwise
 * only read. A URL with a password comes from the environment (`--to-env VAR`) or a file
 * (`--to-file path`), never from the command line.
 */
import { Command } from "commander";
import { copyDatabase } from "./lib/db-copy";
import { databaseUrlFromArgs, redactUrl } from "./lib/database-url-arg";

const program = new Command()
  .name("db:copy")
  .description("Copy every row of one site database into another, empty one (migrated first)")
  .option("--from <url>", "source DATABASE_URL (file:…, or postgresql://… without a password)")
  .option("--from-env <VAR>", "read the source URL from the environment variable VAR")
  .option("--from-file <path>", "read the source URL from a file (its first line)")
  .option("--to <url>", "target DATABASE_URL, empty (file:…, or postgresql://… without a password)")
  .option("--to-env <VAR>", "read the target URL from the environment variable VAR")
  .option("--to-file <path>", "read the target URL from a file (its first line)");

type Options = Partial<Record<"from" | "fromEnv" | "fromFile" | "to" | "toEnv" | "toFile", string>>;

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<Options>();
  const from = databaseUrlFromArgs({ url: o.from, env: o.fromEnv, file: o.fromFile }, "from");
  const to = databaseUrlFromArgs({ url: o.to, env: o.toEnv, file: o.toFile }, "to");
  console.log(`copying ${redactUrl(from)} → ${redactUrl(to)}`);
  const copied = await copyDatabase(from, to);
  const total = Object.values(copied).reduce((a, b) => a + b, 0);
  console.log(`copied ${total} rows; point DATABASE_URL at the target and start the site`);
}

main().catch((err: unknown) => {
  console.error(`db:copy failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
