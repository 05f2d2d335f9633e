/**
 * Channels on a browser-test anvil, opened as a reader's wallet would: the deployer (anvil account
 * 0, which holds the demo token supply) funds the reader, who approves the channel contract and
 * opens channels to the receiver.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createPublicClient,
  createWalletClient,
  http,
  type Address,
  type Hex,
  type PrivateKeyAccount,
} from "viem";
import type { BrowserContext, Page } from "@playwright/test";
import { e2eState, RECEIVER, TOKEN } from "./wallet-flow";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { demoTokenAbi, microTransferChannelsAbi } from "@/lib/chain/abi";
import { ANVIL_KEYS } from "../../scripts/lib/anvil-keys";

/**
 * Sends `reader` `funds` tokens from the deployer, approves the sum of `deposits` once, then opens
 * one channel per deposit, one after another. Returns their open blocks; throws when a
 * transaction reverts.
 */
export async function fundAndOpenChannels(opts: {
  rpcUrl: string;
  deployment: { token: Address; contract: Address };
  receiver: Address;
  reader: PrivateKeyAccount;
  funds: bigint;
  deposits: bigint[];
  /** The channels' signer (a session key); default the reader. */
  signer?: Address;
}): Promise<number[]> {
  const { rpcUrl, deployment, reader } = opts;
  const chain = { ...foundry, rpcUrls: { default: { http: [rpcUrl] } } };
  const publicClient = createPublicClient({ chain, transport: http(rpcUrl) });
  const wallet = (account: PrivateKeyAccount) =>
    createWalletClient({ chain, transport: http(rpcUrl), account });
  const wait = async (hash: Hex) => {
    const r = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    if (r.status !== "success") throw new Error(`transaction ${hash} reverted`);
    return r;
  };
  await wait(
    await wallet(privateKeyToAccount(ANVIL_KEYS[0]!)).writeContract({
      address: deployment.token,
      abi: demoTokenAbi,
      functionName: "transfer",
      args: [reader.address, opts.funds],
    }),
  );
  const w = wallet(reader);
  await wait(
    await w.writeContract({
      address: deployment.token,
      abi: demoTokenAbi,
      functionName: "approve",
      args: [deployment.contract, opts.deposits.reduce((a, b) => a + b, 0n)],
    }),
  );
  const openBlocks: number[] = [];
  for (const deposit of opts.deposits) {
    const receipt = await wait(
      await w.writeContract({
        address: deployment.contract,
        abi: microTransferChannelsAbi,
        functionName: "createChannel",
        args: [opts.receiver, deposit, opts.signer ?? "0x0000000000000000000000000000000000000000"],
      }),
    );
    openBlocks.push(Number(receipt.blockNumber));
  }
  return openBlocks;
}

/** A reader whose auto-pay this browser holds: a new account, its session key and channel. */
export interface AutoPayReader {
  sender: Address;
  sessionKey: Address;
  openBlock: number;
}

/**
 * Makes a new reader with an auto-pay channel, as the paywall's open form leaves it: the account
 * gets ETH and tokens, opens a channel of `deposit` whose signer is a new session key, and the
 * browser context's IndexedDB (the site's origin, `baseURL`) holds the channel, the session key
 * and an enabled auto-pay setting with `maxPerArticle` and `cap` (base units).
 */
export async function seedAutoPayReader(
  page: Page,
  opts: {
    rpcUrl: string;
    baseURL: string;
    deployment: { token: Address; contract: Address; chainId: number };
    receiver: Address;
    deposit: bigint;
    maxPerArticle: bigint;
    cap: bigint;
  },
): Promise<AutoPayReader> {
  const reader = privateKeyToAccount(generatePrivateKey());
  const sessionKey = generatePrivateKey();
  const session = privateKeyToAccount(sessionKey);
  const chain = { ...foundry, rpcUrls: { default: { http: [opts.rpcUrl] } } };
  const publicClient = createPublicClient({ chain, transport: http(opts.rpcUrl) });
  const hash = await createWalletClient({
    chain,
    transport: http(opts.rpcUrl),
    account: privateKeyToAccount(ANVIL_KEYS[0]!),
  }).sendTransaction({ to: reader.address, value: 10n ** 18n });
  await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  const [openBlock] = (await fundAndOpenChannels({
    rpcUrl: opts.rpcUrl,
    deployment: opts.deployment,
    receiver: opts.receiver,
    reader,
    funds: opts.deposit,
    deposits: [opts.deposit],
    signer: session.address,
  })) as [number];
  const { chainId, contract, token } = opts.deployment;
  const channel = {
    siteOrigin: new URL(opts.baseURL).origin,
    chainId,
    contract,
    token,
    receiver: opts.receiver,
    sender: reader.address,
    signer: session.address,
    openBlock,
    deposit: opts.deposit.toString(),
    balance: "0",
    signature: null,
    state: "open",
    key: `${chainId}:${contract}:${reader.address}:${opts.receiver}:${openBlock}`.toLowerCase(),
  };
  const key = {
    address: session.address,
    privateKey: sessionKey,
    sender: reader.address,
    createdAt: Date.now(),
  };
  const autopay = {
    key: `${chainId}:${contract}:${reader.address}`.toLowerCase(),
    chainId,
    contract,
    sender: reader.address,
    mode: "auto",
    maxPerArticle: opts.maxPerArticle.toString(),
    cap: opts.cap.toString(),
    spent: "0",
    enabled: true,
    updatedAt: Date.now(),
  };
  if (new URL(page.url()).origin !== new URL(opts.baseURL).origin) await page.goto("/");
  await page.evaluate(
    ({ channel, key, autopay }) =>
      new Promise<void>((resolve, reject) => {
        // The schema of lib/browser/idb.ts (version 1).
        const req = indexedDB.open("paychan", 1);
        req.onupgradeneeded = () => {
          const db = req.result;
          db.createObjectStore("channels", { keyPath: "key" });
          db.createObjectStore("sessionKeys", { keyPath: "address" });
          db.createObjectStore("autopay", { keyPath: "key" });
          db.createObjectStore("history", { keyPath: "id", autoIncrement: true });
        };
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          const tx = db.transaction(["channels", "sessionKeys", "autopay"], "readwrite");
          tx.objectStore("channels").put(channel);
          tx.objectStore("sessionKeys").put(key);
          tx.objectStore("autopay").put(autopay);
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    { channel, key, autopay },
  );
  return { sender: reader.address, sessionKey: session.address, openBlock };
}

/** The auto-pay setting's spent sum (base units) as this browser's IndexedDB holds it. */
export async function autoPaySpent(page: Page): Promise<bigint> {
  const spent = await page.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const req = indexedDB.open("paychan", 1);
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          const all = db.transaction("autopay").objectStore("autopay").getAll();
          all.onsuccess = () => {
            db.close();
            const rows = all.result as { spent: string }[];
            resolve(rows.reduce((sum, r) => (BigInt(sum) + BigInt(r.spent)).toString(), "0"));
          };
          all.onerror = () => reject(all.error);
        };
      }),
  );
  return BigInt(spent);
}

/** Serves `html` on another origin (`localhost` rather than the site's 127.0.0.1: cross-site). */
export async function thirdPartyPage(
  html: string,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(html);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/`,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * A new page of `context` whose reader has an auto-pay channel of 10 tokens
 * ({@link seedAutoPayReader}) with `limits`.
 */
export async function autoPayReaderPage(
  context: BrowserContext,
  baseURL: string,
  limits: { maxPerArticle: bigint; cap: bigint },
): Promise<Page> {
  const { rpcUrl, deployment } = e2eState();
  const page = await context.newPage();
  await page.goto("/");
  await seedAutoPayReader(page, {
    rpcUrl,
    baseURL,
    deployment,
    receiver: RECEIVER,
    deposit: 10n * TOKEN,
    ...limits,
  });
  return page;
}
