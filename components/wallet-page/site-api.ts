/**
 * The wallet page's calls to the site: Sign-In with Ethereum (so the site shows this reader their
 * channels' history) and the history itself, page by page.
 */
import { getAddress, isAddressEqual, type Address, type Hex } from "viem";
import { createSiweMessage } from "viem/siwe";
import { SiteApiError } from "./explain-error";
import type { SitePayment } from "./history";

/** Largest page the history endpoint serves. */
const PAGE_SIZE = 1000;
/** Pages read per channel at most (a channel with more payments shows the newest ones). */
const MAX_PAGES = 20;

async function jsonOf<T>(res: Response): Promise<T> {
  const body = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) {
    const error =
      typeof body === "object" && body !== null && "error" in body
        ? String((body as { error: unknown }).error)
        : `HTTP ${res.status}`;
    throw new SiteApiError(res.status, error);
  }
  return body as T;
}

/** Where the site is and how to reach it. */
export type SiteApi = {
  /** `window.location.origin`. */
  origin: string;
  /** `window.location.host`: the SIWE domain. */
  host: string;
  /** The REST API base path (`/api/1`). */
  gatewayPath: string;
  fetch?: typeof fetch;
};

/**
 * Signs in with Ethereum as `address` unless the site already has a session for it: a nonce from
 * the site, an EIP-4361 message for this origin and chain, the wallet's signature, then
 * `POST /auth/verify` (which sets the session cookie).
 *
 * @returns whether a new signature was asked for
 */
export async function ensureSignedIn(
  site: SiteApi,
  p: { address: Address; chainId: number; signMessage: (message: string) => Promise<Hex> },
): Promise<boolean> {
  const f = site.fetch ?? globalThis.fetch;
  const base = `${site.origin}${site.gatewayPath}`;
  const me = await jsonOf<{ address: string | null }>(
    await f(`${base}/auth/me`, { credentials: "same-origin", cache: "no-store" }),
  );
  if (me.address && isAddressEqual(me.address as Address, p.address)) return false;
  const { nonce } = await jsonOf<{ nonce: string }>(
    await f(`${base}/auth/nonce`, { credentials: "same-origin", cache: "no-store" }),
  );
  const message = createSiweMessage({
    domain: site.host,
    address: getAddress(p.address),
    statement: "Sign in to see the payment history of your channels.",
    uri: site.origin,
    version: "1",
    chainId: p.chainId,
    nonce,
    issuedAt: new Date(),
  });
  const signature = await p.signMessage(message);
  await jsonOf<unknown>(
    await f(`${base}/auth/verify`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message, signature }),
    }),
  );
  return true;
}

/**
 * Every payment the site accepted on channel `(sender, openBlock)`, newest first (following the
 * `?before=` cursor; at most {@link MAX_PAGES} pages of {@link PAGE_SIZE}); none for a channel
 * the site does not know.
 */
export async function loadSitePayments(
  site: SiteApi,
  sender: Address,
  openBlock: number,
): Promise<SitePayment[]> {
  const f = site.fetch ?? globalThis.fetch;
  const out: SitePayment[] = [];
  let before: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = `limit=${PAGE_SIZE}${before === undefined ? "" : `&before=${before}`}`;
    const url = `${site.origin}${site.gatewayPath}/channels/${sender}/${openBlock}/payments?${query}`;
    const res = await f(url, { credentials: "same-origin", cache: "no-store" });
    // A channel the site has not seen (not indexed yet): no payments there.
    if (res.status === 404) return out;
    const rows = await jsonOf<SitePayment[]>(res);
    out.push(...rows);
    if (rows.length < PAGE_SIZE) break;
    before = rows[rows.length - 1]!.balance;
  }
  return out;
}

/** The open blocks of every channel the site knows for `sender` (any state). */
export async function listSiteChannels(site: SiteApi, sender: Address): Promise<number[]> {
  const f = site.fetch ?? globalThis.fetch;
  const url = `${site.origin}${site.gatewayPath}/channels/${sender}?status=all`;
  const rows = await jsonOf<Array<{ open_block: number }>>(
    await f(url, { credentials: "same-origin", cache: "no-store" }),
  );
  return rows.map((r) => r.open_block);
}
