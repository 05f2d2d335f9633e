/**
 * Opens and top-ups through the site's relay (docs/protocol.md "Relayed opens and top-ups"): the
 * sender signs one EIP-3009 ReceiveWithAuthorization naming the receiver the payer pinned for the
 * site and the payer's own signer (open) or the channel (top-up), the site sends the transaction,
 * and the payer believes only the chain: the authorization must be used and the channel must hold
 * what was signed before it is used.
 */
import { getAddress, isAddressEqual, type Address, type Hex } from "viem";
import { z } from "zod";
import {
  eip3009TokenAbi,
  openAuthorizationNonce,
  randomSalt,
  readTokenDomain,
  signOpenAuthorization,
  signTopUpAuthorization,
  topUpAuthorizationNonce,
  type TokenDomain,
} from "../authorization";
import type { ProofSignerSource } from "../proofs";
import { payerChannelsAbi } from "./abi";
import { readChannel, requireWallet, type ChainContext } from "./chain";
import { relayTopUpUrl, type RelayEndpoint } from "./deposit-route";
import { PayerError } from "./errors";
import type { PayerContext } from "./payer-context";
import { channelName, type PayerChannel } from "./types";
import { sleep } from "./waiting";

/** How long an authorization is valid at least (the site's minimum is added to it). */
const VALIDITY_SECONDS = 600n;
/** The most of a relay answer the payer reads. */
const MAX_BODY_BYTES = 64 * 1024;

const hexSchema = z.string().regex(/^0x[0-9a-fA-F]{64}$/);
const minedSchema = z.object({
  open_block: z
    .number()
    .int()
    .positive()
    .max(2 ** 32 - 1),
  tx_hash: hexSchema,
});
const pendingSchema = z.object({
  status: z.literal("pending"),
  tx_hash: hexSchema,
  status_url: z.string().min(1).max(512),
});
const statusSchema = z.object({
  status: z.enum(["pending", "mined", "reverted", "failed"]),
  open_block: z.number().int().positive().nullable().optional(),
});
const errorSchema = z.object({ error: z.string() });

/** Reads at most {@link MAX_BODY_BYTES} of a JSON body; undefined when it is not JSON. */
export async function readJsonBody(res: Response): Promise<unknown> {
  if (!res.body) return undefined;
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) return undefined;
      chunks.push(value);
    }
  } catch {
    return undefined;
  } finally {
    await reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
}

/** The sender's own signing source (its wallet): the authorization moves the sender's tokens. */
function senderSource(ctx: PayerContext, chainCtx: ChainContext): ProofSignerSource {
  const { account } = ctx.options;
  if (typeof account !== "string") return { account };
  return { walletClient: requireWallet(chainCtx, "The deposit authorization"), account };
}

/** The token's EIP-712 domain, or "relay-unavailable" when the token has no EIP-3009 domain. */
async function tokenDomain(chainCtx: ChainContext, token: Address): Promise<TokenDomain> {
  try {
    return await readTokenDomain(chainCtx.publicClient, token);
  } catch (cause) {
    throw new PayerError(
      "relay-unavailable",
      `The token ${token} has no EIP-3009 authorizations (no EIP-712 domain): the site cannot relay its deposits; nothing was signed.`,
      { cause },
    );
  }
}

/** The authorization's validity: from now (the chain's clock) for long enough to be mined. */
async function validBefore(chainCtx: ChainContext, relay: RelayEndpoint): Promise<bigint> {
  const now = (await chainCtx.publicClient.getBlock({ blockTag: "latest" })).timestamp;
  return now + VALIDITY_SECONDS + BigInt(relay.minValiditySeconds);
}

/** What the site answered about a relayed transaction that was mined. */
interface Relayed {
  openBlock: number;
  txHash: Hex;
}

/**
 * Posts a relay request and waits for its transaction: a 201 at once, or a 202 whose status URL
 * (on the same origin) is polled until mined, within the payer's confirmation timeout.
 *
 * @throws {PayerError} "relay-refused" with the site's message, "site-unreachable",
 *   "confirmations-timeout" when it stays pending
 */
async function submit(
  ctx: PayerContext,
  relay: RelayEndpoint,
  what: "open" | "top-up",
  url: string,
  body: Record<string, string>,
): Promise<Relayed> {
  const unreachable = (cause: unknown) =>
    new PayerError("site-unreachable", `${relay.origin} did not answer the relay request.`, {
      cause,
    });
  ctx.emit({ type: "relay-requested", what, url });
  let res: Response;
  try {
    res = await ctx.fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
      redirect: "manual",
    });
  } catch (cause) {
    if ((cause as Error)?.name === "AbortError") throw cause;
    throw unreachable(cause);
  }
  const json = await readJsonBody(res);
  if (res.status === 201) {
    const mined = minedSchema.safeParse(json);
    if (mined.success)
      return { openBlock: mined.data.open_block, txHash: mined.data.tx_hash as Hex };
  }
  if (res.status === 202) {
    const pending = pendingSchema.safeParse(json);
    if (pending.success) return poll(ctx, relay, what, pending.data);
  }
  if (res.status >= 400) {
    const error = errorSchema.safeParse(json);
    const message = error.success ? error.data.error.slice(0, 500) : `HTTP ${res.status}`;
    throw new PayerError(
      "relay-refused",
      `${relay.origin} refused to relay the ${what}: ${message}`,
      { details: { status: res.status, error: message, what } },
    );
  }
  throw new PayerError(
    "relay-refused",
    `${relay.origin} answered the relay request with HTTP ${res.status} and no usable body; nothing is assumed.`,
    { details: { status: res.status, what } },
  );
}

/** Polls a pending relay's status URL until it is mined. */
async function poll(
  ctx: PayerContext,
  relay: RelayEndpoint,
  what: "open" | "top-up",
  pending: z.infer<typeof pendingSchema>,
): Promise<Relayed> {
  const statusUrl = new URL(pending.status_url, relay.origin);
  const txHash = pending.tx_hash as Hex;
  if (statusUrl.origin !== relay.origin) {
    throw new PayerError(
      "relay-mismatch",
      `${relay.origin} sent the relay's status to another origin (${statusUrl.origin}); it is not followed.`,
      { details: { txHash } },
    );
  }
  ctx.emit({ type: "relay-pending", what, txHash, statusUrl: statusUrl.href });
  const deadline = Date.now() + ctx.timeoutMs;
  for (;;) {
    await sleep(ctx.pollingIntervalMs);
    let json: unknown;
    try {
      const res = await ctx.fetch(statusUrl.href, {
        headers: { accept: "application/json" },
        redirect: "manual",
      });
      json = res.ok ? await readJsonBody(res) : undefined;
    } catch (cause) {
      if ((cause as Error)?.name === "AbortError") throw cause;
      json = undefined; // try again until the deadline
    }
    const status = statusSchema.safeParse(json);
    if (status.success && status.data.status === "mined" && status.data.open_block)
      return { openBlock: status.data.open_block, txHash };
    if (status.success && (status.data.status === "reverted" || status.data.status === "failed")) {
      throw new PayerError(
        "relay-refused",
        `${relay.origin} reports that its ${what} transaction ${txHash} ${status.data.status}; nothing was moved.`,
        { details: { txHash, status: status.data.status, what } },
      );
    }
    if (Date.now() >= deadline) {
      throw new PayerError(
        "confirmations-timeout",
        `The site's ${what} transaction ${txHash} was not mined within ${ctx.timeoutMs} ms. ` +
          `It may still be; the payer finds such a channel on chain before opening another one.`,
        { details: { txHash, what } },
      );
    }
  }
}

/** Waits until the payer's own node has the block the site names (bounded by the timeout). */
async function reachBlock(ctx: PayerContext, block: number): Promise<boolean> {
  const deadline = Date.now() + ctx.timeoutMs;
  while ((await ctx.publicClient.getBlockNumber()) < BigInt(block)) {
    if (Date.now() >= deadline) return false;
    await sleep(ctx.pollingIntervalMs);
  }
  return true;
}

/** How many times a "not used" authorization is read again (a node behind the site's). */
const USED_CHECKS = 3;

/** Whether the token reports the sender's authorization `nonce` as used (read a few times). */
async function authorizationUsed(
  ctx: PayerContext,
  chainCtx: ChainContext,
  token: Address,
  sender: Address,
  nonce: Hex,
): Promise<boolean> {
  for (let i = 0; ; i++) {
    const used = await chainCtx.publicClient.readContract({
      address: token,
      abi: eip3009TokenAbi,
      functionName: "authorizationState",
      args: [sender, nonce],
    });
    if (used || i + 1 >= USED_CHECKS) return used;
    await sleep(ctx.pollingIntervalMs);
  }
}

/** Where a relayed open goes: the site's contract, token and (pinned) receiver. */
export interface RelayOpenTarget {
  chainId: number;
  contract: Address;
  token: Address;
  receiver: Address;
}

/**
 * Opens a channel through the site's relay: signs the authorization of `deposit` to the pinned
 * receiver with the payer's signer (its session key, else the sender), posts it, waits for the
 * transaction and checks on chain that exactly this channel exists before returning it.
 *
 * @throws {PayerError} "relay-refused", "relay-mismatch", "relay-unavailable", "no-tokens",
 *   "confirmations-timeout"
 */
export async function relayOpen(
  ctx: PayerContext,
  chainCtx: ChainContext,
  target: RelayOpenTarget,
  deposit: bigint,
  relay: RelayEndpoint,
  origin: string | undefined,
): Promise<{ channel: PayerChannel; txHash: Hex }> {
  const { sender } = ctx;
  const signer = ctx.sessionSigner?.address ?? sender;
  const domain = await tokenDomain(chainCtx, target.token);
  const authorization = {
    sender,
    receiver: target.receiver,
    deposit,
    signer,
    salt: randomSalt(),
    validAfter: 0n,
    validBefore: await validBefore(chainCtx, relay),
  };
  ctx.emit({ type: "signing-authorization", what: "open", amount: deposit });
  const signature = await signAuthorization(() =>
    signOpenAuthorization({
      ...senderSource(ctx, chainCtx),
      domain,
      contract: target.contract,
      authorization,
    }),
  );
  const relayed = await submit(ctx, relay, "open", relay.openUrl, {
    sender,
    deposit: deposit.toString(),
    signer,
    salt: authorization.salt,
    valid_after: authorization.validAfter.toString(),
    valid_before: authorization.validBefore.toString(),
    signature,
  });

  // The site's word is checked against the chain: the authorization was used (only the
  // contract can use it, only for this receiver, signer and deposit), and the channel it names
  // was created by it.
  const nonce = openAuthorizationNonce(authorization);
  const openBlock = relayed.openBlock;
  const mismatch = (why: string) =>
    new PayerError(
      "relay-mismatch",
      `${relay.origin} says it opened the channel in block ${openBlock}, but ${why}; the payer does not use it. ` +
        `Nothing was paid; the authorization expires at ${authorization.validBefore} (unix time).`,
      { details: { openBlock, txHash: relayed.txHash, validBefore: authorization.validBefore } },
    );
  if (!(await reachBlock(ctx, openBlock))) throw mismatch("the chain has no such block yet");
  if (!(await authorizationUsed(ctx, chainCtx, target.token, sender, nonce)))
    throw mismatch("the deposit authorization was not used on chain");
  const created = await chainCtx.publicClient.getContractEvents({
    address: target.contract,
    abi: payerChannelsAbi,
    eventName: "ChannelCreated",
    args: { sender, receiver: target.receiver, openBlockNumber: openBlock },
    fromBlock: BigInt(openBlock),
    toBlock: BigInt(openBlock),
    strict: true,
  });
  const event = created.find(
    (e) =>
      e.args.deposit === deposit &&
      isAddressEqual(e.args.signer, signer) &&
      isAddressEqual(e.args.receiver, target.receiver),
  );
  if (!event) throw mismatch("no channel with this deposit and signer was created in that block");
  const info = await readChannel(chainCtx, target.contract, {
    sender,
    receiver: target.receiver,
    openBlock,
  });
  if (!info || !isAddressEqual(info.signer, signer))
    throw mismatch("the contract does not hold that channel");
  const channel = await ctx.save({
    ...(origin === undefined ? {} : { siteOrigin: origin }),
    chainId: target.chainId,
    contract: getAddress(target.contract),
    token: getAddress(target.token),
    receiver: getAddress(target.receiver),
    sender,
    signer,
    openBlock,
    deposit: info.deposit,
    balance: 0n,
    signature: null,
    state: info.settleBlock === 0 ? "open" : "closing",
  });
  return { channel, txHash: event.transactionHash ?? relayed.txHash };
}

/**
 * Tops up `channel` through the site's relay: signs the authorization of `amount` bound to this
 * channel, posts it, and takes the new deposit from the chain once the authorization is used.
 *
 * @throws like {@link relayOpen}
 */
export async function relayTopUp(
  ctx: PayerContext,
  chainCtx: ChainContext,
  channel: PayerChannel,
  amount: bigint,
  relay: RelayEndpoint,
): Promise<{ channel: PayerChannel; txHash: Hex }> {
  const { sender } = channel;
  const domain = await tokenDomain(chainCtx, channel.token);
  const authorization = {
    sender,
    receiver: channel.receiver,
    openBlockNumber: channel.openBlock,
    amount,
    salt: randomSalt(),
    validAfter: 0n,
    validBefore: await validBefore(chainCtx, relay),
  };
  ctx.emit({ type: "signing-authorization", what: "top-up", amount });
  const signature = await signAuthorization(() =>
    signTopUpAuthorization({
      ...senderSource(ctx, chainCtx),
      domain,
      contract: channel.contract,
      authorization,
    }),
  );
  const relayed = await submit(
    ctx,
    relay,
    "top-up",
    relayTopUpUrl(relay, sender, channel.openBlock),
    {
      amount: amount.toString(),
      salt: authorization.salt,
      valid_after: authorization.validAfter.toString(),
      valid_before: authorization.validBefore.toString(),
      signature,
    },
  );
  const mismatch = (why: string) =>
    new PayerError(
      "relay-mismatch",
      `${relay.origin} says it topped up channel ${channelName(channel)}, but ${why}; nothing was added. ` +
        `The authorization expires at ${authorization.validBefore} (unix time).`,
      { details: { txHash: relayed.txHash, validBefore: authorization.validBefore } },
    );
  if (!(await reachBlock(ctx, relayed.openBlock))) throw mismatch("the chain has no such block");
  // The nonce binds this channel's key: once used, exactly `amount` went into exactly this channel.
  const nonce = topUpAuthorizationNonce(authorization);
  if (!(await authorizationUsed(ctx, chainCtx, channel.token, sender, nonce)))
    throw mismatch("the top-up authorization was not used on chain");
  const info = await readChannel(chainCtx, channel.contract, channel);
  if (!info) throw mismatch("the contract no longer holds the channel");
  const updated = await ctx.save({ ...(await ctx.latest(channel)), deposit: info.deposit });
  return { channel: updated, txHash: relayed.txHash };
}

/** Runs a wallet signature; a refusal or wallet failure becomes a PayerError. */
async function signAuthorization(sign: () => Promise<Hex>): Promise<Hex> {
  try {
    return await sign();
  } catch (cause) {
    if (cause instanceof PayerError) throw cause;
    throw new PayerError(
      "transaction-failed",
      "The wallet did not sign the deposit authorization.",
      {
        cause,
      },
    );
  }
}
