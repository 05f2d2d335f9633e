/**
 * The paywall fuzzer's model: what can be bought, what each channel must hold, and the answer the
 * protocol prescribes for a request.
 */
import type { Hex, PrivateKeyAccount } from "viem";
import { GET as dyn } from "@/app/api/echo/dyn/[param]/route";
import { GET as fix } from "@/app/api/echo/fix/[param]/route";
import { articleRoute as article } from "../../helpers/article-route";
import { GET as media } from "@/app/media/[...path]/route";
import { GET as upstream } from "@/app/upstream/[...path]/route";
import { seedArticles } from "@/prisma/seed-data";
import { CENT, type SiteFixture } from "../../helpers/site-fixture";
import type { Rng } from "./prng";

/** Everything the generators and the oracle share during a run. */
export interface World {
  f: SiteFixture;
  chans: Chan[];
  dead: Dead[];
  /** The latest receipt cookie per article path. */
  receipts: Map<string, { sender: string; cookie: string }>;
  /** Accounts without a channel. */
  strangers: PrivateKeyAccount[];
  /** Upstream fetches not yet matched by a served upstream response. */
  upstreamHits: number;
}

export const upstreamHandler = upstream as Handler;

export const UPSTREAM_PRICE = 7n;
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
export const FAILURE_HEADERS = [
  "RDN-Insufficient-Confirmations",
  "RDN-Nonexisting-Channel",
  "RDN-Invalid-Balance-Proof",
  "RDN-Invalid-Amount",
  "RDN-Insufficient-Funds",
] as const;
export type FailureHeader = (typeof FAILURE_HEADERS)[number];

export type Handler = (req: Request, ctx: { params: Promise<never> }) => Promise<Response>;

/** One paid thing a request can ask for. */
export interface Target {
  handler: Handler;
  path: string;
  params: unknown;
  price: bigint;
  /** The name the paywall records the payment under (a retry is free only for the same one). */
  resource: string;
  /** Status of the served content (the teapot answers 418). */
  served: number;
  /** Articles: the receipt cookie's path. */
  receiptPath?: string;
}

/** The model of one channel: what the database must hold. */
export interface Chan {
  name: string;
  sender: PrivateKeyAccount;
  signer: PrivateKeyAccount;
  openBlock: number;
  id: number;
  deposit: bigint;
  balance: bigint;
  lastSig: Hex | null;
  lastTarget: Target | null;
  accepted: bigint;
  payments: number;
}

/** A dead channel (only in the database): its expected failure header. */
export interface Dead {
  sender: PrivateKeyAccount;
  openBlock: number;
  failure: FailureHeader;
}

export type Expectation =
  | { type: "pay"; chan: Chan; balance: bigint; signature: Hex }
  | { type: "409"; headers: string[] }
  | { type: "402"; failure: FailureHeader | null; senderBalance?: bigint | null }
  /** A retry of the last paid request: served free (200) or refused (402); never charged. */
  | { type: "retry" }
  /** A valid receipt cookie: served free. */
  | { type: "receipt" };

export interface FuzzRequest {
  kind: string;
  target: Target;
  headers: Headers;
  expect: Expectation;
}

export const ARTICLES = [
  ["why-payment-channels", 3n * CENT],
  ["the-402-status-code", 5n * CENT],
  ["closing-a-channel", 8n * CENT],
] as const;
/** Sentences from the paid part of each article (never in a 402 or 409). */
export const PAID_TEXT = seedArticles.map((a) => a.body.split("\n\n")[1]!);
export const MEDIA = [
  ["kitten.jpg", CENT, 200],
  ["doggo.jpg", 2n * CENT, 200],
  ["teapot.jpg", 3n * CENT, 418],
] as const;

export function randomTarget(rng: Rng): Target {
  switch (rng.int(5)) {
    case 0: {
      const [slug, price] = rng.pick(ARTICLES);
      return {
        handler: article as Handler,
        path: `/articles/${slug}`,
        params: { slug },
        price,
        resource: `article:${slug}`,
        served: 200,
        receiptPath: `/articles/${slug}`,
      };
    }
    case 1: {
      const [file, price, served] = rng.pick(MEDIA);
      return {
        handler: media as Handler,
        path: `/media/${file}`,
        params: { path: [file] },
        price,
        resource: `media:${file}`,
        served,
      };
    }
    case 2: {
      const param = `w${rng.int(40)}`;
      return {
        handler: fix as Handler,
        path: `/api/echo/fix/${param}`,
        params: { param },
        price: 5n,
        resource: `GET /api/echo/fix/${param}`,
        served: 200,
      };
    }
    case 3: {
      const n = 1 + rng.int(rng.chance(0.5) ? 20 : 1_000_000);
      return {
        handler: dyn as Handler,
        path: `/api/echo/dyn/${n}`,
        params: { param: String(n) },
        price: BigInt(n),
        resource: `GET /api/echo/dyn/${n}`,
        served: 200,
      };
    }
    default: {
      const seg = rng.pick(["a", "b", "news"]);
      const search = rng.chance(0.5) ? `?q=${rng.int(5)}` : "";
      return {
        handler: upstream as Handler,
        path: `/upstream/${seg}${search}`,
        params: { path: [seg] },
        price: UPSTREAM_PRICE,
        resource: `upstream:/${seg}${search}`,
        served: 200,
      };
    }
  }
}

/** The answer the protocol prescribes for a well-formed request on a known open channel. */
export function expectFor(
  chan: Chan,
  target: Target,
  balance: bigint,
  signature: Hex,
  signedRight: boolean,
  payment?: bigint,
): Expectation {
  if (!signedRight)
    return { type: "402", failure: "RDN-Invalid-Balance-Proof", senderBalance: null };
  if (balance === chan.balance) {
    if (signature.toLowerCase() === chan.lastSig && target.resource === chan.lastTarget?.resource)
      return { type: "retry" };
    return { type: "402", failure: null, senderBalance: chan.balance };
  }
  const increase = balance - chan.balance;
  if (increase !== target.price || (payment !== undefined && payment !== increase))
    return { type: "402", failure: "RDN-Invalid-Amount", senderBalance: chan.balance };
  if (balance > chan.deposit)
    return { type: "402", failure: "RDN-Insufficient-Funds", senderBalance: chan.balance };
  return { type: "pay", chan, balance, signature: signature.toLowerCase() as Hex };
}

export function show(req: FuzzRequest): string {
  const headers = [...req.headers].map(
    ([k, v]) => `  ${k}: ${v.length > 140 ? `${v.slice(0, 140)}… (${v.length} chars)` : v}`,
  );
  return `${req.kind} GET ${req.target.path} (price ${req.target.price}), expected ${JSON.stringify(req.expect, (k, v) => (k === "chan" ? v.name : typeof v === "bigint" ? v.toString() : v))}\n${headers.join("\n")}`;
}
