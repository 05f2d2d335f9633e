/**
 * A stock x402 client pays the real site (`next start` of the production build) on anvil with
 * DemoDollar (EIP-3009): `x402Client` + `registerExactEvmScheme` + `wrapFetchWithPayment`, with an
 * account that holds dUSD and no ETH, buys an article (read again free with its receipt), a paid
 * API call and an image; the token moves exactly the price each time; a replayed, altered or
 * malformed PAYMENT-SIGNATURE buys nothing and sends no transaction.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { x402Client } from "@x402/core/client";
import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  decodePaymentSignatureHeader,
  encodePaymentSignatureHeader,
} from "@x402/core/http";
import type { PaymentPayload, PaymentRequired } from "@x402/core/types";
import { registerExactEvmScheme } from "@x402/evm/exact/client";
import { wrapFetchWithPayment } from "@x402/fetch";
import { getAddress, type Address } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { loadRelayGas } from "@/lib/admin/relay-gas";
import { loadRevenueData } from "@/lib/admin/revenue-data";
import { db } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { paymentRequiredBody } from "@/lib/protocol/terms";
import { startSiteServer, tokenBalance, type SiteServer } from "../../helpers/site-server";

const USD = 1_000_000n;
let site: SiteServer;
let payer: PrivateKeyAccount;
/** PAYMENT-SIGNATURE values the wrapped fetch sent, in order. */
const sent: string[] = [];
let client: x402Client;
let pay: typeof fetch;

beforeAll(async () => {
  site = await startSiteServer({ demoToken: "DemoDollar" });
  const { key } = await site.fundedAccount(20n * USD, 0n);
  payer = privateKeyToAccount(key);
  client = new x402Client();
  registerExactEvmScheme(client, { signer: payer });
  // The demo token is no default asset of the x402 packages: allow it, capped at one dollar.
  client.setSpendControls({
    allowedAssets: [
      {
        network: `eip155:${site.deployment.chainId}`,
        asset: site.deployment.token,
        maxAmountPerPayment: USD.toString(),
      },
    ],
  });
  const recording: typeof fetch = async (input, init) => {
    const req = new Request(input, init);
    const sig = req.headers.get("PAYMENT-SIGNATURE");
    if (sig) sent.push(sig);
    return fetch(req);
  };
  pay = wrapFetchWithPayment(recording, client);
}, 240_000);

afterAll(async () => {
  await site?.stop();
});

const url = (path: string) => new URL(path, site.url).toString();
const balances = async () => ({
  payer: await tokenBalance(site, payer.address),
  receiver: await tokenBalance(site, site.receiver),
});
const receiverNonce = () => site.publicClient.getTransactionCount({ address: site.receiver });

/** The 402 of `path` for a client without payment: its price and x402 envelope. */
async function terms(path: string): Promise<{ price: bigint; required: PaymentRequired }> {
  const res = await fetch(url(path));
  expect(res.status).toBe(402);
  const header = res.headers.get("PAYMENT-REQUIRED");
  expect(header).toBeTruthy();
  return {
    price: BigInt(res.headers.get("RDN-Price")!),
    required: decodePaymentRequiredHeader(header!),
  };
}

/** Buys `path` with the stock client; checks the transfer is exactly the price. */
async function buy(path: string): Promise<Response> {
  const { price } = await terms(path);
  const before = await balances();
  const res = await pay(url(path));
  expect(res.status).toBe(200);
  const settled = decodePaymentResponseHeader(res.headers.get("PAYMENT-RESPONSE")!);
  expect(settled).toMatchObject({
    success: true,
    network: `eip155:${site.deployment.chainId}`,
    payer: getAddress(payer.address),
  });
  const receipt = await site.publicClient.getTransactionReceipt({
    hash: settled.transaction as `0x${string}`,
  });
  expect(receipt.status).toBe("success");
  const after = await balances();
  expect(before.payer - after.payer).toBe(price);
  expect(after.receiver - before.receiver).toBe(price);
  expect(await site.publicClient.getBalance({ address: payer.address })).toBe(0n);
  return res;
}

describe("the x402 envelope", () => {
  it("offers exact for the price, the token, the receiver and the token's EIP-712 domain", async () => {
    const { price, required } = await terms("/api/echo/fix/hello");
    expect(required.x402Version).toBe(2);
    expect(required.resource.url).toBe(url("/api/echo/fix/hello"));
    // The channel first (preferred by clients that speak both), then exact.
    expect(required.accepts.map((a) => a.scheme)).toEqual(["rdn-channel", "exact"]);
    expect(required.accepts.filter((a) => a.scheme === "exact")).toEqual([
      {
        scheme: "exact",
        network: `eip155:${site.deployment.chainId}`,
        amount: price.toString(),
        asset: getAddress(site.deployment.token),
        payTo: getAddress(site.receiver),
        maxTimeoutSeconds: expect.any(Number),
        extra: { name: "Demo Dollar", version: "2" },
      },
    ]);
  });
});

describe("discovery", () => {
  it("the 402 page for browsers carries the envelope too", async () => {
    const res = await fetch(url("/articles/why-payment-channels"), {
      headers: { accept: "text/html" },
    });
    expect(res.status).toBe(402);
    const required = decodePaymentRequiredHeader(res.headers.get("PAYMENT-REQUIRED")!);
    expect(required.accepts.map((a) => a.scheme)).toEqual(["rdn-channel", "exact"]);
  });

  it("the price list and llms.txt say rdn-channel and exact are accepted", async () => {
    const prices = await (await fetch(url("/api/1/prices"))).json();
    expect(prices.x402).toEqual({
      version: 2,
      schemes: ["rdn-channel", "exact"],
      network: `eip155:${site.deployment.chainId}`,
      rdn_channel: {
        challenge_period: site.deployment.challengePeriod,
        max_timeout_seconds: 60,
      },
      exact: { name: "Demo Dollar", version: "2", max_timeout_seconds: expect.any(Number) },
    });
    const llms = await (await fetch(url("/llms.txt"))).text();
    expect(llms).toContain("## Paying with x402");
    expect(llms).toContain("`rdn-channel`");
    expect(llms).toContain("### One payment, no channel: `exact`");
    expect(llms).toContain("PAYMENT-SIGNATURE");
  });
});

describe("RDN-* clients", () => {
  it("get the same 402 body and RDN-* headers as before, whether or not they pay with x402", async () => {
    for (const path of [
      "/api/echo/fix/hello",
      "/articles/why-payment-channels",
      "/media/kitten.jpg",
    ]) {
      const res = await fetch(url(path));
      expect(res.status).toBe(402);
      const price = res.headers.get("RDN-Price")!;
      expect(await res.json()).toEqual(
        paymentRequiredBody(
          {
            receiver: site.receiver,
            contract: site.deployment.contract,
            token: site.deployment.token,
            chainId: site.deployment.chainId,
          },
          BigInt(price),
          { reason: "payment-required" },
          expect.anything(),
        ),
      );
      expect(res.headers.get("RDN-Receiver-Address")).toBe(site.receiver);
      expect(res.headers.get("RDN-Contract-Address")).toBe(site.deployment.contract);
    }
  });
});

describe("a stock x402 client with no ETH", () => {
  it("buys an article, then reads it again free with the receipt cookie", async () => {
    const res = await buy("/articles/why-payment-channels");
    expect(await res.text()).toContain("<html");
    const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
    const before = await balances();
    const again = await fetch(url("/articles/why-payment-channels"), { headers: { cookie } });
    expect(again.status).toBe(200);
    expect(await balances()).toEqual(before);
  });

  it("buys a paid API call", async () => {
    const res = await buy("/api/echo/fix/hello");
    expect(await res.json()).toEqual({ echo: "hello" });
  });

  it("buys an image", async () => {
    const res = await buy("/media/kitten.jpg");
    expect(res.headers.get("content-type")).toMatch(/^image\//);
  });
});

describe("the site's books", () => {
  it("records each purchase as a one-off payment with its gas, counted in the revenue", async () => {
    for (const [name, value] of Object.entries(site.serverEnv)) process.env[name] = value;
    resetEnv();
    const rows = await db().oneOffPayment.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.kind, r.resource, r.payer])).toEqual([
      ["x402-exact", "article:why-payment-channels", getAddress(payer.address)],
      ["x402-exact", "echo:fix:hello", getAddress(payer.address)],
      ["x402-exact", "media:kitten.jpg", getAddress(payer.address)],
    ]);
    for (const r of rows) {
      expect(BigInt(r.gasUsed)).toBeGreaterThan(21_000n);
      expect(BigInt(r.gasCost)).toBeGreaterThan(0n);
    }
    const { payments } = await loadRevenueData();
    for (const r of rows)
      expect(payments).toContainEqual(
        expect.objectContaining({ resource: r.resource, amount: BigInt(r.amount) }),
      );
    // The dashboard's gas card counts them with the relays (they share the daily gas budget).
    const gas = rows.reduce((sum, r) => sum + BigInt(r.gasCost), 0n);
    const figures = await loadRelayGas();
    expect(figures.kinds.find((k) => k.kind === "exact")).toEqual({
      kind: "exact",
      lastDay: 3,
      allTime: 3,
      gasAllTime: gas,
    });
    const relays = (await db().relay.findMany()).reduce((s, r) => s + BigInt(r.gasCost), 0n);
    expect(figures.lastDay).toBe(gas + relays);
    expect(figures.budgetLeft).toBe(figures.budget - gas - relays);
  });
});

/** A signed exact payload for `path` that was never sent. */
async function freshPayload(path: string): Promise<PaymentPayload> {
  const { required } = await terms(path);
  return client.createPaymentPayload(required);
}

/** Sends `payload` as PAYMENT-SIGNATURE; expects a 402 with an error, and nothing sent or moved. */
async function refused(path: string, header: string): Promise<string> {
  const before = await balances();
  const nonce = await receiverNonce();
  const res = await fetch(url(path), { headers: { "PAYMENT-SIGNATURE": header } });
  expect(res.status).toBe(402);
  const required = decodePaymentRequiredHeader(res.headers.get("PAYMENT-REQUIRED")!);
  expect(required.accepts.map((a) => a.scheme)).toEqual(["rdn-channel", "exact"]);
  expect(await balances()).toEqual(before);
  expect(await receiverNonce()).toBe(nonce);
  return required.error!;
}

describe("payments that buy nothing", () => {
  it("a replayed PAYMENT-SIGNATURE: the nonce is used", async () => {
    const used = sent.at(-1)!;
    expect(decodePaymentSignatureHeader(used).accepted.scheme).toBe("exact");
    expect(await refused("/media/kitten.jpg", used)).toMatch(/already used/);
  });

  it("an authorization whose value was changed", async () => {
    const p = await freshPayload("/api/echo/fix/altered");
    const auth = (p.payload as { authorization: { value: string } }).authorization;
    auth.value = (BigInt(auth.value) + 1n).toString();
    expect(await refused("/api/echo/fix/altered", encodePaymentSignatureHeader(p))).toMatch(
      /exact:/,
    );
  });

  it("an accepted amount other than the price", async () => {
    const p = await freshPayload("/api/echo/fix/altered");
    p.accepted = { ...p.accepted, amount: "1" };
    expect(await refused("/api/echo/fix/altered", encodePaymentSignatureHeader(p))).toMatch(
      /amount 1 is not the price/,
    );
  });

  it("an authorization paying someone else", async () => {
    const p = await freshPayload("/api/echo/fix/altered");
    const other: Address = getAddress(payer.address);
    (p.payload as { authorization: { to: string } }).authorization.to = other;
    expect(await refused("/api/echo/fix/altered", encodePaymentSignatureHeader(p))).toMatch(
      /exact:/,
    );
    p.accepted = { ...p.accepted, payTo: other };
    expect(await refused("/api/echo/fix/altered", encodePaymentSignatureHeader(p))).toMatch(
      /payTo/,
    );
  });

  it("the same authorization sent twice at once buys one response", async () => {
    const path = "/api/echo/fix/twice";
    const { price } = await terms(path);
    const header = encodePaymentSignatureHeader(await freshPayload(path));
    const before = await balances();
    const answers = await Promise.all(
      [0, 1].map(() => fetch(url(path), { headers: { "PAYMENT-SIGNATURE": header } })),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([200, 402]);
    const after = await balances();
    expect(before.payer - after.payer).toBe(price);
  });

  it("a malformed PAYMENT-SIGNATURE is a 400 naming the header", async () => {
    for (const path of ["/api/echo/fix/x", "/articles/why-payment-channels", "/media/kitten.jpg"]) {
      const res = await fetch(url(path), { headers: { "PAYMENT-SIGNATURE": "not base64 {" } });
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatch(/PAYMENT-SIGNATURE/);
    }
  });
});
