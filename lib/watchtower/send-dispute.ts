/**
 * Building, signing and broadcasting the receiver's `cooperativeClose` for a dispute, and reading
 * back what became of it. Every expected outcome is a value; only bugs throw.
 */
import {
  BaseError,
  InsufficientFundsError,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
  encodeFunctionData,
  keccak256,
  type Address,
  type Hex,
} from "viem";
import { microTransferChannelsAbi } from "@/lib/chain/abi";
import type { ChainConfig } from "@/lib/chain/config";
import { channelDomain } from "@/lib/protocol/eip712";
import { signClosingProof } from "@/lib/protocol/proofs";

/** A signed transaction not yet broadcast (its hash is known before it leaves). */
export type PreparedDispute =
  | { type: "signed"; txHash: Hex; serialized: Hex }
  | { type: "no-eth"; error: string }
  | { type: "failed"; error: string };

/** What a sent dispute transaction came to. */
export type DisputeReceipt =
  { type: "success" } | { type: "reverted" } | { type: "pending" } | { type: "dropped" };

/** Whether `err` means the receiver cannot pay for gas. */
export function isInsufficientFunds(err: unknown): boolean {
  if (err instanceof BaseError && err.walk((e) => e instanceof InsufficientFundsError)) return true;
  return /insufficient funds|not enough (funds|balance)|exceeds balance/i.test(
    err instanceof Error ? err.message : String(err),
  );
}

/** Short, single-line text of an error for `Channel.disputeError`. */
export function errorText(err: unknown): string {
  const text =
    err instanceof BaseError ? err.shortMessage : err instanceof Error ? err.message : String(err);
  return text.split("\n")[0]!.slice(0, 300);
}

/**
 * Signs a ClosingProof at `balance` and a `cooperativeClose` transaction carrying it plus the
 * sender's BalanceProof, after checking the receiver's ETH covers the estimated gas.
 */
export async function prepareDispute(
  cfg: ChainConfig,
  channel: { sender: Address; openBlock: number; balance: bigint; signature: Hex },
): Promise<PreparedDispute> {
  const { deployment, receiver, walletClient, publicClient } = cfg;
  const message = {
    sender: channel.sender,
    receiver: receiver.address,
    openBlockNumber: channel.openBlock,
    balance: channel.balance,
  };
  const closingSig = await signClosingProof({
    account: receiver,
    domain: channelDomain({
      chainId: deployment.chainId,
      contract: deployment.contract,
    }),
    message,
  });
  const data = encodeFunctionData({
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
  try {
    const request = await walletClient.prepareTransactionRequest({ to: deployment.contract, data });
    const price = request.maxFeePerGas ?? request.gasPrice ?? 0n;
    const cost = (request.gas ?? 0n) * price;
    const eth = await publicClient.getBalance({ address: receiver.address });
    if (eth < cost)
      return {
        type: "no-eth",
        error: `receiver has ${eth} wei, the dispute needs about ${cost} wei`,
      };
    const serialized = await walletClient.signTransaction(request);
    return { type: "signed", txHash: keccak256(serialized), serialized };
  } catch (err) {
    if (isInsufficientFunds(err)) return { type: "no-eth", error: errorText(err) };
    return { type: "failed", error: errorText(err) };
  }
}

/** Broadcasts a prepared transaction; `null` on success, else the failure as a prepared-style value. */
export async function broadcastDispute(
  cfg: ChainConfig,
  serialized: Hex,
): Promise<Exclude<PreparedDispute, { type: "signed" }> | null> {
  try {
    await cfg.walletClient.sendRawTransaction({ serializedTransaction: serialized });
    return null;
  } catch (err) {
    if (isInsufficientFunds(err)) return { type: "no-eth", error: errorText(err) };
    return { type: "failed", error: errorText(err) };
  }
}

function notFound(err: unknown): null {
  // Only "the node does not know it" means not found; an RPC failure must not look like a drop.
  if (err instanceof TransactionReceiptNotFoundError || err instanceof TransactionNotFoundError)
    return null;
  throw err;
}

/**
 * Looks up a sent dispute: mined (success or reverted), still pending, or unknown to the node.
 *
 * @throws when the RPC fails (the transaction's fate is then unknown: never treat it as dropped)
 */
export async function checkDispute(cfg: ChainConfig, txHash: Hex): Promise<DisputeReceipt> {
  const receipt = await cfg.publicClient.getTransactionReceipt({ hash: txHash }).catch(notFound);
  if (receipt) return { type: receipt.status === "success" ? "success" : "reverted" };
  const tx = await cfg.publicClient.getTransaction({ hash: txHash }).catch(notFound);
  return { type: tx ? "pending" : "dropped" };
}
