/**
 * The payer against hostile sites (tests/helpers/hostile-site.ts) on a real chain: the channel
 * contract on anvil, real channels opened by the payer, and a site that keeps every proof it is
 * sent, asks again, overcharges and redirects. Whatever the site does, what it can cash (its
 * highest valid proof per channel) never exceeds what the payer counted, and that never exceeds
 * the payer's budget or, per request, its maximum price.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  createPayer,
  memoryChannelStore,
  PayerError,
  type PayerEvent,
  type SpendingPolicy,
} from "@/lib/protocol/client";
import { startHostileSite, type Behaviour, type HostileSite } from "../../helpers/hostile-site";
import { ANVIL_KEYS, setupSiteFixture, type SiteFixture } from "../../helpers/site-fixture";

let site: SiteFixture;
setupSiteFixture((s) => {
  site = s;
});

const PRICE = 10n;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

let nextReader = 1;
/** A payer over a reader account of its own (each test uses another one). */
function newPayer(policy: SpendingPolicy) {
  const account = privateKeyToAccount(ANVIL_KEYS[nextReader++]!);
  const events: PayerEvent[] = [];
  const payer = createPayer({
    account,
    publicClient: site.publicClient as PublicClient,
    store: memoryChannelStore(),
    policy: { confirmationTimeoutMs: 10_000, ...policy },
    pollingIntervalMs: 100,
    onEvent: (e) => events.push(e),
  });
  return { payer, events };
}

async function hostile(
  behave: (path: string) => Behaviour,
  opts: { price?: bigint; receiver?: `0x${string}` } = {},
): Promise<HostileSite> {
  const h = await startHostileSite({
    identity: {
      receiver: opts.receiver ?? site.receiver.address,
      contract: site.deployment.contract,
      token: site.deployment.token,
      chainId: site.deployment.chainId,
    },
    price: opts.price ?? PRICE,
    chainId: site.deployment.chainId,
    behave,
  });
  stops.push(h.stop);
  return h;
}

async function payerError(p: Promise<unknown>): Promise<PayerError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PayerError);
  return err as PayerError;
}

describe("a site that keeps each proof and asks again", () => {
  it("gets one signature when maxPrice = budget = the price, and the payer says so", async () => {
    const h = await hostile(() => ({ type: "keep" }));
    const { payer } = newPayer({ maxPrice: PRICE, budget: PRICE, depositMultiple: 10n });
    const err = await payerError(payer.fetch(`${h.url}/articles/one`));
    expect(err.code).toBe("paid-not-served");
    expect(h.proofs.map((p) => p.balance)).toEqual([PRICE]);
    expect(h.cashable()).toBe(PRICE);
    expect(payer.spent()).toBe(PRICE);
    // The budget is gone: the next request signs nothing.
    expect((await payerError(payer.fetch(`${h.url}/articles/two`))).code).toBe("over-policy");
    expect(h.proofs).toHaveLength(1);
  });

  it("re-signs once after a corrective 402, then stops: the budget bounds every request", async () => {
    const h = await hostile(() => ({ type: "keep" }));
    const budget = 45n;
    const { payer, events } = newPayer({ maxPrice: 100n, budget, depositMultiple: 20n });
    for (const slug of ["a", "b", "c", "d"]) {
      const err = await payerError(payer.fetch(`${h.url}/articles/${slug}`));
      expect(["paid-not-served", "over-policy"]).toContain(err.code);
    }
    // Two signatures for the first request (the second after the corrective 402), two for the
    // second, then the budget stops the third before it signs anything past 45.
    expect(h.proofs.map((p) => p.balance)).toEqual([10n, 20n, 30n, 40n]);
    expect(h.cashable()).toBe(40n);
    expect(payer.spent()).toBe(40n);
    expect(h.cashable()).toBeLessThanOrEqual(budget);
    const signed = events.filter((e) => e.type === "signed");
    expect(signed.reduce((sum, e) => sum + (e.type === "signed" ? e.charged : 0n), 0n)).toBe(40n);
  });

  it("parallel fetches reserve before signing: together they stay within the budget", async () => {
    const h = await hostile(() => ({ type: "keep" }));
    const budget = 35n;
    const { payer } = newPayer({ maxPrice: 100n, budget, depositMultiple: 20n });
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => payer.fetch(`${h.url}/articles/p${i}`)),
    );
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    expect(h.cashable()).toBeLessThanOrEqual(budget);
    expect(h.cashable()).toBe(30n);
    expect(payer.spent()).toBe(30n);
  });

  it("an honest site serves parallel requests until the budget, counted once each", async () => {
    const h = await hostile(() => ({ type: "serve" }));
    const { payer } = newPayer({ maxPrice: PRICE, budget: 35n, depositMultiple: 20n });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => payer.fetch(`${h.url}/api/x${i}`)),
    );
    expect(results.filter((r) => r.status === "fulfilled" && r.value.status === 200)).toHaveLength(
      3,
    );
    expect(h.cashable()).toBe(30n);
    expect(payer.spent()).toBe(30n);
    const [channel] = await payer.channels();
    expect(channel!.balance).toBe(30n);
  });
});

describe("a site that charges more than it announced", () => {
  it("cannot make one request cost more than maxPrice", async () => {
    // Announces 10; once it holds the proof for 10 it asks 15 more.
    const h = await hostile(() => ({ type: "overcharge", price: 15n }));
    const { payer } = newPayer({ maxPrice: 20n, budget: 1000n, depositMultiple: 20n });
    const err = await payerError(payer.fetch(`${h.url}/articles/dear`));
    expect(err.code).toBe("paid-not-served");
    expect(h.proofs.map((p) => p.balance)).toEqual([10n]);
    expect(h.cashable()).toBe(10n);
    expect(payer.spent()).toBe(10n);
  });
});

describe("redirects", () => {
  it("never carries a proof across a redirect to another origin", async () => {
    const other = await hostile(() => ({ type: "keep" }), {
      receiver: privateKeyToAccount(ANVIL_KEYS[9]!).address,
    });
    const h = await hostile(() => ({ type: "redirect", location: other.url }));
    const { payer } = newPayer({ maxPrice: PRICE, budget: 100n, depositMultiple: 20n });
    const res = await payer.fetch(`${h.url}/articles/moved`);
    // The paid attempt's redirect is handed back, not followed.
    expect(res.status).toBe(307);
    expect(h.proofs).toHaveLength(1);
    expect(other.requests).toEqual([]);
    expect(other.proofs).toEqual([]);
  });

  it("pays the origin that answered 402 after an unpaid redirect, never the one redirecting", async () => {
    const target = await hostile(() => ({ type: "serve" }));
    const seen: string[] = [];
    const front: Server = createServer((req, res) => {
      seen.push(String(req.headers["rdn-balance-signature"] ?? ""));
      res.writeHead(307, { location: `${target.url}${req.url}` });
      res.end();
    });
    await new Promise<void>((r) => front.listen(0, "127.0.0.1", r));
    stops.push(() => new Promise<void>((r) => front.close(() => r())));
    const frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;

    const { payer } = newPayer({ maxPrice: PRICE, budget: 100n, depositMultiple: 20n });
    const res = await payer.fetch(`${frontUrl}/articles/elsewhere`);
    expect(res.status).toBe(200);
    expect(seen).toEqual([""]);
    expect(target.proofs).toHaveLength(1);
    expect((await payer.channels())[0]!.siteOrigin).toBe(target.url);
  });

  it("pins the receiver per origin: a site that switches receivers is refused", async () => {
    let receiver = site.receiver.address;
    const h = await hostile(() => ({ type: "serve" }));
    const { payer } = newPayer({ maxPrice: PRICE, budget: 100n, depositMultiple: 20n });
    expect((await payer.fetch(`${h.url}/api/first`)).status).toBe(200);
    // The same origin now names another receiver.
    receiver = privateKeyToAccount(ANVIL_KEYS[9]!).address;
    const switched = await hostile(() => ({ type: "serve" }), { receiver });
    // Same origin, different server: route the origin's requests to the switched site.
    const viaSameOrigin = createPayer({
      account: privateKeyToAccount(ANVIL_KEYS[nextReader - 1]!),
      publicClient: site.publicClient as PublicClient,
      store: memoryChannelStore(await payer.channels()),
      policy: { maxPrice: PRICE, budget: 100n },
      fetch: (input, init) => {
        const req = new Request(input, init);
        return fetch(new Request(req.url.replace(h.url, switched.url), req));
      },
    });
    const err = await payerError(viaSameOrigin.fetch(`${h.url}/api/second`));
    expect(err.code).toBe("foreign-contract");
    expect(err.message).toContain("receiver");
    expect(switched.proofs).toEqual([]);
  });
});
