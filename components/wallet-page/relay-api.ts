/**
 * The browser's calls to the site's relay: a cooperative close the site sends itself
 * (`POST …/channels/:sender/:open_block/close`) and test tokens from the local chain's faucet
 * (`POST …/faucet`). Both answer 201 once mined or 202 with a status URL, which is followed here
 * until the transaction is mined.
 */
import { bytesToHex, type Address, type Hex } from "viem";
import { channelDomain, signCloseRequest, type ProofSignerSource } from "@/lib/protocol";
import type { PayerChannel } from "@/lib/protocol/client";
import { SiteApiError } from "./explain-error";
import type { SiteApi } from "./site-api";

/** How long a pending relay is followed before giving up (the transaction may still be mined). */
const FOLLOW_MS = 120_000;
const POLL_MS = 1_000;

type Json = Record<string, unknown>;

async function bodyOf(res: Response): Promise<Json> {
  const body = (await res.json().catch(() => null)) as unknown;
  return typeof body === "object" && body !== null ? (body as Json) : {};
}

/** Follows a 202's status URL until the relay is mined; throws if it reverted or failed. */
async function follow(site: SiteApi, statusUrl: string, txHash: Hex): Promise<Json> {
  const f = site.fetch ?? globalThis.fetch;
  const until = Date.now() + FOLLOW_MS;
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    const res = await f(`${site.origin}${statusUrl}`, { cache: "no-store" });
    const body = await bodyOf(res);
    if (!res.ok) throw new SiteApiError(res.status, String(body.error ?? `HTTP ${res.status}`));
    if (body.status === "mined") return body;
    if (body.status !== "pending")
      throw new SiteApiError(409, `the site's transaction ${txHash} ${String(body.status)}`);
  }
  throw new SiteApiError(
    504,
    `the site sent transaction ${txHash} but it was not mined within ${FOLLOW_MS / 1000} s; reload the page later`,
  );
}

/** POSTs a relay request; resolves with the 201 body, or the status once a 202 is mined. */
async function postRelay(site: SiteApi, path: string, payload: unknown): Promise<Json> {
  const f = site.fetch ?? globalThis.fetch;
  const res = await f(`${site.origin}${site.gatewayPath}${path}`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(payload),
  });
  const body = await bodyOf(res);
  if (res.status === 202 && typeof body.status_url === "string")
    return follow(site, body.status_url, body.tx_hash as Hex);
  if (!res.ok) {
    const err = new SiteApiError(res.status, String(body.error ?? `HTTP ${res.status}`));
    Object.assign(err, { body });
    throw err;
  }
  return body;
}

/** What a relayed close did. */
export interface RelayedClose {
  txHash: Hex;
  /** The balance the channel closed at (what the site kept). */
  balance: bigint;
}

/** Signs a CloseRequest for `channel` at `balance` (5 minutes, a fresh nonce). */
async function closeRequest(channel: PayerChannel, balance: bigint, signer: ProofSignerSource) {
  const nonce = bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(32)));
  const expires = BigInt(Math.floor(Date.now() / 1000) + 300);
  const signature = await signCloseRequest({
    ...signer,
    domain: channelDomain({ chainId: channel.chainId, contract: channel.contract }),
    message: {
      sender: channel.sender,
      receiver: channel.receiver,
      openBlockNumber: channel.openBlock,
      balance,
      nonce,
      expires,
    },
  });
  return { nonce, expires: expires.toString(), signature };
}

/**
 * Asks the site to close `channel` cooperatively and send the transaction itself: the reader
 * needs no ETH. The close request is signed by `signer` (the channel's session key, which asks
 * nothing, or the wallet). When the site's last accepted balance is newer than this browser's,
 * the close is asked again once at the site's balance (the contract checks its proof).
 *
 * @throws {@link SiteApiError} with the site's refusal
 */
export async function requestRelayedClose(
  site: SiteApi,
  channel: PayerChannel,
  signer: ProofSignerSource,
): Promise<RelayedClose> {
  const path = `/channels/${channel.sender}/${channel.openBlock}/close`;
  const ask = async (balance: bigint, proof: Hex | null) =>
    postRelay(site, path, {
      balance: balance.toString(),
      ...(proof ? { balance_signature: proof } : {}),
      close_request: await closeRequest(channel, balance, signer),
    });
  let body: Json;
  try {
    body = await ask(channel.balance, channel.signature);
  } catch (err) {
    const stale = (err as { body?: Json }).body?.balance;
    if (!(err instanceof SiteApiError) || err.status !== 409 || typeof stale !== "string")
      throw err;
    body = await ask(BigInt(stale), null);
  }
  return { txHash: body.tx_hash as Hex, balance: BigInt(String(body.balance ?? body.amount)) };
}

/**
 * Test tokens from the local chain's faucet for `address` (no ETH needed).
 *
 * @returns the base units received
 * @throws {@link SiteApiError} with the site's refusal (429: asked too recently)
 */
export async function requestTestTokens(site: SiteApi, address: Address): Promise<bigint> {
  const body = await postRelay(site, "/faucet", { address });
  return BigInt(String(body.amount));
}
