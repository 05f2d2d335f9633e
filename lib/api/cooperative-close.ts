/**
 * `DELETE /api/1/channels/:sender/:open_block`: the receiver's ClosingProof for a cooperative
 * close, handed only to the channel's sender (or its signer, a browser session key), who proves it
 * with a SIWE session or a signed, single-use, short-lived CloseRequest, and who shows the last
 * balance proof.
 */
import { isAddressEqual, type Address, type Hex } from "viem";
import { getCaller } from "@/lib/auth/caller";
import { consumeNonce, isNonceUsed } from "@/lib/auth/used-nonces";
import { chainConfig } from "@/lib/chain/config";
import { db } from "@/lib/db/client";
import { ensureSyncState } from "@/lib/indexer/sync-state";
import { BadRequestError } from "@/lib/errors";
import { channelDomain, type ChannelDomain } from "@/lib/protocol/eip712";
import { createProofVerifier, type ProofVerifier } from "@/lib/protocol/fast-verify";
import { recoverCloseRequestSigner, signClosingProof } from "@/lib/protocol/proofs";
import type { CloseRequest } from "./params";

/** Longest a CloseRequest may be valid: its `expires` is at most this far ahead of the server's clock. */
export const CLOSE_REQUEST_MAX_TTL_SECONDS = 600;
/** Tolerance for a client clock running ahead of the server's. */
export const CLOSE_REQUEST_CLOCK_SKEW_SECONDS = 60;

let cachedVerifier: { key: string; verifier: ProofVerifier } | undefined;

function verifierFor(chainId: number, contract: Address): ProofVerifier {
  const key = `${chainId}:${contract}`;
  if (cachedVerifier?.key !== key)
    cachedVerifier = { key, verifier: createProofVerifier({ chainId, contract }) };
  return cachedVerifier.verifier;
}

/** How the caller proves it is the sender or the channel's signer. */
export type CloseAuth =
  | { kind: "session"; address: Address }
  | { kind: "request"; nonce: Hex; expires: bigint; signature: Hex };

/**
 * The credential of a close: the body's `close_request` when present, otherwise the SIWE session.
 *
 * @throws {@link BadRequestError} 401 naming what is missing; 403 for the bearer API token, which
 *   speaks for the operator, never for a sender
 */
export async function closeAuthFor(req: Request, body: CloseRequest): Promise<CloseAuth> {
  if (body.close_request) return { kind: "request", ...body.close_request };
  const caller = await getCaller(req);
  if (caller.kind !== "anonymous" && caller.address)
    return { kind: "session", address: caller.address };
  if (caller.kind === "operator") {
    throw new BadRequestError(
      "forbidden: the API token cannot close a reader's channel; only its sender or signer can",
      403,
    );
  }
  throw new BadRequestError(
    "authentication required: send close_request { nonce, expires, signature } (an EIP-712 " +
      "CloseRequest signed by the sender or the channel's signer), or sign in with Ethereum as " +
      "one of them (rdn_session cookie)",
    401,
  );
}

/** Arguments of {@link cooperativeClose}. */
export type CooperativeCloseParams = {
  sender: Address;
  openBlock: number;
  /** Must equal the channel's last accepted balance (0 when nothing was paid yet). */
  balance: bigint;
  /** BalanceProof for `balance` by the channel's signer; absent: the site's stored one is used. */
  balanceSignature?: Hex;
  auth: CloseAuth;
  /** The server's clock (tests). */
  now?: Date;
};

/** Rejects a CloseRequest whose expiry is past or too far ahead, or whose nonce was used. */
async function checkRequestWindow(auth: CloseAuth & { kind: "request" }, now: Date) {
  const t = BigInt(Math.floor(now.getTime() / 1000));
  if (auth.expires <= t) throw new BadRequestError("close_request.expires: has passed", 401);
  if (auth.expires > t + BigInt(CLOSE_REQUEST_MAX_TTL_SECONDS + CLOSE_REQUEST_CLOCK_SKEW_SECONDS)) {
    throw new BadRequestError(
      `close_request.expires: must be at most ${CLOSE_REQUEST_MAX_TTL_SECONDS} seconds ahead`,
    );
  }
  if (await isNonceUsed("close", auth.nonce, now))
    throw new BadRequestError("close_request.nonce: already used", 401);
}

/** The address the credential speaks for; 401 for an unreadable close request signature. */
async function authenticatedAddress(
  auth: CloseAuth,
  domain: ChannelDomain,
  message: { sender: Address; receiver: Address; openBlockNumber: number; balance: bigint },
): Promise<{ address: Address; how: string }> {
  if (auth.kind === "session") return { address: auth.address, how: "signed in as" };
  const signer = await recoverCloseRequestSigner(
    domain,
    { ...message, nonce: auth.nonce, expires: auth.expires },
    auth.signature,
  );
  if (!signer) {
    throw new BadRequestError(
      "close_request.signature: not a valid 65-byte signature (low s, v 27 or 28)",
      401,
    );
  }
  return { address: signer, how: "close_request is signed by" };
}

/** A close whose caller, balance and proof were checked; nothing is marked or spent yet. */
export type AuthorizedClose = {
  channelId: number;
  /** The channel's balance as checked: the mark is conditional on it. */
  checkedBalance: string;
  sender: Address;
  openBlock: number;
  balance: bigint;
  /** The balance proof the close is for (the caller's, or the site's copy). */
  proof: Hex;
  domain: ChannelDomain;
  message: { sender: Address; receiver: Address; openBlockNumber: number; balance: bigint };
  auth: CloseAuth;
  now: Date;
};

/**
 * Every check of a cooperative close, with nothing marked or spent: the channel is this
 * receiver's and not settled, the caller is its sender or signer, `balance` is the last accepted
 * one and the proof verifies. A relayed close runs its own checks between this and
 * {@link commitClose}, so a refusal there leaves the channel and the close request untouched.
 *
 * @throws {@link BadRequestError} like {@link cooperativeClose}
 */
export async function authorizeClose(params: CooperativeCloseParams): Promise<AuthorizedClose> {
  const { sender, openBlock, balance, balanceSignature, auth } = params;
  const now = params.now ?? new Date();
  if (auth.kind === "request") await checkRequestWindow(auth, now);
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

  const domain = channelDomain({ chainId: deployment.chainId, contract: deployment.contract });
  const message = { sender, receiver: receiver.address, openBlockNumber: openBlock, balance };
  const signer = channel.signer as Address;
  const { address, how } = await authenticatedAddress(auth, domain, message);
  if (!isAddressEqual(address, sender) && !isAddressEqual(address, signer)) {
    const parties = isAddressEqual(signer, sender) ? sender : `${sender} or its signer ${signer}`;
    throw new BadRequestError(`forbidden: ${how} ${address}, not the sender ${parties}`, 403);
  }

  // Only the sender or its signer gets this far, so it may learn its channel's state: a stale
  // balance is answered with the last accepted proof (a client that lost its state closes at it).
  if (BigInt(channel.balance) !== balance) {
    throw new BadRequestError("balance: is not the last accepted balance of this channel", 409, {
      balance: channel.balance,
      balance_signature: channel.signature,
    });
  }
  const proof = balanceSignature ?? (channel.signature as Hex | null);
  if (!proof) {
    throw new BadRequestError(
      "balance_signature: is required (nothing was paid on this channel, so the site holds no proof)",
      400,
    );
  }
  const verifier = verifierFor(deployment.chainId, deployment.contract);
  if (!verifier.verifyBalanceProof(message, proof, signer)) {
    throw new BadRequestError(
      "balance_signature: not a balance proof for this balance by the channel's signer",
      409,
    );
  }
  return {
    channelId: channel.id,
    checkedBalance: channel.balance,
    sender,
    openBlock,
    balance,
    proof,
    domain,
    message,
    auth,
    now,
  };
}

/** The receiver's ClosingProof of an authorized close (a pure signature: nothing is marked). */
export async function closingSignatureOf(close: AuthorizedClose): Promise<Hex> {
  const { receiver } = await chainConfig();
  return signClosingProof({ account: receiver, domain: close.domain, message: close.message });
}

/**
 * Spends the close request's nonce, marks the channel `closeSigned` (no more payments) and
 * returns the receiver's ClosingProof.
 *
 * @throws {@link BadRequestError} 401 replayed close request; 409 settled, or the balance moved
 *   since {@link authorizeClose}
 */
export async function commitClose(
  close: AuthorizedClose,
): Promise<{ close_signature: Hex; balance: string; balance_signature: Hex }> {
  const { auth, now } = close;
  // Spent before the channel is marked, so a replay can never be what stops the payments.
  if (
    auth.kind === "request" &&
    !(await consumeNonce("close", auth.nonce, new Date(Number(auth.expires) * 1000), now))
  ) {
    throw new BadRequestError("close_request.nonce: already used", 401);
  }

  // Conditional on the balance we checked: a payment accepted in between makes this a no-op.
  const { count } = await db().channel.updateMany({
    where: { id: close.channelId, balance: close.checkedBalance, state: { not: "settled" } },
    data: { closeSigned: true },
  });
  if (count !== 1) {
    const current = await db().channel.findUnique({
      where: { id: close.channelId },
      select: { state: true },
    });
    if (!current || current.state === "settled")
      throw new BadRequestError("channel is already settled", 409);
    throw new BadRequestError("balance changed, retry with the latest proof", 409);
  }

  const close_signature = await closingSignatureOf(close);
  return {
    close_signature,
    balance: close.balance.toString(),
    balance_signature: close.proof,
  };
}

/**
 * Marks the channel `closeSigned` (no more payments) and returns the receiver's ClosingProof over
 * `(sender, receiver, openBlock, balance)`. With a session it is idempotent: repeating it for the
 * same balance returns the same signature (RFC 6979 signatures are deterministic); a CloseRequest
 * is accepted once.
 *
 * @throws {@link BadRequestError} 401 expired or replayed close request; 403 credential of another
 *   address; 404 unknown channel; 409 settled, bad balance proof, wrong balance, or the balance
 *   moved during the call
 */
export async function cooperativeClose(
  params: CooperativeCloseParams,
): Promise<{ close_signature: Hex; balance: string; balance_signature: Hex }> {
  return commitClose(await authorizeClose(params));
}
