/**
 * The payer core against the real site: anvil (a block a second), the contracts, SQLite and the
 * production build under `next start`, with the indexer running and CONFIRMATIONS=1, so every new
 * channel and top-up goes through the site's "not seen yet / not confirmed yet" answers.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWalletClient, custom, http, parseAbiItem, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { demoTokenAbi, microTransferChannelsAbi } from "@/lib/chain/abi";
import { buildChain } from "@/lib/chain/chain";
import { ANVIL_KEYS } from "../../../scripts/lib/anvil-keys";
import { jsonFileChannelStore } from "@/lib/client/file-store";
import { channelDomain, signBalanceProof } from "@/lib/protocol";
import {
  createPayer,
  createPayingFetch,
  memoryChannelStore,
  PayerError,
  type PayerChannelStore,
  type PayerEvent,
  type SpendingPolicy,
} from "@/lib/protocol/client";
import { seedArticles, seedPrice } from "@/prisma/seed-data";
import { startSiteServer, tokenBalance, type SiteServer } from "../../helpers/site-server";

const TOKEN = 10n ** 18n;
let site: SiteServer;
let dir: string;

beforeAll(async () => {
  site = await startSiteServer();
  dir = mkdtempSync(path.join(os.tmpdir(), "payer-it-"));
}, 180_000);

afterAll(async () => {
  await site?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A payer for a new funded account; its events are recorded. */
async function newPayer(
  opts: { store?: PayerChannelStore; policy?: SpendingPolicy; key?: Hex; tokens?: bigint } = {},
) {
  const key = opts.key ?? (await site.fundedAccount(opts.tokens ?? 100n * TOKEN)).key;
  const events: PayerEvent[] = [];
  const store = opts.store ?? memoryChannelStore();
  const payer = createPayer({
    account: privateKeyToAccount(key),
    publicClient: site.publicClient,
    store,
    policy: { confirmationTimeoutMs: 30_000, ...opts.policy },
    pollingIntervalMs: 200,
    onEvent: (e) => events.push(e),
  });
  return { payer, events, key, store, address: payer.address };
}

const types = (events: PayerEvent[]) => events.map((e) => e.type);

async function onChainDeposit(sender: Address, openBlock: number): Promise<bigint> {
  const info = await site.publicClient.readContract({
    address: site.deployment.contract,
    abi: microTransferChannelsAbi,
    functionName: "getChannelInfo",
    args: [sender, site.receiver, openBlock],
  });
  return info[1];
}

async function logsOf(event: string, sender: Address) {
  return site.publicClient.getLogs({
    address: site.deployment.contract,
    event: parseAbiItem(event) as never,
    args: { sender } as never,
    fromBlock: 0n,
  });
}

describe("payer.fetch", () => {
  it("pays a fixed-price route, a dynamic route and an article, opening one channel", async () => {
    const { payer, events, address } = await newPayer();
    const fix = await payer.fetch(`${site.url}/api/echo/fix/hello`);
    expect(fix.status).toBe(200);
    expect(await fix.text()).toContain("hello");
    // The new channel was not confirmed (or not indexed) at first: the payer waited for the site.
    expect(types(events)).toContain("channel-opened");
    expect(
      types(events).some((t) => t === "waiting-confirmations" || t === "waiting-for-site"),
    ).toBe(true);
    const opened = events.find((e) => e.type === "channel-opened");
    expect(opened?.type === "channel-opened" && opened.permit).toBe(true);

    const dyn = await payer.fetch(`${site.url}/api/echo/dyn/13`);
    expect(dyn.status).toBe(200);
    const article = seedArticles[0]!;
    const page = await payer.fetch(`${site.url}/articles/${article.slug}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(article.body.split("\n\n")[0]!.slice(0, 40));

    const [channel, ...others] = await payer.channels();
    expect(others).toEqual([]);
    const price = BigInt(seedPrice(article.cents, 18));
    expect(channel!.balance).toBe(5n + 13n + price);
    expect(payer.spent()).toBe(5n + 13n + price);
    // The first deposit (10 × 5) did not cover the article: it was topped up on chain.
    expect(channel!.deposit).toBe(await onChainDeposit(address, channel!.openBlock));
    expect(channel!.deposit).toBeGreaterThanOrEqual(channel!.balance);
    expect(await logsOf(CREATED, address)).toHaveLength(1);
    expect(types(events).filter((t) => t === "paid")).toHaveLength(3);
  });

  it("pays through a JSON-RPC wallet (eth_signTypedData_v4, eth_sendTransaction), as a browser wallet does", async () => {
    // anvil's account 7 is unlocked on the node: the payer holds no key, the node signs.
    const wallet = privateKeyToAccount(ANVIL_KEYS[7]!).address;
    const chain = buildChain(site.deployment.chainId, site.rpcUrl);
    const deployer = createWalletClient({
      chain,
      transport: http(site.rpcUrl),
      account: privateKeyToAccount(ANVIL_KEYS[0]!),
    });
    await site.publicClient.waitForTransactionReceipt({
      hash: await deployer.writeContract({
        address: site.deployment.token,
        abi: demoTokenAbi,
        functionName: "transfer",
        args: [wallet, 10n * TOKEN],
      }),
    });
    const requests: string[] = [];
    const walletClient = createWalletClient({
      chain,
      account: wallet,
      transport: custom({
        async request({ method, params }) {
          requests.push(method);
          const res = await fetch(site.rpcUrl, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
          });
          const body = (await res.json()) as { result?: unknown; error?: { message: string } };
          if (body.error) throw new Error(body.error.message);
          return body.result;
        },
      }),
    });
    const payer = createPayer({
      account: wallet,
      walletClient,
      publicClient: site.publicClient,
      store: memoryChannelStore(),
      policy: { confirmationTimeoutMs: 30_000 },
      pollingIntervalMs: 200,
    });
    const res = await payer.fetch(`${site.url}/api/echo/fix/wallet`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("wallet");
    const [channel] = await payer.channels();
    expect(channel).toMatchObject({ sender: wallet, signer: wallet, balance: 5n });
    expect(await logsOf(CREATED, wallet)).toHaveLength(1);
    // Every signature and transaction went through the wallet's JSON-RPC methods.
    expect(requests).toContain("eth_signTypedData_v4");
    expect(requests).toContain("eth_sendTransaction");
  });

  it("createPayingFetch is a fetch that pays", async () => {
    const { key } = await site.fundedAccount(10n * TOKEN);
    const paidFetch = createPayingFetch({
      account: privateKeyToAccount(key),
      publicClient: site.publicClient,
      store: memoryChannelStore(),
      policy: { confirmationTimeoutMs: 30_000 },
      pollingIntervalMs: 200,
    });
    const res = await paidFetch(`${site.url}/api/echo/fix/plain`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ echo: "plain" });
  });

  it("a second payer with the same file store reuses the channel", async () => {
    const file = path.join(dir, "reuse", "channels.json");
    const first = await newPayer({ store: jsonFileChannelStore(file) });
    expect((await first.payer.fetch(`${site.url}/api/echo/fix/one`)).status).toBe(200);
    const second = await newPayer({ store: jsonFileChannelStore(file), key: first.key });
    const res = await second.payer.fetch(`${site.url}/api/echo/fix/two`);
    expect(res.status).toBe(200);
    expect(types(second.events)).not.toContain("opening-channel");
    expect(await logsOf(CREATED, first.address)).toHaveLength(1);
    const [channel] = await jsonFileChannelStore(file).list();
    expect(channel!.balance).toBe(10n);
  });

  it("tops up a channel whose deposit is too small", async () => {
    const { payer, events, address } = await newPayer({ policy: { depositMultiple: 1n } });
    expect((await payer.fetch(`${site.url}/api/echo/fix/a`)).status).toBe(200);
    expect((await payer.channels())[0]!.deposit).toBe(5n);
    expect((await payer.fetch(`${site.url}/api/echo/fix/b`)).status).toBe(200);
    const [channel] = await payer.channels();
    expect(types(events)).toContain("topped-up");
    expect(channel!.deposit).toBe(10n);
    expect(channel!.balance).toBe(10n);
    expect(await onChainDeposit(address, channel!.openBlock)).toBe(10n);
    expect(await logsOf(TOPPED_UP, address)).toHaveLength(1);
    expect(await logsOf(CREATED, address)).toHaveLength(1);
  });

  it("resumes from the site's last proof when its local state was lost", async () => {
    const file = path.join(dir, "lost", "channels.json");
    const backup = `${file}.backup`;
    const { payer, key } = await newPayer({ store: jsonFileChannelStore(file) });
    expect((await payer.fetch(`${site.url}/api/echo/fix/a`)).status).toBe(200);
    copyFileSync(file, backup); // balance 5
    expect((await payer.fetch(`${site.url}/api/echo/fix/b`)).status).toBe(200); // 10

    // Stale by one payment: the proof for 10 repeats the site's balance → a plain 402 with it.
    copyFileSync(backup, file);
    const one = await newPayer({ store: jsonFileChannelStore(file), key });
    expect((await one.payer.fetch(`${site.url}/api/echo/fix/c`)).status).toBe(200);
    expect(one.events).toContainEqual(
      expect.objectContaining({ type: "adopted-server-balance", from: 5n, to: 10n }),
    );
    expect(one.events).toContainEqual(
      expect.objectContaining({ type: "payment-required", reason: "payment-required" }),
    );
    expect((await one.payer.fetch(`${site.url}/api/echo/fix/d`)).status).toBe(200); // 20

    // Stale by three payments: RDN-Invalid-Amount with the site's proof.
    copyFileSync(backup, file);
    const two = await newPayer({ store: jsonFileChannelStore(file), key });
    expect((await two.payer.fetch(`${site.url}/api/echo/fix/e`)).status).toBe(200);
    expect(two.events).toContainEqual(
      expect.objectContaining({ type: "payment-required", reason: "invalid-amount" }),
    );
    expect(two.events).toContainEqual(
      expect.objectContaining({ type: "adopted-server-balance", from: 5n, to: 20n }),
    );
    expect((await jsonFileChannelStore(file).list())[0]!.balance).toBe(25n);
  });

  it("rejects a tampered corrective proof", async () => {
    const file = path.join(dir, "tampered", "channels.json");
    const backup = `${file}.backup`;
    const { payer, key, address } = await newPayer({ store: jsonFileChannelStore(file) });
    expect((await payer.fetch(`${site.url}/api/echo/fix/a`)).status).toBe(200);
    copyFileSync(file, backup);
    expect((await payer.fetch(`${site.url}/api/echo/fix/b`)).status).toBe(200);
    const [channel] = await payer.channels();
    const sign = (balance: bigint) =>
      signBalanceProof({
        account: privateKeyToAccount(key),
        domain: channelDomain({
          chainId: site.deployment.chainId,
          contract: site.deployment.contract,
        }),
        message: {
          sender: address,
          receiver: site.receiver,
          openBlockNumber: channel!.openBlock,
          balance,
        },
      });
    const cases: Array<[string, (h: Headers) => Promise<void>, RegExp]> = [
      [
        "a balance its signature is not for",
        async (h) =>
          h.set("RDN-Sender-Balance", String(BigInt(h.get("RDN-Sender-Balance")!) + 1000n)),
        /not by the channel's signer/,
      ],
      [
        "our own signature above the deposit",
        async (h) => {
          const balance = channel!.deposit + 5n;
          h.set("RDN-Sender-Balance", String(balance));
          h.set("RDN-Balance-Signature", await sign(balance));
        },
        /exceeds the deposit/,
      ],
    ];
    for (const [name, rewrite, message] of cases) {
      const proxy = await rewritingProxy(site.url, rewrite);
      try {
        copyFileSync(backup, file);
        const victim = await newPayer({ store: jsonFileChannelStore(file), key });
        const err = await victim.payer
          .fetch(`${proxy.url}/api/echo/fix/c`)
          .catch((e: unknown) => e);
        expect(err, name).toBeInstanceOf(PayerError);
        expect((err as PayerError).code, name).toBe("tampered-proof");
        expect((err as PayerError).message, name).toMatch(message);
        // Nothing was adopted.
        expect((await jsonFileChannelStore(file).list())[0]!.balance, name).toBe(5n);
      } finally {
        await proxy.close();
      }
    }
  });

  it("refuses what the policy forbids without any transaction", async () => {
    const cases: Array<[string, SpendingPolicy, string, number]> = [
      ["price above maxPrice", { maxPrice: 4n }, "/api/echo/fix/x", 0],
      ["over the budget on the second payment", { budget: 7n }, "/api/echo/fix/y", 1],
    ];
    for (const [name, policy, route, paidFirst] of cases) {
      const { payer, address } = await newPayer({ policy });
      for (let i = 0; i < paidFirst; i++) {
        expect((await payer.fetch(`${site.url}${route}-${i}`)).status, name).toBe(200);
      }
      const nonce = await site.publicClient.getTransactionCount({ address });
      const err = await payer.fetch(`${site.url}${route}`).catch((e: unknown) => e);
      expect((err as PayerError).code, name).toBe("over-policy");
      expect(await site.publicClient.getTransactionCount({ address }), name).toBe(nonce);
      expect(payer.spent(), name).toBe(BigInt(paidFirst) * 5n);
      if (paidFirst === 0) expect(nonce, name).toBe(0);
    }
  });

  it("refuses a site on a contract it does not trust", async () => {
    const key = (await site.fundedAccount(10n * TOKEN)).key;
    const payer = createPayer({
      account: privateKeyToAccount(key),
      publicClient: site.publicClient,
      store: memoryChannelStore(),
      contract: site.deployment.token, // any other address
    });
    const err = await payer.fetch(`${site.url}/api/echo/fix/x`).catch((e: unknown) => e);
    expect((err as PayerError).code).toBe("foreign-contract");
  });

  it("reports missing tokens before sending anything", async () => {
    const { payer, address } = await newPayer({ tokens: 1n });
    const err = await payer.fetch(`${site.url}/api/echo/fix/x`).catch((e: unknown) => e);
    expect((err as PayerError).code).toBe("no-tokens");
    expect(await site.publicClient.getTransactionCount({ address })).toBe(0);
  });
});

describe("close and settle", () => {
  it("closes cooperatively and pays out exactly", async () => {
    const { payer, address } = await newPayer();
    expect((await payer.fetch(`${site.url}/api/echo/fix/a`)).status).toBe(200);
    expect((await payer.fetch(`${site.url}/api/echo/dyn/13`)).status).toBe(200);
    const [channel] = await payer.channels();
    const [senderBefore, receiverBefore] = await Promise.all([
      tokenBalance(site, address),
      tokenBalance(site, site.receiver),
    ]);
    const result = await payer.close(channel!, { siteOrigin: site.url });
    expect(result.cooperative).toBe(true);
    expect(result.channel.state).toBe("settled");
    expect(await tokenBalance(site, site.receiver)).toBe(receiverBefore + 18n);
    expect(await tokenBalance(site, address)).toBe(senderBefore + channel!.deposit - 18n);
    expect((await payer.channels())[0]!.state).toBe("settled");
  });

  it("closes uncooperatively when the site refuses, then settles after the challenge period", async () => {
    const { payer, address } = await newPayer();
    expect((await payer.fetch(`${site.url}/api/echo/fix/a`)).status).toBe(200);
    const [channel] = await payer.channels();
    const refusing = await refusingServer();
    let result;
    try {
      result = await payer.close(channel!, { siteOrigin: refusing.url });
    } finally {
      await refusing.close();
    }
    expect(result.cooperative).toBe(false);
    expect(result.refusal).toMatch(/refused to close \(403\)/);
    expect(result.channel.state).toBe("closing");
    expect(result.channel.settleBlock).toBeGreaterThan(channel!.openBlock);

    const early = await payer.settle(result.channel).catch((e: unknown) => e);
    expect((early as PayerError).code).toBe("challenge-period");

    const [senderBefore, receiverBefore] = await Promise.all([
      tokenBalance(site, address),
      tokenBalance(site, site.receiver),
    ]);
    await site.testClient.mine({ blocks: site.deployment.challengePeriod + 1 });
    const settled = await payer.settle(result.channel);
    expect(settled.state).toBe("settled");
    expect(await tokenBalance(site, site.receiver)).toBe(receiverBefore + 5n);
    expect(await tokenBalance(site, address)).toBe(senderBefore + channel!.deposit - 5n);
    expect(await logsOf(SETTLED, address)).toHaveLength(1);
  });
});

const CREATED =
  "event ChannelCreated(address indexed sender, address indexed receiver, uint32 indexed openBlockNumber, uint192 deposit, address signer)";
const TOPPED_UP =
  "event ChannelToppedUp(address indexed sender, address indexed receiver, uint32 indexed openBlockNumber, uint192 addedDeposit)";
const SETTLED =
  "event ChannelSettled(address indexed sender, address indexed receiver, uint32 indexed openBlockNumber, uint192 balance, uint192 receiverTokens)";

/** A local HTTP stand-in for the site that rewrites the RDN headers of its 402s. */
async function rewritingProxy(target: string, rewrite: (h: Headers) => Promise<void>) {
  const server = createServer(async (req, res) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === "string" && k !== "host" && k !== "connection") headers.set(k, v);
    }
    const upstream = await fetch(`${target}${req.url}`, { method: req.method, headers });
    const out = new Headers(upstream.headers);
    if (upstream.status === 402 && out.get("RDN-Sender-Balance")) await rewrite(out);
    out.delete("content-encoding");
    out.delete("content-length");
    out.delete("transfer-encoding");
    res.writeHead(upstream.status, Object.fromEntries(out));
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  return listen(server);
}

/** A site that refuses every close request (403). */
function refusingServer() {
  return listen(
    createServer((_req, res) => {
      res.writeHead(403, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "forbidden: closes are refused here" }));
    }),
  );
}

async function listen(server: Server) {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
