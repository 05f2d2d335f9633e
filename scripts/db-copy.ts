/**
 * `npm run db:copy -- --from <url> --to <url>`: moves a site's database, e.g. from its SQLite file
 * to PostgreSQL before running several instances. Stop the site first: rows written during the
 * copy would not be copied. The source is brought to the current schema (as the site does on
 * every start) and otherwise only read.
 */
import { Command } from "commander";
import { copyDatabase } from "./lib/db-copy";

const program = new Command()
  .name("db:copy")
  .description("Copy every row of one site database into another, empty one (migrated first)")
  .requiredOption("--from <url>", "source DATABASE_URL (file:… or postgresql://…)")
  .requiredOption("--to <url>", "target DATABASE_URL, empty (file:… or postgresql://…)");

async function main(): Promise<void> {
  program.parse();
  const { from, to } = program.opts<{ from: string; to: string }>();
  console.log(
    `copying ${from.replace(/\/\/[^@/]*@/, "//…@")} → ${to.replace(/\/\/[^@/]*@/, "//…@")}`,
  );
  const copied = await copyDatabase(from, to);
  const total = Object.values(copied).reduce((a, b) => a + b, 0);
  console.log(`copied ${total} rows; point DATABASE_URL at the target and start the site`);
}

main().catch((err: unknown) => {
  console.error(`db:copy failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
