/**
 * The local chain's faucet (`POST /api/1/faucet`) against anvil with DemoDollar: a wallet without
 * ETH gets 20 dUSD minted by the receiver and can open a channel by relay with them. Refusals (the
 * same address again within 10 minutes, too many grants to one client, a malformed address, the
 * gas budget spent) send nothing and cost the receiver nothing.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import * as faucetRoute from "@/app/api/1/faucet/route";
import { db } from "@/lib/db/client";
import { readTokenDomain, type TokenDomain } from "@/lib/protocol";
import { setupSiteFixture, withEnv, type SiteFixture } from "../../helpers/site-fixture";
import { apiRequest } from "../api-helpers";
import { expectRefused, relayedOpen, tokenBalance, USD } from "./relay-helpers";

let site: SiteFixture;
let domain: TokenDomain;

setupSiteFixture(
  async (s) => {
    site = s;
    domain = await readTokenDomain(s.publicClient, s.deployment.token);
  },
  { token: "DemoDollar", env: { RELAY_MIN_DEPOSIT: String(USD) } },
);

beforeEach(async () => {
  await db().relay.deleteMany();
});

const GRANT = 20n * USD;

const postFaucet = (body: unknown, ip = "198.51.100.7") =>
  faucetRoute.POST(
    apiRequest("/api/1/faucet", { method: "POST", body, headers: { "x-forwarded-for": ip } }),
  );

const fresh = () => privateKeyToAccount(generatePrivateKey());

describe("POST /api/1/faucet", () => {
  it("mints 20 dUSD to a wallet without ETH, which can then open a channel by relay", async () => {
    const reader = fresh();
    const res = await postFaucet({ address: reader.address.toLowerCase() });
    const body = (await res.json()) as { tx_hash: Hex; address: Address; amount: string };
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body).toEqual({
      tx_hash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      address: reader.address,
      amount: String(GRANT),
    });
    expect(await tokenBalance(site, reader.address)).toBe(GRANT);
    expect(await site.publicClient.getBalance({ address: reader.address })).toBe(0n);
    const receipt = await site.publicClient.getTransactionReceipt({ hash: body.tx_hash });
    expect(receipt.from.toLowerCase()).toBe(site.receiver.address.toLowerCase());
    expect(await db().relay.findFirstOrThrow()).toMatchObject({
      kind: "faucet",
      state: "mined",
      sender: reader.address,
      amount: String(GRANT),
      gasCost: (receipt.gasUsed * receipt.effectiveGasPrice).toString(),
    });

    // Faucet grants have their own rate: the reader's relays are not reduced by it.
    await relayedOpen(site, domain, reader, 5n * USD);
    expect(await tokenBalance(site, reader.address)).toBe(GRANT - 5n * USD);
    expect(await site.publicClient.getBalance({ address: reader.address })).toBe(0n);
  });

  it("refuses the same address again within 10 minutes (429), in any case of the address", async () => {
    const reader = fresh();
    expect((await postFaucet({ address: reader.address })).status).toBe(201);
    await expectRefused(
      site,
      () => postFaucet({ address: reader.address.toLowerCase() }, "198.51.100.8"),
      429,
      /^rate: 0x[0-9a-fA-F]{40} got test tokens less than 10 minutes ago/,
    );
    expect(await tokenBalance(site, reader.address)).toBe(GRANT);
  });

  it("refuses an 11th grant to one client address within the hour (429); other clients go on", async () => {
    for (let i = 0; i < 10; i++)
      expect((await postFaucet({ address: fresh().address }, "192.0.2.50")).status).toBe(201);
    const reader = fresh();
    await expectRefused(
      site,
      () => postFaucet({ address: reader.address }, "192.0.2.50"),
      429,
      /^rate: your address got test tokens 10 times in the last hour/,
    );
    expect(await tokenBalance(site, reader.address)).toBe(0n);
    expect((await postFaucet({ address: reader.address }, "192.0.2.51")).status).toBe(201);
  });

  it("refuses a malformed or missing address (400 naming address)", async () => {
    for (const [body, pattern] of [
      [{ address: "0x1234" }, /^address: /],
      [{ address: "not an address" }, /^address: /],
      [{}, /^address: is required$/],
      [{ address: 42 }, /^address: /],
    ] as const)
      await expectRefused(site, () => postFaucet(body), 400, pattern);
  });

  it("counts in the relay's gas budget: refused when it is spent (503)", async () => {
    const reader = fresh();
    await withEnv({ RELAY_DAILY_GAS_BUDGET_WEI: "1" }, () =>
      expectRefused(
        site,
        () => postFaucet({ address: reader.address }),
        503,
        /^relay: the gas budget is spent/,
      ),
    );
    expect(await tokenBalance(site, reader.address)).toBe(0n);
  });

  it("refuses a request from another site's page (403)", async () => {
    await expectRefused(
      site,
      () =>
        faucetRoute.POST(
          apiRequest("/api/1/faucet", {
            method: "POST",
            body: { address: fresh().address },
            headers: { origin: "https://evil.example" },
          }),
        ),
      403,
      /^forbidden: Origin/,
    );
  });
});
