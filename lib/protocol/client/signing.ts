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

/**
 * Whether `channel`'s proofs are signed by a key this payer holds in memory (a session key or a
 * local account): signing asks nobody, so it may start before the signature is reserved. A
 * wallet's signature is a prompt: it is asked for only after the reservation.
 */
export function signsLocally(ctx: PayerContext, channel: PayerChannel): boolean {
  try {
    const source = signerSource(ctx, channel);
    // viem's accounts of a private key or a mnemonic sign in memory; a custom account may be a
    // device that asks its owner.
    const { account } = source;
    return (
      typeof account === "object" &&
      account.type === "local" &&
      (account.source === "privateKey" || account.source === "hd")
    );
  } catch {
    return false;
  }
}

/** Signs the balance proof of `channel` at `balance`. */
export function signProof(ctx: PayerContext, channel: PayerChannel, balance: bigint): Promise<Hex> {
  return signBalanceProof({
    ...signerSource(ctx, channel),
    domain: domainOf(channel),
    message: messageOf(channel, balance),
  });
}
