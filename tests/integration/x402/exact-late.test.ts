/**
 * An x402 `exact` transfer mined after its request gave up (X402_EXACT_WAIT_SECONDS): the payer
 * paid and got a 402 naming the transaction. The leader records the transfer once it is mined, as
 * not delivered; the payer's same PAYMENT-SIGNATURE is then served once, for the same resource,
 * without a second transfer, and any later replay buys nothing. Real site, real anvil (its
 * block interval turned off to hold the transfer in the mempool).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { x402Client } from "@x402/core/client";
import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
} from "@x402/core/http";
import { registerExactEvmScheme } from "@x402/evm/exact/client";
import type { Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { db } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { startSiteServer, tokenBalance, type SiteServer } from "../../helpers/site-server";

const USD = 1_000_000n;
const PRICE = 5n; // /api/echo/fix/:param
let site: SiteServer;
let payer: Address;
let header: string;

beforeAll(async () => {
  site = await startSiteServer({
    demoToken: "DemoDollar",
    env: { X402_EXACT_WAIT_SECONDS: "2" },
  });
  for (const [name, value] of Object.entries(site.serverEnv)) process.env[name] = value;
  resetEnv();
  const { key, address } = await site.fundedAccount(1n * USD, 0n);
  payer = address;
  const client = new x402Client();
  registerExactEvmScheme(client, { signer: privateKeyToAccount(key) });
  client.setSpendControls({ allowedAssets: true });
  const res = await fetch(url("/api/echo/fix/late"));
  expect(res.status).toBe(402);
  const required = decodePaymentRequiredHeader(res.headers.get("PAYMENT-REQUIRED")!);
  header = encodePaymentSignatureHeader(await client.createPaymentPayload(required));
}, 240_000);

afterAll(async () => {
  await site?.testClient.setIntervalMining({ interval: 1 }).catch(() => undefined);
  await site?.stop();
});

function url(path: string): string {
  return new URL(path, site.url).toString();
}

async function send(path: string): Promise<Response> {
  return fetch(url(path), { headers: { "PAYMENT-SIGNATURE": header } });
}

function errorOf(res: Response): string {
  return decodePaymentRequiredHeader(res.headers.get("PAYMENT-REQUIRED")!).error ?? "";
}

const balances = async () => ({
  payer: await tokenBalance(site, payer),
  receiver: await tokenBalance(site, site.receiver),
});

it("records a transfer mined late, serves its payer once, and refuses every replay", async () => {
  const before = await balances();
  // The site's anvil mines a block a second: stop it, to hold the transfer in the mempool.
  await site.testClient.setIntervalMining({ interval: 0 });

  const first = await send("/api/echo/fix/late");
  expect(first.status).toBe(402);
  expect(errorOf(first)).toMatch(/settlement_pending/);
  const hash = /transaction (0x[0-9a-f]{64})/.exec(errorOf(first))?.[1];
  expect(hash).toBeDefined();
  expect(await balances()).toEqual(before);

  // While it waits in the mempool the same signature sends nothing more.
  const again = await send("/api/echo/fix/late");
  expect(again.status).toBe(402);
  expect(errorOf(again)).toContain(hash!);

  await site.testClient.mine({ blocks: 1 });
  await site.testClient.setIntervalMining({ interval: 1 });
  const receipt = await site.publicClient.getTransactionReceipt({ hash: hash as `0x${string}` });
  expect(receipt.status).toBe("success");
  const after = await balances();
  expect(before.payer - after.payer).toBe(PRICE);
  expect(after.receiver - before.receiver).toBe(PRICE);

  // The leader records it once mined, as not delivered.
  let row = null;
  for (let i = 0; i < 100 && !row; i++) {
    row = await db().oneOffPayment.findUnique({ where: { txHash: hash! } });
    if (!row) await new Promise((r) => setTimeout(r, 100));
  }
  expect(row).toMatchObject({ resource: "echo:fix:late", delivered: false, payer });
  expect(BigInt(row!.gasUsed)).toBeGreaterThan(21_000n);

  // Not for another resource.
  const elsewhere = await send("/api/echo/fix/elsewhere");
  expect(elsewhere.status).toBe(402);
  expect(errorOf(elsewhere)).toMatch(/nonce_already_used/);

  // Served once, naming the same transaction, with no second transfer.
  const served = await send("/api/echo/fix/late");
  expect(served.status).toBe(200);
  expect(await served.json()).toEqual({ echo: "late" });
  expect(decodePaymentResponseHeader(served.headers.get("PAYMENT-RESPONSE")!)).toMatchObject({
    success: true,
    transaction: hash,
  });
  expect(await balances()).toEqual(after);
  expect((await db().oneOffPayment.findUnique({ where: { txHash: hash! } }))?.delivered).toBe(true);

  // Then it is spent.
  const replay = await send("/api/echo/fix/late");
  expect(replay.status).toBe(402);
  expect(errorOf(replay)).toMatch(/nonce_already_used/);
  expect(await balances()).toEqual(after);
  expect(await db().oneOffPayment.count({ where: { payer } })).toBe(1);
});
