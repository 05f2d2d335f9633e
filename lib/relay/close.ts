/**
 * Relayed cooperative close (`POST /api/1/channels/:sender/:open_block/close`): the sender (or the
 * channel's signer), authenticated as for the DELETE, asks the site to submit `cooperativeClose`
 * itself: the receiver signs its ClosingProof and sends the transaction with the last balance
 * proof; the deposit left over goes back to the sender, who needs no ETH.
 */
import { BaseError, ContractFunctionRevertedError, encodeFunctionData } from "viem";
import {
  authorizeClose,
  closingSignatureOf,
  commitClose,
  type CooperativeCloseParams,
} from "@/lib/api/cooperative-close";
import { microTransferChannelsAbi } from "@/lib/chain/abi";
import { onLeader } from "@/lib/cluster/leader-tasks";
import { BadGatewayError, BadRequestError } from "@/lib/errors";
import type { RelayCall } from "./check";
import { relayingConfig } from "./relay";
import { preflightRelay, type RelayOutcome } from "./submit";

/**
 * Closes the channel cooperatively at its last accepted balance, the receiver paying the gas.
 * Every check (the caller, the balance and its proof, the channel on chain, the contract's own
 * check of the call, the relay's rates, budget and ETH reserve) passes before the channel is
 * marked closed or the close request's nonce is spent; a refusal sends nothing.
 *
 * @throws 503 when relaying is off or the budget or reserve refuses; 401/403/404/409 like the
 *   DELETE; 409 when the contract no longer holds the channel; 429 rates; 502 RPC failure
 */
export async function relayClose(
  params: CooperativeCloseParams,
  clientIp: string,
): Promise<RelayOutcome> {
  const cfg = await relayingConfig(
    "closes",
    "ask for the closing signature (DELETE) and send cooperativeClose yourself",
  );
  const close = await authorizeClose(params);
  const { deployment, publicClient } = cfg;
  const receiver = cfg.receiver.address;
  const info = await publicClient
    .readContract({
      address: deployment.contract,
      abi: microTransferChannelsAbi,
      functionName: "getChannelInfo",
      args: [close.sender, receiver, close.openBlock],
    })
    .catch((err: unknown) => {
      if (err instanceof BaseError && err.walk((e) => e instanceof ContractFunctionRevertedError))
        return null;
      throw new BadGatewayError("the chain RPC failed; nothing was relayed", err);
    });
  if (!info)
    throw new BadRequestError(
      "channel: the contract no longer holds it (already closed and settled)",
      409,
    );
  const closingSignature = await closingSignatureOf(close);
  const call: RelayCall = {
    kind: "close",
    sender: close.sender,
    receiver,
    signer: null,
    openBlock: close.openBlock,
    amount: close.balance,
    deposit: info[1],
    nonce: info[0],
    to: deployment.contract,
    data: encodeFunctionData({
      abi: microTransferChannelsAbi,
      functionName: "cooperativeClose",
      args: [close.sender, receiver, close.openBlock, close.balance, close.proof, closingSignature],
    }),
  };
  const submission = { ...call, clientIp };
  await preflightRelay(submission);
  await commitClose(close);
  return onLeader("relay", submission);
}
