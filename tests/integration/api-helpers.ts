/**
 * Builders shared by the `/api/1` integration suites: requests to the route handlers, SIWE
 * sign-in, signed close requests, and Channel rows with real balance proofs.
 */
import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import type { Address, Hex, PrivateKeyAccount } from "viem";
import { createSiweMessage, type SiweMessage } from "viem/siwe";
import * as nonceRoute from "@/app/api/1/auth/nonce/route";
import * as verifyRoute from "@/app/api/1/auth/verify/route";
import { microTransferChannelsAbi } from "@/lib/chain/abi";
import { db } from "@/lib/db/client";
import { channelDomain, signBalanceProof, signCloseRequest } from "@/lib/protocol";
import { BASE } from "../helpers/paywall";
import type { SiteFixture } from "../helpers/site-fixture";

/** The site's origin in the tests (SITE_URL's default). */
export const ORIGIN = BASE;

/** Options of {@link apiRequest}. */
export type RequestOptions = {
  method?: string;
  cookie?: string;
  bearer?: string;
  body?: unknown;
  headers?: Record<string, string>;
};

/** A Request as the browser or a script would send it to the site. */
export function apiRequest(path: string, opts: RequestOptions = {}): Request {
  const headers: Record<string, string> = { host: "127.0.0.1:3000", ...opts.headers };
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    headers["content-type"] = "application/json";
  }
  return new Request(`${ORIGIN}${path}`, { method: opts.method ?? "GET", headers, body });
}

/** Route-handler context with already-resolved params. */
export const ctx = <P extends Record<string, string>>(params: P) => ({
  params: Promise.resolve(params),
});

/** Fetches a nonce through the route. */
export async function getNonce(): Promise<string> {
  const res = await nonceRoute.GET(new Request("http://127.0.0.1:3000/api/1/auth/nonce"));
  expect(res.status).toBe(200);
  const { nonce } = (await res.json()) as { nonce: string };
  return nonce;
}

/** A SIWE message for `account` with a fresh nonce; `overrides` replace any field. */
export async function siweMessage(
  account: PrivateKeyAccount,
  chainId: number,
  overrides: Partial<SiweMessage> = {},
): Promise<string> {
  return createSiweMessage({
    domain: "127.0.0.1:3000",
    address: account.address,
    uri: ORIGIN,
    version: "1",
    chainId,
    nonce: overrides.nonce ?? (await getNonce()),
    issuedAt: new Date(),
    statement: "Sign in to the operator API",
    ...overrides,
  });
}

/** POSTs a signed message to /api/1/auth/verify. */
export function postVerify(
  message: string,
  signature: Hex | string,
  headers?: Record<string, string>,
): Promise<Response> {
  return verifyRoute.POST(
    apiRequest("/api/1/auth/verify", { method: "POST", body: { message, signature }, headers }),
  );
}

/** The `name=value` part of a Set-Cookie header, to send back as a Cookie header. */
export function cookieOf(res: Response): string {
  const setCookie = res.headers.get("set-cookie");
  expect(setCookie).toBeTruthy();
  return setCookie!.split(";")[0]!;
}

/** Signs in `account` through the real routes and returns the Cookie header value. */
export async function signIn(account: PrivateKeyAccount, chainId: number): Promise<string> {
  const message = await siweMessage(account, chainId);
  const res = await postVerify(message, await account.signMessage({ message }));
  expect(res.status).toBe(200);
  return cookieOf(res);
}

/** Options of {@link insertChannel}. */
export type ChannelRow = {
  reader: PrivateKeyAccount;
  openBlock: number;
  deposit?: bigint;
  balance?: bigint;
  state?: "open" | "closing" | "settled";
  confirmed?: boolean;
  /** Session key that signs the proofs (default: the reader). */
  signer?: PrivateKeyAccount;
};

/** The `close_request` of a DELETE body, as sent on the wire. */
export type CloseRequestJson = { nonce: Hex; expires: string; signature: Hex };

/**
 * Signs a CloseRequest for a channel of the fixture's receiver: by `by` (default the reader), a
 * fresh random nonce and an expiry 5 minutes ahead unless overridden.
 */
export async function closeRequestFor(
  site: SiteFixture,
  row: { reader: PrivateKeyAccount; openBlock: number },
  balance: bigint,
  opts: { by?: PrivateKeyAccount; nonce?: Hex; expires?: bigint; contract?: Address } = {},
): Promise<CloseRequestJson> {
  const nonce = opts.nonce ?? (`0x${randomBytes(32).toString("hex")}` as Hex);
  const expires = opts.expires ?? BigInt(Math.floor(Date.now() / 1000) + 300);
  const signature = await signCloseRequest({
    account: opts.by ?? row.reader,
    domain: channelDomain({
      chainId: site.deployment.chainId,
      contract: opts.contract ?? site.deployment.contract,
    }),
    message: {
      sender: row.reader.address,
      receiver: site.receiver.address,
      openBlockNumber: row.openBlock,
      balance,
      nonce,
      expires,
    },
  });
  return { nonce, expires: expires.toString(), signature };
}

/** Signs a balance proof for a channel of the fixture's receiver. */
export function proofFor(
  site: SiteFixture,
  row: { reader: PrivateKeyAccount; openBlock: number; signer?: PrivateKeyAccount },
  balance: bigint,
): Promise<Hex> {
  return signBalanceProof({
    account: row.signer ?? row.reader,
    domain: channelDomain({ chainId: site.deployment.chainId, contract: site.deployment.contract }),
    message: {
      sender: row.reader.address,
      receiver: site.receiver.address,
      openBlockNumber: row.openBlock,
      balance,
    },
  });
}

/** Inserts a Channel row as the indexer and paywall would leave it, with a real last proof. */
export async function insertChannel(site: SiteFixture, row: ChannelRow) {
  const balance = row.balance ?? 0n;
  const deposit = row.deposit ?? 10n ** 19n;
  return db().channel.create({
    data: {
      sender: row.reader.address,
      openBlock: row.openBlock,
      receiver: site.receiver.address,
      signer: (row.signer ?? row.reader).address as Address,
      deposit: deposit.toString(),
      seenDeposit: deposit.toString(),
      confirmed: row.confirmed ?? true,
      state: row.state ?? "open",
      balance: balance.toString(),
      signature: balance > 0n ? await proofFor(site, row, balance) : null,
      lastResource: balance > 0n ? "/articles/demo" : null,
    },
  });
}

/**
 * The reader submits cooperativeClose for its channel with the balance proof and the receiver's
 * closing signature; expects it to succeed and returns the receipt.
 */
export async function cooperativeCloseOnChain(
  site: SiteFixture,
  row: { reader: PrivateKeyAccount; openBlock: number },
  balance: bigint,
  balanceSignature: Hex,
  closeSignature: Hex,
) {
  const hash = await site.wallet(row.reader).writeContract({
    address: site.deployment.contract,
    abi: microTransferChannelsAbi,
    functionName: "cooperativeClose",
    args: [
      row.reader.address,
      site.receiver.address,
      row.openBlock,
      balance,
      balanceSignature,
      closeSignature,
    ],
    account: row.reader,
    chain: null,
  });
  const receipt = await site.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  expect(receipt.status).toBe("success");
  return receipt;
}
