/**
 * Writes every stored balance proof (the live deployment's channels and all archived ones) to a
 * JSON file, for backups:
 *
 *   npm run proofs:export [-- --out data/backups/proofs.json]
 */
import { Command } from "commander";
import { writeProofBackup } from "../lib/db/proof-backup";
import { resetDb } from "../lib/db/client";

const program = new Command()
  .name("proofs:export")
  .description("Export the last balance proof of every channel to a JSON file")
  .option(
    "--out <file>",
    "file to write",
    `data/backups/proofs-${new Date().toISOString().replace(/[:.]/g, "-")}.json`,
  );

async function main(): Promise<void> {
  program.parse();
  const { out } = program.opts<{ out: string }>();
  const count = await writeProofBackup(out);
  console.log(`exported ${count} channel proof${count === 1 ? "" : "s"} to ${out}`);
  await resetDb();
}

main().catch((err: unknown) => {
  console.error(`proofs:export failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
