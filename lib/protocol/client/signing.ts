/**
 * Which key signs for a channel, and the EIP-712 domain and message its proofs are over.
 */
import { isAddressEqual, type Hex } from "viem";
import { channelDomain } from "../eip712";
import { signBalanceProof, type ProofSignerSource } from "../proofs";
import { PayerError } from "./errors";
import type { PayerContext } from "./payer-context";
import { channelName, type PayerChannel } from "./types";

/**
 * The key that signs `channel`'s proofs: the session key, or the sender's account.
 *
 * @throws {PayerError} "no-signer" when the channel names a signer this payer does not hold.
 */
export function signerSource(ctx: PayerContext, channel: PayerChannel): ProofSignerSource {
  const { sessionSigner, sender, options } = ctx;
  if (sessionSigner && isAddressEqual(channel.signer, sessionSigner.address)) {
    return { account: sessionSigner };
  }
  if (isAddressEqual(channel.signer, sender)) {
    if (typeof options.account !== "string") return { account: options.account };
    if (options.walletClient) return { walletClient: options.walletClient, account: sender };
    throw new PayerError(
      "no-signer",
      `Channel ${channelName(channel)} is signed by the sender's wallet, but this payer holds only a session key.`,
    );
  }
  throw new PayerError(
    "no-signer",
    `Channel ${channelName(channel)} is signed by ${channel.signer}, a key this payer does not hold.`,
  );
}

/** The EIP-712 domain of `channel`'s contract. */
export const domainOf = (c: PayerChannel) =>
  channelDomain({ chainId: c.chainId, contract: c.contract });

/** The balance message of `channel` at `balance`. */
export const messageOf = (c: PayerChannel, balance: bigint) => ({
  sender: c.sender,
  receiver: c.receiver,
  openBlockNumber: c.openBlock,
  balance,
});

/** Signs the balance proof of `channel` at `balance`. */
export function signProof(ctx: PayerContext, channel: PayerChannel, balance: bigint): Promise<Hex> {
  return signBalanceProof({
    ...signerSource(ctx, channel),
    domain: domainOf(channel),
    message: messageOf(channel, balance),
  });
}
