/**
 * Receiver withdrawals on demand: collect what open channels owe without closing them.
 */
import {
  WaitForTransactionReceiptTimeoutError,
  encodeFunctionData,
  getAddress,
  parseEventLogs,
  type Address,
  type Hex,
} from "viem";
import { microTransferChannelsAbi } from "@/lib/chain/abi";
import { chainConfig } from "@/lib/chain/config";
import { errorText, notFound, txQueue } from "@/lib/chain/tx-queue";
import { db } from "@/lib/db/client";

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

/**
 * Sends `withdraw(sender, openBlock, balance, signature)` for every open channel owing at least
 * `minimum` (balance − withdrawn ≥ minimum, balance ≤ confirmed deposit), one at a time through
 * the receiver's transaction queue (so a dispute sent meanwhile never takes the same nonce),
 * waiting for each receipt. Failures are logged and skipped; the indexer records `withdrawn` from
 * the events.
 *
 * @example
 * const done = await withdrawChannels({ minimum: 10n ** 18n });
 */
export async function withdrawChannels({ minimum }: { minimum: bigint }): Promise<Withdrawal[]> {
  const cfg = await chainConfig();
  const { deployment, publicClient } = cfg;
  const queue = txQueue(cfg);
  const channels = await db().channel.findMany({
    where: { state: "open", confirmed: true, signature: { not: null } },
  });
  const done: Withdrawal[] = [];
  for (const ch of channels) {
    const amount = withdrawable(ch, minimum);
    if (amount === null) continue;
    const sender = getAddress(ch.sender);
    const sent = await queue.send({
      to: deployment.contract,
      data: encodeFunctionData({
        abi: microTransferChannelsAbi,
        functionName: "withdraw",
        args: [sender, ch.openBlock, BigInt(ch.balance), ch.signature as Hex],
      }),
    });
    if (sent.type !== "sent") {
      const why = sent.type === "aborted" ? "aborted" : sent.error;
      console.error(`[withdraw] ${sender}:${ch.openBlock}: ${why}`);
      continue;
    }
    const txHash = sent.tx.hash;
    try {
      const receipt = await publicClient.waitForTransactionReceipt({
        hash: txHash,
        pollingInterval: 250,
        timeout: RECEIPT_TIMEOUT_MS,
      });
      if (receipt.status !== "success") {
        console.error(`[withdraw] ${sender}:${ch.openBlock}: transaction ${txHash} reverted`);
        continue;
      }
      // The event says what actually moved (the stored `withdrawn` may lag the chain).
      const [event] = parseEventLogs({
        abi: microTransferChannelsAbi,
        eventName: "ChannelWithdraw",
        logs: receipt.logs,
      });
      done.push({
        sender,
        openBlock: ch.openBlock,
        amount: event?.args.withdrawnBalance ?? amount,
        txHash,
      });
    } catch (err) {
      // A withdrawal the node dropped leaves its nonce unused: the queue hands it out again.
      if (
        err instanceof WaitForTransactionReceiptTimeoutError &&
        (await publicClient.getTransaction({ hash: txHash }).catch(notFound)) === null
      )
        queue.forget();
      console.error(`[withdraw] ${sender}:${ch.openBlock}: ${errorText(err)}`);
    }
  }
  return done;
}
