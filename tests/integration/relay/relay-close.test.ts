/**
 * Relayed cooperative close through the real routes, against anvil with DemoDollar and the real
 * channel contract: a reader without ETH opens a channel by relay, pays, and has the site close it
 * (`POST /api/1/channels/:sender/:open_block/close`), getting the unspent deposit back with no ETH
 * at any point. Every refusal (no credential, another reader's, the gas budget spent, relaying off,
 * a second close) sends nothing, costs the receiver nothing, and leaves the channel payable.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import type { Address, Hex, PrivateKeyAccount } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import * as closeRoute from "@/app/api/1/channels/[sender]/[open_block]/close/route";
import { GET as fix } from "@/app/api/echo/fix/[param]/route";
import { RelayGas } from "@/components/admin/dashboard/relay-gas";
import { loadRelayGas } from "@/lib/admin/relay-gas";
import { microTransferChannelsAbi } from "@/lib/chain/abi";
import { db } from "@/lib/db/client";
import { runSyncPass } from "@/lib/indexer";
import { readTokenDomain, type TokenDomain } from "@/lib/protocol";
import { call, paymentHeaders, proof } from "../../helpers/paywall";
import { setupSiteFixture, withEnv, type SiteFixture } from "../../helpers/site-fixture";
import { apiRequest, closeRequestFor, ctx, signIn, type CloseRequestJson } from "../api-helpers";
import { ethlessReader, expectRefused, relayedOpen, tokenBalance, USD } from "./relay-helpers";

let site: SiteFixture;
let domain: TokenDomain;

setupSiteFixture(
  async (s) => {
    site = s;
    domain = await readTokenDomain(s.publicClient, s.deployment.token);
  },
  {
    token: "DemoDollar",
    env: { RELAY_MIN_DEPOSIT: String(USD), RELAY_MAX_PER_IP_PER_HOUR: "1000" },
  },
);

beforeEach(async () => {
  await db().relay.deleteMany();
});

const PRICE = 5n; // ECHO_FIX_PRICE

/** Pays one echo request at `balance` on the reader's channel; returns the status. */
async function pay(reader: PrivateKeyAccount, openBlock: number, balance: bigint) {
  const res = await call(
    fix,
    "/api/echo/fix/hi",
    { param: "hi" },
    {
      accept: "application/json",
      ...paymentHeaders(
        reader.address,
        openBlock,
        balance,
        await proof(site, reader, reader.address, openBlock, balance),
      ),
    },
  );
  return res.status;
}

/** A reader without ETH with a channel opened by relay, indexed, and one payment made on it. */
async function paidChannel(deposit = 5n * USD) {
  const reader = await ethlessReader(site);
  const openBlock = await relayedOpen(site, domain, reader, deposit);
  await runSyncPass();
  expect(await pay(reader, openBlock, PRICE)).toBe(200);
  return { reader, openBlock, deposit };
}

type CloseBody = { balance: string; balance_signature?: Hex; close_request?: CloseRequestJson };

const postClose = (
  sender: Address,
  openBlock: number,
  body: CloseBody,
  opts: { cookie?: string; origin?: string } = {},
) =>
  closeRoute.POST(
    apiRequest(`/api/1/channels/${sender}/${openBlock}/close`, {
      method: "POST",
      body,
      cookie: opts.cookie,
      headers: {
        "x-forwarded-for": "198.51.100.1",
        ...(opts.origin ? { origin: opts.origin } : {}),
      },
    }),
    ctx({ sender, open_block: String(openBlock) }),
  );

const channelInfo = (sender: Address, openBlock: number) =>
  site.publicClient.readContract({
    address: site.deployment.contract,
    abi: microTransferChannelsAbi,
    functionName: "getChannelInfo",
    args: [sender, site.receiver.address, openBlock],
  });

type Closed = {
  open_block: number;
  tx_hash: Hex;
  sender: Address;
  receiver: Address;
  balance: string;
  refund: string;
};

describe("POST /api/1/channels/:sender/:open_block/close (relayed close)", () => {
  it("closes a paid channel of a reader without ETH: the unspent deposit comes back, no ETH needed", async () => {
    const { reader, openBlock, deposit } = await paidChannel(5n * USD);
    const tokensBefore = await tokenBalance(site, reader.address);
    const nonceBefore = await site.publicClient.getTransactionCount({
      address: site.receiver.address,
    });

    const res = await postClose(reader.address, openBlock, {
      balance: String(PRICE),
      close_request: await closeRequestFor(site, { reader, openBlock }, PRICE),
    });
    const body = (await res.json()) as Closed;
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body).toEqual({
      open_block: openBlock,
      tx_hash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      sender: reader.address,
      receiver: site.receiver.address,
      balance: String(PRICE),
      refund: String(deposit - PRICE),
    });

    // Settled at once: the reader got deposit − balance, still has no ETH, and sent nothing.
    expect(await tokenBalance(site, reader.address)).toBe(tokensBefore + deposit - PRICE);
    expect(await site.publicClient.getBalance({ address: reader.address })).toBe(0n);
    expect(await site.publicClient.getTransactionCount({ address: reader.address })).toBe(0);
    await expect(channelInfo(reader.address, openBlock)).rejects.toThrow();
    const receipt = await site.publicClient.getTransactionReceipt({ hash: body.tx_hash });
    expect(receipt.from.toLowerCase()).toBe(site.receiver.address.toLowerCase());
    expect(await site.publicClient.getTransactionCount({ address: site.receiver.address })).toBe(
      nonceBefore + 1,
    );

    // Recorded as a relay of kind close, with its gas, under the sender's rates.
    const row = await db().relay.findFirstOrThrow({ where: { kind: "close" } });
    expect(row).toMatchObject({
      state: "mined",
      sender: reader.address,
      openBlock,
      amount: String(PRICE),
      txHash: body.tx_hash,
      gasCost: (receipt.gasUsed * receipt.effectiveGasPrice).toString(),
    });

    // The channel takes no more payments.
    expect(await pay(reader, openBlock, 2n * PRICE)).toBe(402);
  });

  it("accepts the sender's SIWE session instead of a close request, closing at the site's copy of the proof", async () => {
    const { reader, openBlock, deposit } = await paidChannel(3n * USD);
    const before = await tokenBalance(site, reader.address);
    const cookie = await signIn(reader, site.deployment.chainId);
    const res = await postClose(reader.address, openBlock, { balance: String(PRICE) }, { cookie });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await tokenBalance(site, reader.address)).toBe(before + deposit - PRICE);
  });

  it("a second close of the same channel is refused (409), nothing sent", async () => {
    const { reader, openBlock } = await paidChannel();
    const cookie = await signIn(reader, site.deployment.chainId);
    expect(
      (await postClose(reader.address, openBlock, { balance: String(PRICE) }, { cookie })).status,
    ).toBe(201);
    await expectRefused(
      site,
      () => postClose(reader.address, openBlock, { balance: String(PRICE) }, { cookie }),
      409,
      /^channel: the contract no longer holds it/,
    );
    // Once the indexer saw the settlement, the site's own record refuses it first.
    await runSyncPass();
    await expectRefused(
      site,
      () => postClose(reader.address, openBlock, { balance: String(PRICE) }, { cookie }),
      409,
      /^channel is already settled$/,
    );
  });
});

describe("relayed close refusals: nothing sent, nothing charged, the channel still payable", () => {
  /** The refusal left the channel open and payable on the site. */
  async function expectStillPayable(reader: PrivateKeyAccount, openBlock: number, next: bigint) {
    const row = await db().channel.findUniqueOrThrow({
      where: { sender_openBlock: { sender: reader.address, openBlock } },
    });
    expect(row.closeSigned).toBe(false);
    expect(await pay(reader, openBlock, next)).toBe(200);
  }

  it("without a credential (401), with another reader's session or close request (403)", async () => {
    const { reader, openBlock } = await paidChannel();
    await expectRefused(
      site,
      () => postClose(reader.address, openBlock, { balance: String(PRICE) }),
      401,
      /^authentication required: send close_request/,
    );
    const other = privateKeyToAccount(generatePrivateKey());
    const cookie = await signIn(other, site.deployment.chainId);
    await expectRefused(
      site,
      () => postClose(reader.address, openBlock, { balance: String(PRICE) }, { cookie }),
      403,
      /^forbidden: signed in as 0x[0-9a-fA-F]{40}, not the sender/,
    );
    const signedByOther = await closeRequestFor(site, { reader, openBlock }, PRICE, { by: other });
    await expectRefused(
      site,
      () =>
        postClose(reader.address, openBlock, {
          balance: String(PRICE),
          close_request: signedByOther,
        }),
      403,
      /^forbidden: close_request is signed by/,
    );
    await expectStillPayable(reader, openBlock, 2n * PRICE);
  });

  it("from another site's page (403, the Origin rule)", async () => {
    const { reader, openBlock } = await paidChannel();
    const request = await closeRequestFor(site, { reader, openBlock }, PRICE);
    await expectRefused(
      site,
      () =>
        postClose(
          reader.address,
          openBlock,
          { balance: String(PRICE), close_request: request },
          { origin: "https://evil.example" },
        ),
      403,
      /^forbidden: Origin https:\/\/evil\.example/,
    );
    await expectStillPayable(reader, openBlock, 2n * PRICE);
  });

  it("a stale balance (409 with the site's last proof)", async () => {
    const { reader, openBlock } = await paidChannel();
    const request = await closeRequestFor(site, { reader, openBlock }, 0n);
    await expectRefused(
      site,
      () => postClose(reader.address, openBlock, { balance: "0", close_request: request }),
      409,
      /^balance: is not the last accepted balance/,
    );
    await expectStillPayable(reader, openBlock, 2n * PRICE);
  });

  it("the gas budget spent (503); the same close request works once there is budget again", async () => {
    const { reader, openBlock, deposit } = await paidChannel();
    // The open's gas is in the budget: room for nothing more.
    const [open] = await db().relay.findMany();
    const request = await closeRequestFor(site, { reader, openBlock }, PRICE);
    const body = { balance: String(PRICE), close_request: request };
    await withEnv({ RELAY_DAILY_GAS_BUDGET_WEI: open!.gasCost }, () =>
      expectRefused(
        site,
        () => postClose(reader.address, openBlock, body),
        503,
        /^relay: the gas budget is spent/,
      ),
    );
    const row = await db().channel.findUniqueOrThrow({
      where: { sender_openBlock: { sender: reader.address, openBlock } },
    });
    expect(row.closeSigned).toBe(false);
    // Nothing was spent, not even the close request's nonce.
    const before = await tokenBalance(site, reader.address);
    const res = await postClose(reader.address, openBlock, body);
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await tokenBalance(site, reader.address)).toBe(before + deposit - PRICE);
  });

  it("the receiver's ETH at its dispute reserve (503)", async () => {
    const { reader, openBlock } = await paidChannel();
    const eth = await site.publicClient.getBalance({ address: site.receiver.address });
    const request = await closeRequestFor(site, { reader, openBlock }, PRICE);
    await withEnv({ MIN_RECEIVER_ETH_WEI: String(eth) }, () =>
      expectRefused(
        site,
        () =>
          postClose(reader.address, openBlock, { balance: String(PRICE), close_request: request }),
        503,
        /^relay: the receiver's ETH .* would fall below/,
      ),
    );
    await expectStillPayable(reader, openBlock, 2n * PRICE);
  });

  it("relaying turned off (503 naming RELAY_ENABLED)", async () => {
    const { reader, openBlock } = await paidChannel();
    const request = await closeRequestFor(site, { reader, openBlock }, PRICE);
    await withEnv({ RELAY_ENABLED: "false" }, () =>
      expectRefused(
        site,
        () =>
          postClose(reader.address, openBlock, { balance: String(PRICE), close_request: request }),
        503,
        /^relay: relayed closes are disabled on this site \(RELAY_ENABLED\)/,
      ),
    );
    await expectStillPayable(reader, openBlock, 2n * PRICE);
  });
});

describe("dashboard relay figures", () => {
  it("count the relays by kind and their gas, and the budget left", async () => {
    const { reader, openBlock } = await paidChannel();
    const cookie = await signIn(reader, site.deployment.chainId);
    expect(
      (await postClose(reader.address, openBlock, { balance: String(PRICE) }, { cookie })).status,
    ).toBe(201);
    const rows = await db().relay.findMany();
    const spent = rows.reduce((s, r) => s + BigInt(r.gasCost), 0n);
    expect(spent).toBeGreaterThan(0n);

    const figures = await loadRelayGas();
    expect(figures).toMatchObject({ enabled: true, lastDay: spent, allTime: spent });
    expect(figures.budgetLeft).toBe(figures.budget - spent);
    expect(figures.kinds.map((k) => [k.kind, k.lastDay, k.allTime])).toEqual([
      ["open", 1, 1],
      ["topup", 0, 0],
      ["close", 1, 1],
      ["faucet", 0, 0],
      ["exact", 0, 0],
    ]);

    const html = renderToStaticMarkup(RelayGas({ figures }));
    expect(html).toContain(`data-testid="relay-gas-day" data-wei="${spent}"`);
    expect(html).toContain(`data-testid="relay-budget-left" data-wei="${figures.budget - spent}"`);
    expect(html).toMatch(/data-testid="relay-count-close">1</);
  });
});
