/**
 * The receiver pays the gas of every x402 `exact` payment: these transfers share the relay's daily
 * gas budget. With the budget spent, a stock x402 client's payment is refused with a 402 that
 * says why, and nothing is sent or moved.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { x402Client } from "@x402/core/client";
import { decodePaymentRequiredHeader } from "@x402/core/http";
import { registerExactEvmScheme } from "@x402/evm/exact/client";
import { wrapFetchWithPayment } from "@x402/fetch";
import { privateKeyToAccount } from "viem/accounts";
import { startSiteServer, tokenBalance, type SiteServer } from "../../helpers/site-server";

const USD = 1_000_000n;
let site: SiteServer;

beforeAll(async () => {
  site = await startSiteServer({
    demoToken: "DemoDollar",
    env: { RELAY_DAILY_GAS_BUDGET_WEI: "1" },
  });
}, 240_000);

afterAll(async () => {
  await site?.stop();
});

it("refuses an exact payment once the gas budget is spent, sending nothing", async () => {
  const { key, address } = await site.fundedAccount(5n * USD, 0n);
  const client = new x402Client();
  registerExactEvmScheme(client, { signer: privateKeyToAccount(key) });
  client.setSpendControls({ allowedAssets: true });
  const pay = wrapFetchWithPayment(fetch, client);
  const nonce = await site.publicClient.getTransactionCount({ address: site.receiver });

  const res = await pay(new URL("/api/echo/fix/budget", site.url));
  expect(res.status).toBe(402);
  const required = decodePaymentRequiredHeader(res.headers.get("PAYMENT-REQUIRED")!);
  expect(required.error).toMatch(/gas budget/);
  expect(await tokenBalance(site, address)).toBe(5n * USD);
  expect(await site.publicClient.getTransactionCount({ address: site.receiver })).toBe(nonce);
});
