/**
 * A cooperative close initiated by the receiver: settle a channel at once at its last accepted
 * balance, with the sender's stored balance proof and the receiver's own closing proof.
 */
import {
  WaitForTransactionReceiptTimeoutError,
  encodeFunctionData,
  isAddressEqual,
  parseEventLogs,
  type Address,
  type Hex,
} from "viem";
import { findChannel } from "@/lib/api/channels";
import { microTransferChannelsAbi } from "@/lib/chain/abi";
import { chainConfig } from "@/lib/chain/config";
import { errorText, notFound, txQueue } from "@/lib/chain/tx-queue";
import { db } from "@/lib/db/client";
import { BadGatewayError, BadRequestError } from "@/lib/errors";
import { channelDomain } from "@/lib/protocol/eip712";
import { signClosingProof } from "@/lib/protocol/proofs";
import { onChainChannel } from "@/lib/watchtower/withdraw-channels";

/** A settled cooperative close. */
export interface ChannelClose {
  sender: Address;
  openBlock: number;
  /** The balance the channel settled at. */
  balance: bigint;
  /** Paid to the receiver by the close: balance − already withdrawn. */
  receiverTokens: bigint;
  /** Returned to the sender: deposit − balance. */
  refund: bigint;
  txHash: Hex;
}

/** Longest wait for the close's receipt. */
const RECEIPT_TIMEOUT_MS = 120_000;

/**
 * Closes channel `(sender, openBlock)` cooperatively as the receiver. The channel is first marked
 * `closeSigned`, so the paywall accepts no further payment and the stored balance is final; then
 * the receiver signs its ClosingProof over that balance and sends
 * `cooperativeClose(sender, receiver, openBlock, balance, balanceSig, closingSig)` through the
 * receiver's transaction queue and waits for the receipt.
 *
 * The contract needs a balance proof by the channel's signer even for a balance of 0, and the
 * site only holds one once a payment was accepted: a channel nothing was paid on is refused (its
 * sender can close it, or it can be left open at no cost).
 *
 * @param sender - checksummed sender address
 * @throws {@link BadRequestError} 404 unknown channel; 409 settled, or no balance proof;
 *   {@link BadGatewayError} when the transaction could not be sent, reverted or timed out
 * @example
 * const { txHash, receiverTokens } = await closeChannelAsReceiver({ sender, openBlock: 42 });
 */
export async function closeChannelAsReceiver(key: {
  sender: Address;
  openBlock: number;
}): Promise<ChannelClose> {
  const cfg = await chainConfig();
  const { deployment, publicClient, receiver } = cfg;
  const found = await findChannel(key.sender, key.openBlock);
  if (!found || !isAddressEqual(found.receiver as Address, receiver.address))
    throw new BadRequestError(
      `no channel from ${key.sender} opened in block ${key.openBlock}`,
      404,
    );
  if (found.state === "settled") throw new BadRequestError("channel is already settled", 409);
  if (!found.signature) {
    throw new BadRequestError(
      "cannot close: nothing was paid on this channel, so the site holds no balance proof, and " +
        "the contract's cooperativeClose needs one signed by the channel's signer even at balance " +
        "0. The sender can close it from their wallet; left open it costs the receiver nothing.",
      409,
    );
  }

  // Stop payments first: once marked, the paywall's conditional update never moves the balance
  // again, so the row read afterwards holds the final balance and its proof.
  const { count } = await db().channel.updateMany({
    where: { id: found.id, state: { not: "settled" } },
    data: { closeSigned: true },
  });
  if (count !== 1) throw new BadRequestError("channel is already settled", 409);
  const ch = (await db().channel.findUniqueOrThrow({ where: { id: found.id } })) as typeof found;
  const balance = BigInt(ch.balance);
  const balanceSig = ch.signature as Hex;
  const undoMark = async () => {
    // Only when the closing signature never left this process and nobody else had asked for one.
    if (!found.closeSigned)
      await db().channel.update({ where: { id: ch.id }, data: { closeSigned: false } });
  };

  let info;
  try {
    info = await onChainChannel(cfg, key);
  } catch (err) {
    await undoMark();
    throw err;
  }
  if (!info) {
    await undoMark();
    throw new BadRequestError("channel: not found on chain (settled already?); run a sync", 409);
  }
  const { deposit } = info;

  const closingSig = await signClosingProof({
    account: receiver,
    domain: channelDomain({ chainId: deployment.chainId, contract: deployment.contract }),
    message: {
      sender: key.sender,
      receiver: receiver.address,
      openBlockNumber: key.openBlock,
      balance,
    },
  });
  const queue = txQueue(cfg);
  const sent = await queue.send({
    to: deployment.contract,
    data: encodeFunctionData({
      abi: microTransferChannelsAbi,
      functionName: "cooperativeClose",
      args: [key.sender, receiver.address, key.openBlock, balance, balanceSig, closingSig],
    }),
  });
  if (sent.type !== "sent") {
    await undoMark();
    const why = sent.type === "aborted" ? "aborted" : sent.error;
    throw new BadGatewayError(`close failed: ${why}`);
  }
  const txHash = sent.tx.hash;
  let receipt;
  try {
    receipt = await publicClient.waitForTransactionReceipt({
      hash: txHash,
      pollingInterval: 250,
      timeout: RECEIPT_TIMEOUT_MS,
    });
  } catch (err) {
    if (
      err instanceof WaitForTransactionReceiptTimeoutError &&
      (await publicClient.getTransaction({ hash: txHash }).catch(notFound)) === null
    )
      queue.forget();
    throw new BadGatewayError(`close ${txHash}: ${errorText(err)}`);
  }
  if (receipt.status !== "success")
    throw new BadGatewayError(`close failed: transaction ${txHash} reverted`);
  const [settled] = parseEventLogs({
    abi: microTransferChannelsAbi,
    eventName: "ChannelSettled",
    logs: receipt.logs,
  });
  return {
    sender: key.sender,
    openBlock: key.openBlock,
    balance,
    receiverTokens: settled?.args.receiverTokens ?? balance - info.withdrawn,
    refund: deposit - balance,
    txHash,
  };
}
