/**
 * Backups of the receiver's balance proofs: the last proof of every channel is what the receiver
 * can still claim on chain (withdraw or cooperativeClose), so it is exported to JSON for backups
 * and archived, never deleted, when the site moves to another deployment.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { db } from "./client";

/** One channel's last accepted proof as written to a backup file. */
export interface ExportedProof {
  chain_id: number;
  contract: string;
  receiver: string;
  sender: string;
  open_block: number;
  signer: string;
  deposit: string;
  withdrawn: string;
  state: string;
  balance: string;
  balance_signature: string | null;
  /** `live` for the deployment the database indexes, `archived` for earlier ones. */
  source: "live" | "archived";
}

/** The JSON a backup file holds. */
export interface ProofBackup {
  version: 1;
  exported_at: string;
  proofs: ExportedProof[];
}

/** Every stored last proof: the live deployment's channels plus all archived ones. */
export async function exportProofs(now = new Date()): Promise<ProofBackup> {
  const [state, channels, archived] = await Promise.all([
    db().syncState.findUnique({ where: { id: 1 } }),
    db().channel.findMany({ orderBy: [{ sender: "asc" }, { openBlock: "asc" }] }),
    db().archivedProof.findMany({ orderBy: [{ archivedAt: "asc" }, { id: "asc" }] }),
  ]);
  const proofs: ExportedProof[] = channels.map((c) => ({
    chain_id: state?.chainId ?? 0,
    contract: state?.contract ?? "",
    receiver: c.receiver,
    sender: c.sender,
    open_block: c.openBlock,
    signer: c.signer,
    deposit: c.deposit,
    withdrawn: c.withdrawn,
    state: c.state,
    balance: c.balance,
    balance_signature: c.signature,
    source: "live",
  }));
  for (const a of archived) {
    proofs.push({
      chain_id: a.chainId,
      contract: a.contract,
      receiver: a.receiver,
      sender: a.sender,
      open_block: a.openBlock,
      signer: a.signer,
      deposit: a.deposit,
      withdrawn: a.withdrawn,
      state: a.state,
      balance: a.balance,
      balance_signature: a.signature,
      source: "archived",
    });
  }
  return { version: 1, exported_at: now.toISOString(), proofs };
}

/** Writes a backup atomically (temporary file, then rename); returns the number of proofs. */
export async function writeProofBackup(file: string): Promise<number> {
  const backup = await exportProofs();
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(backup, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  return backup.proofs.length;
}

/**
 * Moves the live deployment's last proofs into `ArchivedProof` and clears what was indexed for it
 * (channels, payments, events, block hashes, sync state), in one transaction. The next start
 * indexes the configured deployment from its start block.
 *
 * @returns how many channel proofs were archived
 */
export async function archiveDeployment(): Promise<number> {
  return db().$transaction(async (tx) => {
    const state = await tx.syncState.findUnique({ where: { id: 1 } });
    const channels = await tx.channel.findMany();
    if (state) {
      for (const c of channels) {
        const row = {
          signer: c.signer,
          deposit: c.deposit,
          state: c.state,
          balance: c.balance,
          signature: c.signature,
          withdrawn: c.withdrawn,
        };
        await tx.archivedProof.upsert({
          where: {
            chainId_contract_receiver_sender_openBlock: {
              chainId: state.chainId,
              contract: state.contract,
              receiver: c.receiver,
              sender: c.sender,
              openBlock: c.openBlock,
            },
          },
          create: {
            chainId: state.chainId,
            contract: state.contract,
            receiver: c.receiver,
            sender: c.sender,
            openBlock: c.openBlock,
            ...row,
          },
          update: row,
        });
      }
    } else if (channels.length > 0) {
      throw new Error(
        "channels without a SyncState row: refusing to archive them without an identity",
      );
    }
    await tx.payment.deleteMany({});
    await tx.channel.deleteMany({});
    await tx.chainEvent.deleteMany({});
    await tx.indexedBlock.deleteMany({});
    await tx.syncState.deleteMany({});
    return channels.length;
  });
}
