/**
 * Paying on the navigation itself: the service worker (`./pay-worker.ts`) hands each request of
 * the site's pages to {@link payOnNavigation}, which adds the session key's balance proof to a
 * request for a paid article when this browser would pay it anyway, so the reader's click returns
 * the article in one round trip instead of the paywall, a hydration and a second request.
 *
 * Only what the paywall island would pay by itself is paid here, with the same code and limits:
 * an enabled auto-pay setting that allows the price, an open channel of its sender with room and
 * its session key in this browser's IndexedDB. The worker may have read these a moment before the
 * click; the reservation of every payment reads the setting, the channel and the history again in
 * one transaction (so revoking or turning auto-pay off stops it at once, a lowered maximum counts,
 * and an article paid meanwhile is not paid twice), and the sender's cap is reserved at signing
 * whichever tab or worker signs. It pays only:
 * - the client router's own fetch of an article (`RSC: 1`, never a prefetch), or
 * - a document navigation to an article that a page of this site started (its referrer is this
 *   origin): a link clicked in the site, opened in a new tab or not. A navigation another site
 *   starts, a typed address or a bookmark is left to the paywall, which asks or pays as it does.
 * Anything else (another answer, a price the list does not know, a failure) returns the request
 * unchanged to the browser: the paywall then does what it always did.
 */
import { isAddress, isAddressEqual, type Address, type PublicClient } from "viem";
import { decodePaymentTerms, encodePaymentHeaders } from "@/lib/protocol/terms";
import { autoPayerOptions, pickAutoPayment, readAutoPayState, type AutoPayState } from "./auto-pay";
import { channelKey, StaleRead } from "./channel-store";
import { appendHistory } from "./history";
import { createBrowserPayer } from "./pay";
import type { Authorization, Payer } from "@/lib/protocol/client";

/** The site's deployment and article prices, as `GET /api/1/prices` lists them. */
export interface SitePrices {
  receiver: Address;
  contract: Address;
  token: Address;
  chainId: number;
  gatewayPath: string;
  /** How long an article's receipt serves this browser again (seconds; 0: no receipts). */
  receiptSeconds: number;
  /** Price (base units) and title per article path (`/articles/<slug>`). */
  articles: ReadonlyMap<string, { price: bigint; title: string }>;
}

/** The request fields the decision reads (a `Request` has them all). */
export interface NavigationRequest {
  method: string;
  url: string;
  mode: string;
  referrer: string;
  headers: Headers;
}

/** Request headers that mean the request already pays (it is passed on as it is). */
const PAYING_HEADERS = ["rdn-balance-signature", "payment-signature", "x-payment"];

/** Headers of the client router's prefetches: never paid. */
const PREFETCH_HEADERS = ["next-router-prefetch", "next-router-segment-prefetch"];

const ARTICLE_PATH = /^\/articles\/[^/]+$/;

/**
 * The article path `request` may be paid for on the reader's behalf, or undefined (pure): a GET of
 * `/articles/<slug>` on `origin`, not already paying, and either the client router's fetch (not a
 * prefetch) or a document navigation whose referrer is `origin`.
 */
export function payablePath(request: NavigationRequest, origin: string): string | undefined {
  if (request.method !== "GET") return undefined;
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return undefined;
  }
  if (url.origin !== origin) return undefined;
  const path = url.pathname.replace(/\/$/, "");
  if (!ARTICLE_PATH.test(path)) return undefined;
  const { headers } = request;
  if (PAYING_HEADERS.some((h) => headers.has(h))) return undefined;
  if (PREFETCH_HEADERS.some((h) => headers.has(h))) return undefined;
  if (request.mode === "navigate") {
    let from: string;
    try {
      from = new URL(request.referrer).origin;
    } catch {
      return undefined; // no referrer: typed, bookmarked, or hidden by another site
    }
    return from === origin ? path : undefined;
  }
  return headers.get("rsc") === "1" ? path : undefined;
}

/** What {@link payOnNavigation} needs from its worker. */
export interface PayOnNavigationDeps {
  /** This site's origin (the worker's). */
  origin: string;
  /** The site's public RPC URL. */
  rpcUrl: string;
  /** The site's prices (cached by the caller), or undefined when they cannot be read. */
  prices(): Promise<SitePrices | undefined>;
  /**
   * Told of the bookkeeping after each paid answer (accepting the proof, the history), which the
   * worker keeps alive with `waitUntil`. The next payment starts after it.
   */
  settle?(work: Promise<unknown>): void;
  /**
   * What this browser held for auto-pay as read a moment ago (ahead of the reader's click), or
   * undefined: the payment then reads it itself.
   */
  recentState?(): Promise<AutoPayState | undefined> | undefined;
  /** The chain client payments use (one per worker: the chain id is read once). */
  publicClient?: PublicClient;
  fetch?: typeof fetch;
}

/**
 * Sends `request` paid by auto-pay when {@link payablePath} and this browser's auto-pay allow it;
 * resolves undefined when it does not pay (the caller sends the request unchanged).
 */
export async function payOnNavigation(
  request: Request,
  deps: PayOnNavigationDeps,
): Promise<Response | undefined> {
  const path = payablePath(request, deps.origin);
  if (!path) return undefined;
  const prices = await deps.prices();
  const article = prices?.articles.get(path);
  if (!prices || !article || article.price === 0n) return undefined;
  const site = { chainId: prices.chainId, contract: prices.contract, receiver: prices.receiver };
  const terms = {
    gatewayPath: prices.gatewayPath,
    receiver: prices.receiver,
    contract: prices.contract,
    token: prices.token,
    chainId: prices.chainId,
    price: article.price,
  };
  const since = receiptSince(prices.receiptSeconds);
  // What the worker read ahead of the click when it has it, else one read now. Either way the
  // reservation checks every limit, the receipt and the channel against what is stored when it
  // runs; a channel changed since the read ahead is read again, once.
  let paying: { payer: Payer; auth: Authorization } | undefined;
  for (const read of [deps.recentState, () => readAutoPayState()]) {
    const state = await read?.();
    const auto = state && pickAutoPayment(state, site, article.price);
    if (!state || !auto) continue;
    const { payer } = createBrowserPayer({
      chainId: prices.chainId,
      rpcUrl: deps.rpcUrl,
      publicClient: deps.publicClient,
      contract: prices.contract,
      token: prices.token,
      channels: state.channels,
      ...autoPayerOptions(auto, path, since),
    });
    try {
      paying = { payer, auth: await payer.authorize(deps.origin, terms) };
      break;
    } catch (err) {
      // Over a limit, paid a moment ago, another channel state: the paywall says why.
      if (!(err instanceof StaleRead)) return undefined;
    }
  }
  if (!paying) return undefined;
  const { payer, auth } = paying;
  const headers = new Headers(request.headers);
  for (const [name, value] of Object.entries(
    encodePaymentHeaders({
      sender: auth.channel.sender,
      openBlock: auth.channel.openBlock,
      balance: auth.balance,
      signature: auth.signature,
      receiver: auth.channel.receiver,
      contract: auth.channel.contract,
    }),
  ))
    headers.set(name, value);
  const res = await (deps.fetch ?? fetch)(new Request(request, { headers }));

  const entry = { path, title: article.title, amount: article.price.toString() };

  /** Accepts the proof when the site committed it, else continues from the site's proof. */
  async function record(res: Response, auth: Authorization): Promise<void> {
    let answered;
    try {
      answered = decodePaymentTerms(res.headers).lastProof;
    } catch {
      answered = undefined;
    }
    const ours =
      answered && isAddressEqual(answered.sender, auth.channel.sender) ? answered : undefined;
    if (res.ok && ours?.balance === auth.balance) {
      // The site committed this proof (a receipt would have answered without one).
      await payer.accept(auth);
      await appendHistory({
        ...entry,
        balance: auth.balance.toString(),
        channel: channelKey(auth.channel),
        mode: "auto",
        time: Date.now(),
      });
    } else if (ours?.signature && ours.balance !== auth.balance) {
      // The site is at another balance (a payment from another browser): continue from its proof
      // when it is provably ours; the paywall then pays from there.
      await payer
        .adopt(
          auth.channel,
          { sender: ours.sender, balance: ours.balance, signature: ours.signature },
          auth,
        )
        .catch(() => undefined);
    }
  }

  // The page gets its answer now; the channel and history are written after it.
  const recorded = record(res, auth).catch(() => undefined);
  deps.settle?.(recorded);
  return res;
}

/** A margin under the receipt's lifetime: the history's time is a little after the cookie's. */
const RECEIPT_MARGIN_MS = 60_000;

/**
 * Since when a payment's receipt should still be valid (ms since the epoch), or undefined when the
 * site gives no receipts.
 */
function receiptSince(receiptSeconds: number): number | undefined {
  if (receiptSeconds <= 0) return undefined;
  return Date.now() - receiptSeconds * 1000 + RECEIPT_MARGIN_MS;
}

/** Reads `GET <origin>/api/1/prices` into {@link SitePrices}; undefined when unusable. */
export async function fetchSitePrices(
  origin: string,
  fetchFn: typeof fetch = fetch,
): Promise<SitePrices | undefined> {
  const res = await fetchFn(`${origin}/api/1/prices`, { headers: { accept: "application/json" } });
  if (!res.ok) return undefined;
  const body = (await res.json()) as {
    receiver?: Address;
    contract?: Address;
    token?: Address;
    chain_id?: number;
    gateway?: string;
    receipt_seconds?: number;
    resources?: Array<{ path?: string; price?: string; kind?: string; title?: string }>;
  };
  const addresses = [body.receiver, body.contract, body.token];
  if (!addresses.every((a) => typeof a === "string" && isAddress(a)) || !isChainId(body.chain_id))
    return undefined;
  const articles = new Map<string, { price: bigint; title: string }>();
  for (const r of body.resources ?? []) {
    if (r.kind !== "article" || !r.path || !/^[0-9]{1,60}$/.test(r.price ?? "")) continue;
    articles.set(r.path, { price: BigInt(r.price!), title: r.title ?? r.path });
  }
  return {
    receiver: body.receiver!,
    contract: body.contract!,
    token: body.token!,
    chainId: body.chain_id as number,
    gatewayPath: body.gateway ?? "/api/1",
    receiptSeconds:
      typeof body.receipt_seconds === "number" && body.receipt_seconds >= 0
        ? body.receipt_seconds
        : 0,
    articles,
  };
}

const isChainId = (n: unknown): n is number =>
  typeof n === "number" && Number.isSafeInteger(n) && n > 0;
