/**
 * Receiver withdrawals on demand: collect what open channels owe without closing them, all at once
 * (`POST /api/1/withdraw`) or one channel at a time (the operator's console).
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  WaitForTransactionReceiptTimeoutError,
  encodeFunctionData,
  getAddress,
  isAddressEqual,
  parseEventLogs,
  type Address,
  type Hex,
} from "viem";
import { microTransferChannelsAbi } from "@/lib/chain/abi";
import { chainConfig, type ChainConfig } from "@/lib/chain/config";
import { errorText, notFound, txQueue, type TxQueue } from "@/lib/chain/tx-queue";
import { db } from "@/lib/db/client";
import { BadGatewayError, BadRequestError } from "@/lib/errors";

/** One completed withdrawal. */
export interface Withdrawal {
  sender: Address;
  openBlock: number;
  /** Tokens transferred: balance − previously withdrawn. */
  amount: bigint;
  txHash: Hex;
}

/** The channel fields {@link withdrawable} reads. */
export interface WithdrawCandidate {
  state: string;
  confirmed: boolean;
  balance: string;
  signature: string | null;
  deposit: string;
  withdrawn: string;
}

/** The amount a withdrawal would move now, or `null` when the channel does not qualify. */
export function withdrawable(ch: WithdrawCandidate, minimum: bigint): bigint | null {
  if (ch.state !== "open" || !ch.confirmed || !ch.signature) return null;
  const balance = BigInt(ch.balance);
  const amount = balance - BigInt(ch.withdrawn);
  if (amount <= 0n || amount < minimum || balance > BigInt(ch.deposit)) return null;
  return amount;
}

/** Longest wait for one withdrawal's receipt. */
const RECEIPT_TIMEOUT_MS = 120_000;

/** What one withdrawal transaction came to; `txHash` is set once it was signed. */
type SendOutcome =
  { type: "withdrawn"; withdrawal: Withdrawal } | { type: "failed"; error: string; txHash?: Hex };

/** The stored fields a withdrawal transaction needs. */
type WithdrawTarget = { sender: string; openBlock: number; balance: string; signature: string };

/**
 * Sends `withdraw(sender, openBlock, balance, signature)` through the receiver's queue (so a
 * dispute sent meanwhile never takes the same nonce) and waits for its receipt.
 */
async function sendWithdrawal(
  cfg: ChainConfig,
  queue: TxQueue,
  ch: WithdrawTarget,
  expected: bigint,
): Promise<SendOutcome> {
  const { deployment, publicClient } = cfg;
  const sender = getAddress(ch.sender);
  const sent = await queue.send({
    to: deployment.contract,
    data: encodeFunctionData({
      abi: microTransferChannelsAbi,
      functionName: "withdraw",
      args: [sender, ch.openBlock, BigInt(ch.balance), ch.signature as Hex],
    }),
  });
  if (sent.type !== "sent")
    return { type: "failed", error: sent.type === "aborted" ? "aborted" : sent.error };
  const txHash = sent.tx.hash;
  try {
    const receipt = await publicClient.waitForTransactionReceipt({
      hash: txHash,
      pollingInterval: 250,
      timeout: RECEIPT_TIMEOUT_MS,
    });
    if (receipt.status !== "success")
      return { type: "failed", error: `transaction ${txHash} reverted`, txHash };
    // The event says what actually moved (the stored `withdrawn` may lag the chain).
    const [event] = parseEventLogs({
      abi: microTransferChannelsAbi,
      eventName: "ChannelWithdraw",
      logs: receipt.logs,
    });
    const amount = event?.args.withdrawnBalance ?? expected;
    return { type: "withdrawn", withdrawal: { sender, openBlock: ch.openBlock, amount, txHash } };
  } catch (err) {
    // A withdrawal the node dropped leaves its nonce unused: the queue hands it out again.
    if (
      err instanceof WaitForTransactionReceiptTimeoutError &&
      (await publicClient.getTransaction({ hash: txHash }).catch(notFound)) === null
    )
      queue.forget();
    return { type: "failed", error: `${txHash}: ${errorText(err)}`, txHash };
  }
}

/**
 * Sends `withdraw(sender, openBlock, balance, signature)` for every open channel owing at least
 * `minimum` (balance − withdrawn ≥ minimum, balance ≤ confirmed deposit), one at a time, waiting
 * for each receipt. Failures are logged and skipped; the indexer records `withdrawn` from the
 * events.
 *
 * @example
 * const done = await withdrawChannels({ minimum: 10n ** 18n });
 */
export async function withdrawChannels({ minimum }: { minimum: bigint }): Promise<Withdrawal[]> {
  const cfg = await chainConfig();
  const queue = txQueue(cfg);
  const channels = await db().channel.findMany({
    where: { state: "open", confirmed: true, signature: { not: null } },
  });
  const done: Withdrawal[] = [];
  for (const ch of channels) {
    const amount = withdrawable(ch, minimum);
    if (amount === null) continue;
    const outcome = await sendWithdrawal(cfg, queue, { ...ch, signature: ch.signature! }, amount);
    if (outcome.type === "withdrawn") done.push(outcome.withdrawal);
    else console.error(`[withdraw] ${getAddress(ch.sender)}:${ch.openBlock}: ${outcome.error}`);
  }
  return done;
}

/**
 * The receiver's channel `(sender, openBlock)` as the contract holds it now, or `null` when the
 * contract has no such channel (never opened, or settled and deleted).
 *
 * @throws {@link BadGatewayError} when the RPC fails
 */
export async function onChainChannel(
  cfg: ChainConfig,
  key: { sender: Address; openBlock: number },
): Promise<{ deposit: bigint; withdrawn: bigint; settleBlock: number } | null> {
  try {
    const info = await cfg.publicClient.readContract({
      address: cfg.deployment.contract,
      abi: microTransferChannelsAbi,
      functionName: "getChannelInfo",
      args: [key.sender, cfg.receiver.address, key.openBlock],
    });
    return { deposit: info[1], withdrawn: info[4], settleBlock: info[2] };
  } catch (err) {
    if (
      err instanceof BaseError &&
      err.walk(
        (e) =>
          e instanceof ContractFunctionRevertedError && e.data?.errorName === "ChannelNotFound",
      )
    )
      return null;
    throw new BadGatewayError(`getChannelInfo failed: ${errorText(err)}`, err);
  }
}

/**
 * Withdraws what channel `(sender, openBlock)` owes the receiver now. What was already withdrawn
 * is read from the chain as well as from the index, so a withdrawal the indexer has not seen yet
 * is never attempted twice.
 *
 * @param sender - checksummed sender address
 * @throws {@link BadRequestError} 404 unknown channel; 409 not open, not confirmed, or nothing to
 *   withdraw; {@link BadGatewayError} when the transaction could not be sent or reverted
 * @example
 * const { amount, txHash } = await withdrawChannel({ sender, openBlock: 42 });
 */
export async function withdrawChannel(key: {
  sender: Address;
  openBlock: number;
}): Promise<Withdrawal> {
  const cfg = await chainConfig();
  const ch = await db().channel.findUnique({
    where: { sender_openBlock: { sender: key.sender, openBlock: key.openBlock } },
  });
  if (!ch || !isAddressEqual(ch.receiver as Address, cfg.receiver.address))
    throw new BadRequestError(
      `no channel from ${key.sender} opened in block ${key.openBlock}`,
      404,
    );
  if (ch.state !== "open")
    throw new BadRequestError(`channel is ${ch.state}: only an open channel can be withdrawn`, 409);
  if (!ch.confirmed)
    throw new BadRequestError("channel: its creation is not confirmed yet, retry later", 409);
  if (!ch.signature)
    throw new BadRequestError("nothing to withdraw: no payment was accepted on this channel", 409);
  const info = await onChainChannel(cfg, key);
  if (!info)
    throw new BadRequestError("channel: not found on chain (settled already?); run a sync", 409);
  const chainWithdrawn = info.withdrawn;
  const stored = BigInt(ch.withdrawn);
  const withdrawn = chainWithdrawn > stored ? chainWithdrawn : stored;
  const balance = BigInt(ch.balance);
  if (balance <= withdrawn) {
    throw new BadRequestError(
      `nothing to withdraw: the accepted balance ${balance} is already withdrawn`,
      409,
    );
  }
  if (balance > info.deposit)
    throw new BadRequestError("balance: exceeds the channel's deposit on chain", 409);
  const outcome = await sendWithdrawal(
    cfg,
    txQueue(cfg),
    { ...ch, signature: ch.signature },
    balance - withdrawn,
  );
  if (outcome.type === "failed") throw new BadGatewayError(`withdrawal failed: ${outcome.error}`);
  return outcome.withdrawal;
}
