/**
 * The auto-pay service worker, served as `/pay-worker.js` (bundled by next.config.mjs from this
 * file). The paywall registers it once the reader has auto-pay on (`./pay-worker-client.ts`). It
 * holds no key of its own: every payment reads the setting, the channel and the session key from
 * the same IndexedDB as the paywall (`./pay-on-navigation.ts`). Every other request, and any
 * failure, goes to the network unchanged. The script's URL carries the site's public RPC URL
 * (`?rpc=`).
 */
import { createPublicClient, custom, http, type PublicClient } from "viem";
import { readAutoPayState, type AutoPayState } from "./auto-pay";
import { siteChain } from "./site-chain";
import {
  fetchSitePrices,
  payablePath,
  payOnNavigation,
  type SitePrices,
} from "./pay-on-navigation";

/** The worker-global parts used here (lib.webworker is not in the project's types). */
interface WorkerScope {
  location: Location;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: string, listener: (event: never) => void): void;
}
interface ExtendableEventLike {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEventLike extends ExtendableEventLike {
  request: Request;
  respondWith(response: Promise<Response>): void;
}

/** How long the price list is used before it is read again (the route's own max-age). */
const PRICES_TTL_MS = 60_000;

const scope = self as unknown as WorkerScope;
const origin = scope.location.origin;
const rpcUrl = new URL(scope.location.href).searchParams.get("rpc") ?? "";

let prices: { at: number; value: Promise<SitePrices | undefined> } | undefined;
function sitePrices(): Promise<SitePrices | undefined> {
  if (!prices || Date.now() - prices.at > PRICES_TTL_MS) {
    const value = fetchSitePrices(origin).catch(() => undefined);
    prices = { at: Date.now(), value };
    // A failed read is not kept.
    void value.then((p) => {
      if (!p && prices?.value === value) prices = undefined;
    });
  }
  return prices.value;
}

let client: PublicClient | undefined;
/** The chain client: its chain id is asked once per worker, not once per payment. */
function publicClient(chainId: number): PublicClient {
  if (client?.chain?.id === chainId) return client;
  const inner = createPublicClient({ transport: http(rpcUrl) });
  let id: Promise<unknown> | undefined;
  client = createPublicClient({
    chain: siteChain({ chainId, rpcUrl }),
    transport: custom({
      request: ({ method, params }: { method: string; params?: unknown }) => {
        if (method !== "eth_chainId") return inner.request({ method, params } as never);
        id ??= inner.request({ method: "eth_chainId" }).catch((err: unknown) => {
          id = undefined;
          throw err;
        });
        return id;
      },
    }),
  }) as PublicClient;
  return client;
}

scope.addEventListener("install", (event: ExtendableEventLike) => {
  event.waitUntil(scope.skipWaiting());
});

scope.addEventListener("activate", (event: ExtendableEventLike) => {
  event.waitUntil(
    scope.clients.claim().then(() => {
      readAhead();
      return sitePrices();
    }),
  );
});

/** The last payment's bookkeeping (accepting its proof): the next payment starts after it. */
let recording: Promise<unknown> = Promise.resolve();

/**
 * This browser's auto-pay state read ahead of the reader's click (when the router prefetches an
 * article, and after each payment), so that the click's payment starts at its reservation. It is
 * used for {@link AHEAD_TTL_MS} at most; the reservation checks it against what is stored.
 */
let ahead: { at: number; state: Promise<AutoPayState | undefined> } | undefined;
const AHEAD_TTL_MS = 10_000;
/** Prefetches read again at most this often. */
const AHEAD_EVERY_MS = 1_000;

function readAhead(): void {
  const at = Date.now();
  if (ahead && at - ahead.at < AHEAD_EVERY_MS) return;
  // After the last payment's bookkeeping, so that the read includes it.
  const state = recording.then(() => readAutoPayState()).catch(() => undefined);
  ahead = { at, state };
}

function recentState(): Promise<AutoPayState | undefined> | undefined {
  if (!ahead || Date.now() - ahead.at > AHEAD_TTL_MS) return undefined;
  return ahead.state;
}

/** A router prefetch of an article of this site (paid for by nobody, but a click may follow). */
function articlePrefetch(request: Request): boolean {
  const { headers } = request;
  if (request.method !== "GET") return false;
  if (!headers.has("next-router-prefetch") && !headers.has("next-router-segment-prefetch"))
    return false;
  const url = new URL(request.url);
  return url.origin === origin && /^\/articles\/[^/]+\/?$/.test(url.pathname);
}

scope.addEventListener("fetch", (event: FetchEventLike) => {
  const { request } = event;
  if (!payablePath(request, origin)) {
    if (articlePrefetch(request)) readAhead();
    return;
  }
  event.respondWith(
    (async () => {
      try {
        const [p] = await Promise.all([sitePrices(), recording]);
        const paid = await payOnNavigation(request, {
          origin,
          rpcUrl,
          prices: async () => p,
          publicClient: p ? publicClient(p.chainId) : undefined,
          recentState,
          settle: (work) => {
            recording = work;
            event.waitUntil(work);
            // What this payment wrote is read again for the next click.
            ahead = undefined;
            readAhead();
          },
        });
        if (paid) return paid;
      } catch {
        // Paying failed before an answer: the request goes as it is (the paywall takes over).
      }
      return fetch(request);
    })(),
  );
});
