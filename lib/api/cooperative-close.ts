/**
 * `DELETE /api/1/channels/:sender/:open_block`: the receiver's ClosingProof for a cooperative
 * close, handed to whoever proves they hold the sender's last balance proof.
 */
import { isAddressEqual, type Address, type Hex } from "viem";
import { chainConfig } from "@/lib/chain/config";
import { db } from "@/lib/db/client";
import { ensureSyncState } from "@/lib/indexer/sync-state";
import { BadRequestError } from "@/lib/errors";
import { channelDomain } from "@/lib/protocol/eip712";
import { createProofVerifier, type ProofVerifier } from "@/lib/protocol/fast-verify";
import { signClosingProof } from "@/lib/protocol/proofs";

let cachedVerifier: { key: string; verifier: ProofVerifier } | undefined;

function verifierFor(chainId: number, contract: Address): ProofVerifier {
  const key = `${chainId}:${contract}`;
  if (cachedVerifier?.key !== key)
    cachedVerifier = { key, verifier: createProofVerifier({ chainId, contract }) };
  return cachedVerifier.verifier;
}

/** Arguments of {@link cooperativeClose}. */
export type CooperativeCloseParams = {
  sender: Address;
  openBlock: number;
  /** Must equal the channel's last accepted balance (0 when nothing was paid yet). */
  balance: bigint;
  /** BalanceProof for `balance` by the channel's signer. */
  balanceSignature: Hex;
};

/**
 * Marks the channel `closeSigned` (no more payments) and returns the receiver's ClosingProof over
 * `(sender, receiver, openBlock, balance)`. Idempotent: repeating it for the same balance returns
 * the same signature (RFC 6979 signatures are deterministic). No session is needed: only the
 * sender holds valid balance proofs of its channel.
 *
 * @throws {@link BadRequestError} 404 unknown channel; 409 settled, bad signature, wrong balance,
 *   or the balance moved during the call
 */
export async function cooperativeClose(
  params: CooperativeCloseParams,
): Promise<{ close_signature: Hex }> {
  const { sender, openBlock, balance, balanceSignature } = params;
  const cfg = await chainConfig();
  const { deployment, receiver } = cfg;
  await ensureSyncState(cfg);
  const channel = await db().channel.findUnique({
    where: { sender_openBlock: { sender, openBlock } },
  });
  if (!channel || !isAddressEqual(channel.receiver as Address, receiver.address)) {
    throw new BadRequestError(`no channel from ${sender} opened in block ${openBlock}`, 404);
  }
  if (channel.state === "settled") throw new BadRequestError("channel is already settled", 409);

  const message = { sender, receiver: receiver.address, openBlockNumber: openBlock, balance };
  // The signature is checked before the balance, so a caller without the sender's proofs learns
  // nothing about the channel's balance.
  const verifier = verifierFor(deployment.chainId, deployment.contract);
  if (!verifier.verifyBalanceProof(message, balanceSignature, channel.signer)) {
    throw new BadRequestError(
      "balance_signature: not a balance proof for this balance by the channel's signer",
      409,
    );
  }
  if (BigInt(channel.balance) !== balance) {
    throw new BadRequestError("balance: is not the last accepted balance of this channel", 409);
  }

  // Conditional on the balance we checked: a payment accepted in between makes this a no-op.
  const { count } = await db().channel.updateMany({
    where: { id: channel.id, balance: channel.balance, state: { not: "settled" } },
    data: { closeSigned: true },
  });
  if (count !== 1) {
    const now = await db().channel.findUnique({
      where: { id: channel.id },
      select: { state: true },
    });
    if (!now || now.state === "settled")
      throw new BadRequestError("channel is already settled", 409);
    throw new BadRequestError("balance changed, retry with the latest proof", 409);
  }

  const domain = channelDomain({ chainId: deployment.chainId, contract: deployment.contract });
  const close_signature = await signClosingProof({ account: receiver, domain, message });
  return { close_signature };
}
