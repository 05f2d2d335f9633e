/**
 * The dashboard's relay card on the real site (`next start`, anvil, indexer running): after a
 * reader has the site close their channel by relay, `/admin` shows the gas that close cost (last
 * 24 hours and all time, to the wei), one close among the relays by kind, and the daily budget
 * left. Requires a production build (`npx next build`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEther, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { channelDomain, signBalanceProof, signCloseRequest } from "@/lib/protocol";
import { ANVIL_KEY_0 } from "../../../scripts/lib/prepare-site";
import { openChannel, signIn } from "../../helpers/site-accounts";
import { startSiteServer, type SiteServer } from "../../helpers/site-server";

let site: SiteServer;
const TOKEN = 10n ** 18n;
/** RELAY_DAILY_GAS_BUDGET_WEI of the server. */
const BUDGET = 10n ** 16n;

beforeAll(async () => {
  site = await startSiteServer({ env: { RELAY_DAILY_GAS_BUDGET_WEI: String(BUDGET) } });
}, 120_000);
afterAll(async () => site?.stop());

describe("dashboard relay card", () => {
  it("shows the gas of a relayed close, the relays by kind and the budget left", async () => {
    const { key } = await site.fundedAccount(10n * TOKEN, parseEther("1"));
    const reader = privateKeyToAccount(key);
    const openBlock = await openChannel(site, reader, 2n * TOKEN);
    const domain = channelDomain({
      chainId: site.deployment.chainId,
      contract: site.deployment.contract,
    });
    const message = {
      sender: reader.address,
      receiver: site.receiver,
      openBlockNumber: openBlock,
      balance: 0n,
    };
    const balanceSignature = await signBalanceProof({ account: reader, domain, message });

    // The indexer needs a confirmation or two before the site knows the channel.
    let res: Response | undefined;
    for (let i = 0; i < 60; i++) {
      const nonce =
        `0x${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex")}` as Hex;
      const expires = BigInt(Math.floor(Date.now() / 1000) + 300);
      res = await fetch(`${site.url}/api/1/channels/${reader.address}/${openBlock}/close`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: site.url },
        body: JSON.stringify({
          balance: "0",
          balance_signature: balanceSignature,
          close_request: {
            nonce,
            expires: expires.toString(),
            signature: await signCloseRequest({
              account: reader,
              domain,
              message: { ...message, nonce, expires },
            }),
          },
        }),
      });
      if (res.status !== 404) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const closed = (await res!.json()) as { tx_hash: Hex; refund: string };
    expect(res!.status, JSON.stringify(closed)).toBe(201);
    expect(closed.refund).toBe(String(2n * TOKEN));
    const receipt = await site.publicClient.getTransactionReceipt({ hash: closed.tx_hash });
    const cost = receipt.gasUsed * receipt.effectiveGasPrice;

    const operator = await signIn(site, privateKeyToAccount(ANVIL_KEY_0));
    const page = await fetch(`${site.url}/admin`, { headers: { cookie: operator } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Gas paid by the receiver: relays and x402 payments");
    expect(html).toMatch(new RegExp(`data-testid="relay-gas-day" data-wei="${cost}"`));
    expect(html).toMatch(new RegExp(`data-testid="relay-gas-all" data-wei="${cost}"`));
    expect(html).toMatch(new RegExp(`data-testid="relay-budget-left" data-wei="${BUDGET - cost}"`));
    expect(html).toMatch(/data-testid="relay-count-close">1</);
    expect(html).toMatch(/data-testid="relay-count-open">0</);
  });
});
