/**
 * The `rdn-channel` x402 scheme end to end: a stock `x402Client` with the payer's `rdnChannel`
 * registered, through `wrapFetchWithPayment` of @x402/fetch, against the real site (`next start`
 * of the production build) on anvil with DemoDollar. A reader with tokens and 0 ETH pays 20 calls
 * over one channel opened through the site's relay (no transaction of its own); the site's
 * channel balance is exactly the sum of the prices; a reader that lost its store continues from
 * the corrective proof of `extra.channel`; hostile requirements are refused before anything is
 * signed.
 *
 * The site's own `PAYMENT-REQUIRED` envelope carries the `rdn-channel` offer (first) beside
 * `exact`; the CLI's `--protocol x402` pays it too, and says so when a site (here one that strips
 * the envelope, like a site that speaks only RDN-*) offers nothing x402 can pay.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { x402Client, wrapFetchWithPayment, decodePaymentResponseHeader } from "@x402/fetch";
import type { PaymentRequired } from "@x402/core/types";
import type { Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  createPayer,
  isPayerError,
  memoryChannelStore,
  rdnChannel,
  type PayerEvent,
  type SpendingPolicy,
} from "@/lib/protocol/client";
import { rdnChannelAccepts } from "@/lib/x402/rdn-channel";
import { registerExactEvmScheme } from "@x402/evm/exact/client";
import { db } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { runCli } from "../../helpers/cli";
import {
  channelsCreatedBy,
  startSiteServer,
  tokenBalance,
  type SiteServer,
} from "../../helpers/site-server";

const USD = 1_000_000n;
const PRICE = 5n; // /api/echo/fix/:param
let site: SiteServer;

beforeAll(async () => {
  site = await startSiteServer({
    demoToken: "DemoDollar",
    env: { RELAY_MAX_PER_IP_PER_HOUR: "1000", RELAY_MAX_PER_SENDER_PER_HOUR: "100" },
  });
}, 240_000);

afterAll(async () => {
  await site?.stop();
});

async function newReader(opts: { key?: `0x${string}`; policy?: SpendingPolicy } = {}) {
  const funded = opts.key
    ? { key: opts.key, address: privateKeyToAccount(opts.key).address }
    : await site.fundedAccount(20n * USD, 0n);
  const events: PayerEvent[] = [];
  const store = memoryChannelStore();
  const payer = createPayer({
    account: privateKeyToAccount(funded.key),
    publicClient: site.publicClient,
    store,
    policy: { confirmationTimeoutMs: 30_000, maxDeposit: 5n * USD, ...opts.policy },
    pollingIntervalMs: 200,
    onEvent: (e) => events.push(e),
  });
  const client = new x402Client()
    .register("eip155:*", rdnChannel(payer, { retryDelayMs: 1000 }))
    .setSpendControls({
      allowedAssets: [
        { network: `eip155:${site.deployment.chainId}`, asset: site.deployment.token },
      ],
    });
  const paidFetch = wrapFetchWithPayment(fetch, client);
  return { ...funded, payer, store, events, client, paidFetch };
}

/** The site's record of a channel (operator API). */
async function siteChannel(sender: Address, openBlock: number) {
  const res = await fetch(`${site.url}/api/1/channels/${sender}/${openBlock}`, {
    headers: { authorization: `Bearer ${site.serverEnv.API_TOKEN}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { balance: string; deposit: string };
}

/** One-off (x402 exact) sales in the site's database. */
async function oneOffCount(): Promise<number> {
  for (const [name, value] of Object.entries(site.serverEnv)) process.env[name] = value;
  resetEnv();
  return db().oneOffPayment.count();
}

describe("rdn-channel through a stock x402 client", () => {
  let reader: Awaited<ReturnType<typeof newReader>>;

  it("pays 20 calls over one relayed channel with 0 ETH; the site's balance is their sum", async () => {
    reader = await newReader();
    for (let i = 0; i < 20; i++) {
      const res = await reader.paidFetch(`${site.url}/api/echo/fix/call-${i}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ echo: `call-${i}` });
      const settle = decodePaymentResponseHeader(res.headers.get("payment-response")!);
      expect(settle).toMatchObject({
        success: true,
        network: `eip155:${site.deployment.chainId}`,
        payer: reader.address,
        transaction: "",
        amount: PRICE.toString(),
      });
      expect(settle.extra?.balance).toBe(((BigInt(i) + 1n) * PRICE).toString());
    }
    const created = await channelsCreatedBy(site, reader.address);
    expect(created).toHaveLength(1);
    expect(await site.publicClient.getBalance({ address: reader.address })).toBe(0n);
    expect(reader.events.find((e) => e.type === "channel-opened")).toMatchObject({ via: "relay" });
    const [channel] = await reader.payer.channels();
    expect(channel!.balance).toBe(20n * PRICE);
    const onSite = await siteChannel(reader.address, channel!.openBlock);
    expect(BigInt(onSite.balance)).toBe(20n * PRICE);
    expect(reader.payer.spent()).toBe(20n * PRICE);
  });

  it("continues from the site's proof in extra.channel after losing its store", async () => {
    // maxPrice = the price: the first proof (on the balance it lost) is given back when the site
    // shows its higher one, so the corrected payment still fits.
    const again = await newReader({ key: reader.key, policy: { maxPrice: PRICE } });
    const res = await again.paidFetch(`${site.url}/api/echo/fix/after-loss`);
    expect(res.status).toBe(200);
    expect(again.events.some((e) => e.type === "adopted-server-balance")).toBe(true);
    const [channel] = await again.payer.channels();
    expect(channel!.balance).toBe(21n * PRICE);
    expect(again.payer.spent()).toBe(PRICE);
    expect(BigInt((await siteChannel(reader.address, channel!.openBlock)).balance)).toBe(
      21n * PRICE,
    );
    expect(await channelsCreatedBy(site, reader.address)).toHaveLength(1);
  });

  it("refuses hostile requirements without signing: another payTo, a price over maxPrice", async () => {
    const guarded = await newReader({ key: reader.key, policy: { maxPrice: 100n } });
    // Pin the site's receiver for its origin with one honest payment.
    expect((await guarded.paidFetch(`${site.url}/api/echo/fix/pin`)).status).toBe(200);
    const signedBefore = guarded.events.filter((e) => e.type === "signed").length;
    const spentBefore = guarded.payer.spent();
    const identity = {
      receiver: site.receiver,
      contract: site.deployment.contract,
      token: site.deployment.token,
      chainId: site.deployment.chainId,
    };
    const offer = (over: Partial<typeof identity>, price: bigint): PaymentRequired => ({
      x402Version: 2,
      resource: { url: `${site.url}/api/echo/fix/hostile` },
      accepts: [
        rdnChannelAccepts({
          identity: { ...identity, ...over },
          price,
          challengePeriod: site.deployment.challengePeriod,
        }),
      ],
    });
    const other = privateKeyToAccount(`0x${"42".repeat(32)}`).address;
    const refusals = [
      offer({ receiver: other }, PRICE),
      offer({ contract: other }, PRICE),
      offer({}, 101n),
    ];
    for (const paymentRequired of refusals) {
      const err = await guarded.client.createPaymentPayload(paymentRequired).catch((e) => e);
      expect(isPayerError(err)).toBe(true);
      expect(["foreign-contract", "over-policy"]).toContain(err.code);
    }
    expect(guarded.events.filter((e) => e.type === "signed").length).toBe(signedBefore);
    expect(guarded.payer.spent()).toBe(spentBefore);
  });

  it("pays an article page (proxy.ts) on the same channel", async () => {
    const res = await reader.paidFetch(`${site.url}/articles/why-payment-channels`);
    expect(res.status).toBe(200);
    const settle = decodePaymentResponseHeader(res.headers.get("payment-response")!);
    expect(settle).toMatchObject({ success: true, payer: reader.address, transaction: "" });
    const price = BigInt(settle.amount!);
    expect(price).toBeGreaterThan(0n);
    const [channel] = await reader.payer.channels();
    expect(BigInt(settle.extra!.balance as string)).toBe(channel!.balance);
    expect(BigInt((await siteChannel(reader.address, channel!.openBlock)).balance)).toBe(
      channel!.balance,
    );
    expect(await channelsCreatedBy(site, reader.address)).toHaveLength(1);
  });

  it("with exact registered too, pays through the channel: no one-off transfer", async () => {
    const both = await newReader();
    registerExactEvmScheme(both.client, { signer: privateKeyToAccount(both.key) });
    const oneOffBefore = await oneOffCount();
    const receiverBefore = await tokenBalance(site, site.receiver);
    for (let i = 0; i < 3; i++) {
      const res = await both.paidFetch(`${site.url}/api/echo/fix/both-${i}`);
      expect(res.status).toBe(200);
      const settle = decodePaymentResponseHeader(res.headers.get("payment-response")!);
      expect(settle).toMatchObject({ transaction: "", extra: { scheme: "rdn-channel" } });
    }
    expect(await channelsCreatedBy(site, both.address)).toHaveLength(1);
    // The deposit went to the contract; nothing was transferred to the receiver, no one-off sale.
    expect(await tokenBalance(site, site.receiver)).toBe(receiverBefore);
    expect(await oneOffCount()).toBe(oneOffBefore);
    const [channel] = await both.payer.channels();
    expect(channel!.balance).toBe(3n * PRICE);
  });

  it("answers a malformed PAYMENT-SIGNATURE with 400 naming the header", async () => {
    const res = await fetch(`${site.url}/api/echo/fix/bad`, {
      headers: { "PAYMENT-SIGNATURE": "not base64 json!" },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ header: "PAYMENT-SIGNATURE" });
  });
});

describe("paychan get --protocol x402", () => {
  let dir: string;
  let proxy: Server;
  let proxyUrl: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "x402-cli-"));
    // A site that speaks only RDN-*: the real one behind a proxy that strips the envelope.
    proxy = createServer(async (inReq, outRes) => {
      const chunks: Buffer[] = [];
      for await (const chunk of inReq) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, value] of Object.entries(inReq.headers)) {
        if (name !== "host" && name !== "connection" && typeof value === "string")
          headers.set(name, value);
      }
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      const res = await fetch(`${site.url}${inReq.url}`, {
        method: inReq.method,
        headers,
        body,
        redirect: "manual",
      });
      const out: Record<string, string> = {};
      res.headers.forEach((value, name) => {
        if (!["content-encoding", "content-length", "payment-required"].includes(name))
          out[name] = value;
      });
      outRes.writeHead(res.status, out);
      outRes.end(Buffer.from(await res.arrayBuffer()));
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => proxy?.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function cli(name: string) {
    const { key, address } = await site.fundedAccount(20n * USD, 0n);
    const keyFile = path.join(dir, `${name}.key`);
    writeFileSync(keyFile, key, { mode: 0o600 });
    const state = path.join(dir, `${name}.json`);
    const run = (args: string[]) =>
      runCli(
        ["--rpc-url", site.rpcUrl, "--key-file", keyFile, "--state", state, ...args],
        path.join(dir, "xdg"),
      );
    return { address, run };
  }

  it("pays the site's rdn-channel offer through @x402/fetch, one relayed channel", async () => {
    const { address, run } = await cli("x402");
    for (const word of ["one", "two"]) {
      const r = await run([
        "get",
        "--protocol",
        "x402",
        "--deposit",
        "2",
        `${site.url}/api/echo/fix/${word}`,
      ]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ echo: word });
    }
    const created = await channelsCreatedBy(site, address);
    expect(created).toHaveLength(1);
    const onSite = await siteChannel(address, Number(created[0]!.args.openBlockNumber));
    expect(BigInt(onSite.balance)).toBe(2n * PRICE);
  });

  it("refuses a price over --max-price before signing (exit 2)", async () => {
    const { run } = await cli("x402-limit");
    const r = await run([
      "get",
      "--protocol",
      "x402",
      "--max-price",
      "0.000004",
      `${site.url}/api/echo/fix/dear`,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/max/i);
  });

  it("says so when the 402 carries no x402 offer (exit 2)", async () => {
    const { run } = await cli("x402-none");
    const r = await run(["get", "--protocol", "x402", `${proxyUrl}/api/echo/fix/plain`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--protocol rdn");
  });
});
