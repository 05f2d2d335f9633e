import path from "node:path";
import { archiveDeployment, writeProofBackup } from "../../lib/db/proof-backup";

/**
 * Backs every stored proof up to `<backupDir>/proofs-<time>.json`, then archives the live
 * deployment's proofs and clears its indexed data. The backup is written (and renamed into place)
 * before anything changes in the database.
 */
export async function switchDeployment(
  backupDir: string,
  now = new Date(),
): Promise<{ file: string; archived: number }> {
  const file = path.join(backupDir, `proofs-${now.toISOString().replace(/[:.]/g, "-")}.json`);
  await writeProofBackup(file);
  const archived = await archiveDeployment();
  return { file, archived };
}
