/**
 * Lets the site move to another deployment (chain, contract or receiver) without losing the
 * receiver's money: exports every stored proof to a JSON backup, moves the last proofs into the
 * archive table, and clears what was indexed so the next start indexes the configured deployment.
 *
 *   npm run db:switch-deployment [-- --backup-dir data/backups]
 */
import path from "node:path";
import { Command } from "commander";
import { resetDb } from "../lib/db/client";
import { switchDeployment } from "./lib/switch-deployment";

const program = new Command()
  .name("db:switch-deployment")
  .description(
    "Back up and archive the balance proofs of the indexed deployment, then index the configured one",
  )
  .option("--backup-dir <dir>", "where the JSON backup is written", "data/backups");

async function main(): Promise<void> {
  program.parse();
  const { backupDir } = program.opts<{ backupDir: string }>();
  const { file, archived } = await switchDeployment(path.resolve(backupDir));
  if (!file) {
    console.log("the database indexes no deployment yet: nothing to switch");
    await resetDb();
    return;
  }
  console.log(`backed up every stored proof to ${file}`);
  console.log(
    `archived ${archived} channel proof${archived === 1 ? "" : "s"}; the next start indexes the configured deployment`,
  );
  await resetDb();
}

main().catch((err: unknown) => {
  console.error(`db:switch-deployment failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
