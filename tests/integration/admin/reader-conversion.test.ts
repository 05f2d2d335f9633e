/**
 * The dashboard's conversion on the real site (`next start`, anvil, indexer running) counts
 * readers, not 402 answers: a browser that keeps its cookies gets the paywall's 402 and pays at
 * once (as auto-pay does), and the article shows 100 %; another reader who only gets a 402 makes it
 * 50 %; a program without cookies that gets a 402 and then pays is one paying reader more. Requires
 * a production build (`npx next build`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEther, type Address, type PrivateKeyAccount } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { channelDomain, signBalanceProof } from "@/lib/protocol";
import { VISITOR_COOKIE } from "@/lib/paywall/visitor";
import { ANVIL_KEY_0 } from "../../../scripts/lib/prepare-site";
import { openChannel, signIn } from "../../helpers/site-accounts";
import { startSiteServer, type SiteServer } from "../../helpers/site-server";

let site: SiteServer;
let operator: string;
const TOKEN = 10n ** 18n;
const SLUG = "the-402-status-code";

beforeAll(async () => {
  site = await startSiteServer();
  operator = await signIn(site, privateKeyToAccount(ANVIL_KEY_0));
}, 120_000);
afterAll(async () => site?.stop());

const articleUrl = () => `${site.url}/articles/${SLUG}`;

/** The article's "Readers who paid" cell on /admin, once it shows `expected` (marks are flushed every 2 s). */
async function conversionShown(expected: string): Promise<string> {
  let text = "";
  for (let i = 0; i < 40; i++) {
    const page = await fetch(`${site.url}/admin`, { headers: { cookie: operator } });
    expect(page.status).toBe(200);
    const html = await page.text();
    const m = new RegExp(`data-testid="conversion-${SLUG}"[^>]*>([^<]*)<`).exec(html);
    text = m?.[1] ?? "(no row)";
    if (text === expected) return text;
    await new Promise((r) => setTimeout(r, 500));
  }
  return text;
}

/** A payer on its own channel: the RDN-* headers of its next payment of `price`. */
async function payer(price: bigint) {
  const { key } = await site.fundedAccount(10n * TOKEN, parseEther("1"));
  const account: PrivateKeyAccount = privateKeyToAccount(key);
  const openBlock = await openChannel(site, account, TOKEN);
  const domain = channelDomain({
    chainId: site.deployment.chainId,
    contract: site.deployment.contract,
  });
  let balance = 0n;
  return async (): Promise<Record<string, string>> => {
    balance += price;
    const message = {
      sender: account.address as Address,
      receiver: site.receiver,
      openBlockNumber: openBlock,
      balance,
    };
    return {
      "RDN-Sender-Address": account.address,
      "RDN-Open-Block": String(openBlock),
      "RDN-Sender-Balance": balance.toString(),
      "RDN-Balance-Signature": await signBalanceProof({ account, domain, message }),
    };
  };
}

/** Pays with `headers` until the site knows the channel (a confirmation or two): the paid answer. */
async function payOnceKnown(headers: Record<string, string>): Promise<Response> {
  let res: Response | undefined;
  for (let i = 0; i < 60; i++) {
    res = await fetch(articleUrl(), { headers });
    const unknown =
      res.headers.has("RDN-Nonexisting-Channel") ||
      res.headers.has("RDN-Insufficient-Confirmations");
    if (res.status !== 402 || !unknown) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return res!;
}

function visitorCookie(res: Response): string | undefined {
  return res.headers
    .getSetCookie()
    .find((c) => c.startsWith(`${VISITOR_COOKIE}=`))
    ?.split(";")[0];
}

describe("402 → paid counts readers", () => {
  it("is 100 % when the one reader got the paywall's 402 and paid, 50 % with one who did not", async () => {
    // A browser's navigation: the paywall page with status 402 and a reader cookie.
    const browser = {
      "user-agent": "Mozilla/5.0 (reader-conversion test)",
      "sec-fetch-site": "none",
      "sec-fetch-mode": "navigate",
    };
    const page = await fetch(articleUrl(), { headers: { ...browser, accept: "text/html" } });
    expect(page.status).toBe(402);
    const cookie = visitorCookie(page);
    expect(cookie).toMatch(new RegExp(`^${VISITOR_COOKIE}=[A-Za-z0-9_-]{22}$`));
    const price = BigInt(page.headers.get("RDN-Price")!);

    // Auto-pay pays at once, from the page, with the cookie.
    const nextPayment = await payer(price);
    const paid = await payOnceKnown({
      ...browser,
      "sec-fetch-site": "same-origin",
      "sec-fetch-mode": "cors",
      cookie: cookie!,
      ...(await nextPayment()),
    });
    expect(paid.status).toBe(200);
    expect(visitorCookie(paid)).toBeUndefined();
    expect(await conversionShown("100.0 %")).toBe("100.0 %");

    // Another reader (a program) is only answered 402, twice: one reader more who did not pay.
    for (let i = 0; i < 2; i++) {
      const unpaid = await fetch(articleUrl(), { headers: { "user-agent": "only-looking/1" } });
      expect(unpaid.status).toBe(402);
      expect(visitorCookie(unpaid)).toBeUndefined();
    }
    expect(await conversionShown("50.0 %")).toBe("50.0 %");

    // A program without cookies: a 402, then a payment, known again by its address and agent.
    const program = { "user-agent": "paying-program/1" };
    expect((await fetch(articleUrl(), { headers: program })).status).toBe(402);
    const programPaid = await fetch(articleUrl(), {
      headers: { ...program, ...(await nextPayment()) },
    });
    expect(programPaid.status).toBe(200);
    expect(await conversionShown("66.7 %")).toBe("66.7 %");
  });
});
