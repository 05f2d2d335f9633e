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

/**
 * Computes the stats. Sums are done in bigint (SQLite's SUM over TEXT would round).
 *
 * @throws {@link ChainUnavailableError} (502) when the token balance cannot be read
 */
export async function getStats(): Promise<StatsJson> {
  const { deployment, publicClient, receiver } = await chainConfig();
  const [live, sync] = await Promise.all([
    db().channel.findMany({
      where: { OR: [{ state: "open", confirmed: true }, { state: "closing" }] },
      select: { sender: true, state: true, deposit: true, balance: true },
    }),
    db().syncState.findUnique({ where: { id: 1 }, select: { syncedBlock: true } }),
  ]);

  let liquid: bigint;
  try {
    liquid = await publicClient.readContract({
      address: deployment.token,
      abi: demoTokenAbi,
      functionName: "balanceOf",
      args: [receiver.address],
    });
  } catch (cause) {
    throw new ChainUnavailableError(
      "cannot read liquid_balance: the chain RPC is unreachable",
      cause,
    );
  }

  return {
    deposit_sum: live.reduce((sum, c) => sum + BigInt(c.deposit), 0n).toString(),
    open_channels: live.filter((c) => c.state === "open").length,
    pending_channels: live.filter((c) => c.state === "closing").length,
    balance_sum: live.reduce((sum, c) => sum + BigInt(c.balance), 0n).toString(),
    unique_senders: new Set(live.map((c) => c.sender)).size,
    liquid_balance: liquid.toString(),
    token_address: deployment.token,
    contract_address: deployment.contract,
    receiver_address: receiver.address,
    chain_id: deployment.chainId,
    manager_abi: microTransferChannelsAbi,
    token_abi: demoTokenAbi,
    sync_block: sync?.syncedBlock ?? null,
  };
}
