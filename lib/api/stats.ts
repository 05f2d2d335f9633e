/**
 * `GET /api/1/stats`: the receiver's totals over its channels, plus what a client needs to talk
 * to the contracts (addresses, chain, ABIs).
 */
import type { Abi, Address } from "viem";
import { demoTokenAbi, microTransferChannelsAbi } from "@/lib/chain/abi";
import { chainConfig } from "@/lib/chain/config";
import { db } from "@/lib/db/client";
import { ChainUnavailableError } from "@/lib/errors";

/** The stats response. Amounts are decimal strings. */
export type StatsJson = {
  /** Σ confirmed deposit over live channels (open ∪ pending). */
  deposit_sum: string;
  /** Channels in state `open` whose creation is confirmed. */
  open_channels: number;
  /** Channels in state `closing`: close requested on chain, challenge period running. */
  pending_channels: number;
  /** Σ last accepted balance over live channels: earned, not yet settled. */
  balance_sum: string;
  /** Distinct senders of live channels. */
  unique_senders: number;
  /** `token.balanceOf(receiver)`, read from the chain. */
  liquid_balance: string;
  token_address: Address;
  contract_address: Address;
  receiver_address: Address;
  chain_id: number;
  manager_abi: Abi;
  token_abi: Abi;
  /** Last block whose events are indexed; null before the first sync. */
  sync_block: number | null;
};

/** The receiver's totals as domain values (amounts in token base units, ETH in wei). */
export interface Stats {
  /** Σ confirmed deposit over live channels (open ∪ pending). */
  depositSum: bigint;
  openChannels: number;
  /** Channels in state `closing`. */
  pendingChannels: number;
  /** Σ last accepted balance over live channels: earned, not yet settled. */
  balanceSum: bigint;
  uniqueSenders: number;
  /** `token.balanceOf(receiver)`. */
  liquidBalance: bigint;
  /** Receiver ETH (wei) as read now from the chain. */
  receiverEth: bigint;
  tokenAddress: Address;
  contractAddress: Address;
  receiverAddress: Address;
  chainId: number;
  /** Last block whose events are indexed; null before the first sync. */
  syncBlock: number | null;
  /** Chain head seen by the indexer's last pass; null before the first sync. */
  headBlock: number | null;
}

/**
 * Computes the stats. Sums are done in bigint (SQLite's SUM over TEXT would round).
 *
 * @throws {@link ChainUnavailableError} (502) when the chain cannot be read
 */
export async function loadStats(): Promise<Stats> {
  const { deployment, publicClient, receiver } = await chainConfig();
  const [live, sync] = await Promise.all([
    db().channel.findMany({
      where: { OR: [{ state: "open", confirmed: true }, { state: "closing" }] },
      select: { sender: true, state: true, deposit: true, balance: true },
    }),
    db().syncState.findUnique({
      where: { id: 1 },
      select: { syncedBlock: true, headBlock: true },
    }),
  ]);

  let liquid: bigint;
  let eth: bigint;
  try {
    [liquid, eth] = await Promise.all([
      publicClient.readContract({
        address: deployment.token,
        abi: demoTokenAbi,
        functionName: "balanceOf",
        args: [receiver.address],
      }),
      publicClient.getBalance({ address: receiver.address }),
    ]);
  } catch (cause) {
    throw new ChainUnavailableError(
      "cannot read liquid_balance: the chain RPC is unreachable",
      cause,
    );
  }

  return {
    depositSum: live.reduce((sum, c) => sum + BigInt(c.deposit), 0n),
    openChannels: live.filter((c) => c.state === "open").length,
    pendingChannels: live.filter((c) => c.state === "closing").length,
    balanceSum: live.reduce((sum, c) => sum + BigInt(c.balance), 0n),
    uniqueSenders: new Set(live.map((c) => c.sender)).size,
    liquidBalance: liquid,
    receiverEth: eth,
    tokenAddress: deployment.token,
    contractAddress: deployment.contract,
    receiverAddress: receiver.address,
    chainId: deployment.chainId,
    syncBlock: sync?.syncedBlock ?? null,
    headBlock: sync ? sync.headBlock : null,
  };
}

/** The stats as `GET /api/1/stats` answers them (PROTOCOL.md): amounts as decimal strings. */
export function toStatsJson(s: Stats): StatsJson {
  return {
    deposit_sum: s.depositSum.toString(),
    open_channels: s.openChannels,
    pending_channels: s.pendingChannels,
    balance_sum: s.balanceSum.toString(),
    unique_senders: s.uniqueSenders,
    liquid_balance: s.liquidBalance.toString(),
    token_address: s.tokenAddress,
    contract_address: s.contractAddress,
    receiver_address: s.receiverAddress,
    chain_id: s.chainId,
    manager_abi: microTransferChannelsAbi,
    token_abi: demoTokenAbi,
    sync_block: s.syncBlock,
  };
}

/** `GET /api/1/stats`'s answer. */
export async function getStats(): Promise<StatsJson> {
  return toStatsJson(await loadStats());
}
