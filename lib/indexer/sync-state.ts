/**
 * The SyncState singleton: which chain, contract and receiver the indexed rows belong to.
 * Data of another deployment is never deleted here: the site refuses to index or to serve until
 * the operator runs `npm run db:switch-deployment`, which backs every stored proof up first.
 */
import { getAddress } from "viem";
import { chainConfig, type ChainConfig } from "@/lib/chain/config";
import { db } from "@/lib/db/client";
import type { SyncState } from "@/lib/db/generated/client";
import { ConfigError } from "@/lib/errors";

/** What the indexed data is bound to. */
export interface ChainIdentity {
  chainId: number;
  genesisHash: string;
  contract: string;
  receiver: string;
}

/** The identity of the deployment the app serves now (checked against the chain by chainConfig). */
export function currentIdentity(cfg: ChainConfig): ChainIdentity {
  return {
    chainId: cfg.deployment.chainId,
    genesisHash: cfg.deployment.genesisHash,
    contract: getAddress(cfg.deployment.contract),
    receiver: getAddress(cfg.receiver.address),
  };
}

/** Names the fields in which `stored` differs from `now` (empty when they match). */
export function identityMismatch(
  stored: ChainIdentity,
  now: ChainIdentity,
): Array<keyof ChainIdentity> {
  const fields: Array<keyof ChainIdentity> = ["chainId", "genesisHash", "contract", "receiver"];
  return fields.filter((f) => String(stored[f]).toLowerCase() !== String(now[f]).toLowerCase());
}

/** The database holds the channels and proofs of another deployment: refuse until switched. */
export class DeploymentMismatchError extends ConfigError {
  override name = "DeploymentMismatchError";
  readonly fields: Array<keyof ChainIdentity>;
  constructor(stored: ChainIdentity, now: ChainIdentity, fields: Array<keyof ChainIdentity>) {
    super(
      `the database holds the channels and balance proofs of another deployment (${fields
        .map((f) => `${f} ${String(stored[f])}, configured ${String(now[f])}`)
        .join("; ")}); refusing to index or serve so they are not mixed up or lost. Back them up ` +
        "and switch with `npm run db:switch-deployment` (it exports every proof first), or " +
        "point DATABASE_URL at another database",
    );
    this.fields = fields;
  }
}

/** A fresh SyncState for `identity`, indexing from the deployment block. */
export function freshSyncState(cfg: ChainConfig) {
  const fromBlock = cfg.deployment.startBlock;
  return {
    ...currentIdentity(cfg),
    fromBlock,
    syncedBlock: fromBlock - 1,
    headBlock: 0,
    receiverEth: "0",
  };
}

/**
 * Returns the SyncState row, creating it on first use.
 *
 * @throws {@link DeploymentMismatchError} (503) when the stored data belongs to another chain,
 *   contract or receiver: nothing is deleted automatically
 */
export async function ensureSyncState(cfg?: ChainConfig): Promise<SyncState> {
  cfg ??= await chainConfig();
  const identity = currentIdentity(cfg);
  const stored = await db().syncState.findUnique({ where: { id: 1 } });
  if (!stored) {
    try {
      return await db().syncState.create({ data: { id: 1, ...freshSyncState(cfg) } });
    } catch (err) {
      // Another instance created it first.
      const row = await db().syncState.findUnique({ where: { id: 1 } });
      if (!row) throw err;
      return ensureSyncState(cfg);
    }
  }
  const mismatch = identityMismatch(stored, identity);
  if (mismatch.length === 0) return stored;
  throw new DeploymentMismatchError(stored, identity, mismatch);
}
