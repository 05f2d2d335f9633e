import path from "node:path";
import { db } from "../../lib/db/client";
import { archiveDeployment, writeProofBackup } from "../../lib/db/proof-backup";

/**
 * Backs every stored proof up to `<backupDir>/proofs-<time>.json`, then archives the live
 * deployment's proofs and clears its indexed data. The backup is written (and renamed into place)
 * before anything changes in the database. A database that indexes nothing yet is left as it is.
 *
 * @returns the backup file (undefined when there was nothing to switch) and the archived count
 */
export async function switchDeployment(
  backupDir: string,
  now = new Date(),
): Promise<{ file?: string; archived: number }> {
  const [state, channels] = await Promise.all([db().syncState.count(), db().channel.count()]);
  if (state === 0 && channels === 0) return { archived: 0 };
  const file = path.join(backupDir, `proofs-${now.toISOString().replace(/[:.]/g, "-")}.json`);
  await writeProofBackup(file);
  const archived = await archiveDeployment();
  return { file, archived };
}
