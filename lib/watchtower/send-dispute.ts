/**
 * The chain side of a dispute: the receiver's `cooperativeClose` calldata, the channel's on-chain
 * deposit, and what became of the dispute transactions sent. Sending goes through the receiver's
 * transaction queue (`lib/chain/tx-queue`).
 */
import {
  BaseError,
  BlockNotFoundError,
  ContractFunctionRevertedError,
  encodeFunctionData,
  type Address,
  type Hex,
} from "viem";
import { microTransferChannelsAbi } from "@/lib/chain/abi";
import type { ChainConfig } from "@/lib/chain/config";
import { notFound } from "@/lib/chain/tx-queue";
import { channelDomain } from "@/lib/protocol/eip712";
import { signClosingProof } from "@/lib/protocol/proofs";
import type { TxObservation } from "./decide-dispute";

export { errorText, isInsufficientFunds } from "@/lib/chain/tx-queue";

/**
 * Signs a ClosingProof at `balance` and encodes `cooperativeClose` carrying it plus the sender's
 * BalanceProof for the same balance.
 */
export async function disputeCalldata(
  cfg: ChainConfig,
  channel: { sender: Address; openBlock: number; balance: bigint; signature: Hex },
): Promise<Hex> {
  const { deployment, receiver } = cfg;
  const closingSig = await signClosingProof({
    account: receiver,
    domain: channelDomain({ chainId: deployment.chainId, contract: deployment.contract }),
    message: {
      sender: channel.sender,
      receiver: receiver.address,
      openBlockNumber: channel.openBlock,
      balance: channel.balance,
    },
  });
  return encodeFunctionData({
    abi: microTransferChannelsAbi,
    functionName: "cooperativeClose",
    args: [
      channel.sender,
      receiver.address,
      channel.openBlock,
      channel.balance,
      channel.signature,
      closingSig,
    ],
  });
}

/**
 * The channel's deposit as the contract holds it now, or `null` when the contract no longer has
 * the channel (settled, or its creation was reorged away).
 *
 * @throws when the RPC fails
 */
export async function onChainDeposit(
  cfg: ChainConfig,
  channel: { sender: Address; openBlock: number },
): Promise<bigint | null> {
  try {
    const info = await cfg.publicClient.readContract({
      address: cfg.deployment.contract,
      abi: microTransferChannelsAbi,
      functionName: "getChannelInfo",
      args: [channel.sender, cfg.receiver.address, channel.openBlock],
    });
    return info[1];
  } catch (err) {
    // getChannelInfo reverts for an unknown or settled channel; anything else is an RPC fault.
    if (err instanceof BaseError && err.walk((e) => e instanceof ContractFunctionRevertedError))
      return null;
    throw err;
  }
}

/**
 * Looks up every transaction sent for a dispute (the latest and those it replaced, all at one
 * nonce). A receipt in a canonical block wins; then a transaction the node still holds; a receipt
 * whose block left the chain counts only when nothing else is known.
 *
 * @throws when the RPC fails (the transaction's fate is then unknown: never treat it as dropped)
 */
export async function observeDispute(
  cfg: ChainConfig,
  hashes: readonly Hex[],
): Promise<TxObservation> {
  const client = cfg.publicClient;
  let orphaned: TxObservation | null = null;
  for (const hash of hashes) {
    const receipt = await client.getTransactionReceipt({ hash }).catch(notFound);
    if (!receipt) continue;
    const block = await client.getBlock({ blockNumber: receipt.blockNumber }).catch((err) => {
      if (err instanceof BlockNotFoundError) return null;
      throw err;
    });
    const mined = {
      type: "mined" as const,
      txHash: hash,
      blockNumber: Number(receipt.blockNumber),
      canonical: block?.hash === receipt.blockHash,
      success: receipt.status === "success",
    };
    if (mined.canonical) return mined;
    orphaned ??= mined;
  }
  for (const hash of hashes) {
    // Found but not pending would be mined without a receipt served yet: checked again next pass.
    const tx = await client.getTransaction({ hash }).catch(notFound);
    if (tx)
      return {
        type: "pending",
        txHash: hash,
        nonce: tx.nonce,
        fees: {
          maxFeePerGas: tx.maxFeePerGas ?? tx.gasPrice ?? 0n,
          maxPriorityFeePerGas: tx.maxPriorityFeePerGas ?? tx.gasPrice ?? 0n,
        },
      };
  }
  return orphaned ?? { type: "unknown" };
}
