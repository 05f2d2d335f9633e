/**
 * The SyncState singleton: which chain, contract and receiver the indexed rows belong to.
 * A different identity (anvil restarted, contract redeployed, another receiver key) wipes the
 * projection and starts over from the deployment block.
 */
import { getAddress } from "viem";
import { chainConfig, type ChainConfig } from "@/lib/chain/config";
import { db } from "@/lib/db/client";
import type { SyncState } from "@/lib/db/generated/client";

/** What the indexed data is bound to. */
export interface ChainIdentity {
  chainId: number;
  genesisHash: string;
  contract: string;
  receiver: string;
}

const identities = new WeakMap<ChainConfig, Promise<ChainIdentity>>();

/** The identity of the chain the app talks to now (asked once per loaded config). */
export function currentIdentity(cfg: ChainConfig = chainConfig()): Promise<ChainIdentity> {
  let identity = identities.get(cfg);
  if (!identity) {
    identity = (async () => {
      const [chainId, genesis] = await Promise.all([
        cfg.publicClient.getChainId(),
        cfg.publicClient.getBlock({ blockNumber: 0n }),
      ]);
      return {
        chainId,
        genesisHash: genesis.hash,
        contract: getAddress(cfg.deployment.contract),
        receiver: getAddress(cfg.receiver.address),
      };
    })();
    identity.catch(() => identities.delete(cfg));
    identities.set(cfg, identity);
  }
  return identity;
}

/** Names the fields in which `stored` differs from `now` (empty when they match). */
export function identityMismatch(
  stored: ChainIdentity,
  now: ChainIdentity,
): Array<keyof ChainIdentity> {
  const fields: Array<keyof ChainIdentity> = ["chainId", "genesisHash", "contract", "receiver"];
  return fields.filter((f) => String(stored[f]).toLowerCase() !== String(now[f]).toLowerCase());
}

/**
 * Returns the SyncState row, creating it on first use and resetting the indexed data when it
 * belongs to another chain, contract or receiver.
 */
export async function ensureSyncState(cfg: ChainConfig = chainConfig()): Promise<SyncState> {
  const identity = await currentIdentity(cfg);
  const fromBlock = cfg.deployment.startBlock;
  const fresh = {
    ...identity,
    fromBlock,
    syncedBlock: fromBlock - 1,
    headBlock: 0,
    receiverEth: "0",
  };
  const stored = await db().syncState.findUnique({ where: { id: 1 } });
  if (!stored) {
    try {
      return await db().syncState.create({ data: { id: 1, ...fresh } });
    } catch (err) {
      // Another instance created it first.
      const row = await db().syncState.findUnique({ where: { id: 1 } });
      if (!row) throw err;
      return ensureSyncState(cfg);
    }
  }
  const mismatch = identityMismatch(stored, identity);
  if (mismatch.length === 0) return stored;
  console.warn(
    `[indexer] !!! the indexed data belongs to another deployment (${mismatch
      .map((f) => `${f}: ${String(stored[f])} -> ${String(identity[f])}`)
      .join(", ")}): wiping channels, payments and events and re-indexing from block ${fromBlock}`,
  );
  const [, , , , state] = await db().$transaction([
    db().payment.deleteMany({}),
    db().channel.deleteMany({}),
    db().chainEvent.deleteMany({}),
    db().indexedBlock.deleteMany({}),
    db().syncState.update({ where: { id: 1 }, data: fresh }),
  ]);
  return state;
}
