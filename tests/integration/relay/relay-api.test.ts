/**
 * Relayed opens and top-ups through the real routes, against anvil with DemoDollar (EIP-3009) and
 * the real channel contract, on a throwaway database: a reader without ETH opens and tops up a
 * channel with one signature each and pays from it; every abuse (a replay, an authorization for
 * another receiver or signer, a deposit under the minimum, a sender without tokens, an expired one,
 * the rates per sender and per IP, the gas budget, the receiver's ETH reserve, relaying off) is a
 * clear 4xx/503 that sends no transaction and records nothing.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { zeroAddress, type Address, type Hex, type PrivateKeyAccount } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import * as channelsRoute from "@/app/api/1/channels/route";
import * as topUpsRoute from "@/app/api/1/channels/[sender]/[open_block]/topups/route";
import * as relayStatusRoute from "@/app/api/1/relays/[tx_hash]/route";
import { GET as fix } from "@/app/api/echo/fix/[param]/route";
import { demoDollarAbi, microTransferChannelsAbi } from "@/lib/chain/abi";
import { db } from "@/lib/db/client";
import { runSyncPass } from "@/lib/indexer";
import {
  randomSalt,
  readTokenDomain,
  signOpenAuthorization,
  signTopUpAuthorization,
  type TokenDomain,
} from "@/lib/protocol";
import { call, paymentHeaders, proof } from "../../helpers/paywall";
import { setupSiteFixture, withEnv, type SiteFixture } from "../../helpers/site-fixture";
import { apiRequest, ctx } from "../api-helpers";

const USD = 1_000_000n;
let site: SiteFixture;
let domain: TokenDomain;

setupSiteFixture(
  async (s) => {
    site = s;
    domain = await readTokenDomain(s.publicClient, s.deployment.token);
  },
  {
    token: "DemoDollar",
    env: {
      RELAY_MIN_DEPOSIT: String(USD),
      RELAY_MAX_PER_SENDER_PER_HOUR: "3",
      RELAY_MAX_PER_IP_PER_HOUR: "1000",
    },
  },
);

/** A fresh account with `tokens` base units of DemoDollar and no ETH at all. */
async function ethlessReader(tokens = 20n * USD): Promise<PrivateKeyAccount> {
  const account = privateKeyToAccount(generatePrivateKey());
  if (tokens > 0n) {
    const hash = await site.wallet(site.receiver).writeContract({
      address: site.deployment.token,
      abi: demoDollarAbi,
      functionName: "mintTo",
      args: [account.address, tokens],
    });
    await site.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  }
  return account;
}

const chainNow = async () => (await site.publicClient.getBlock()).timestamp;

type OpenOptions = {
  deposit?: bigint;
  signer?: Address;
  receiver?: Address;
  validAfter?: bigint;
  validBefore?: bigint;
  salt?: Hex;
};

/** The body of a relayed open signed by `reader` (for the site's receiver unless overridden). */
async function openBody(reader: PrivateKeyAccount, o: OpenOptions = {}) {
  const authorization = {
    sender: reader.address,
    receiver: o.receiver ?? site.receiver.address,
    deposit: o.deposit ?? 5n * USD,
    signer: o.signer ?? zeroAddress,
    salt: o.salt ?? randomSalt(),
    validAfter: o.validAfter ?? 0n,
    validBefore: o.validBefore ?? (await chainNow()) + 600n,
  };
  const signature = await signOpenAuthorization({
    account: reader,
    domain,
    contract: site.deployment.contract,
    authorization,
  });
  return {
    sender: authorization.sender,
    deposit: authorization.deposit.toString(),
    signer: authorization.signer,
    salt: authorization.salt,
    valid_after: authorization.validAfter.toString(),
    valid_before: authorization.validBefore.toString(),
    signature,
  };
}

/** The body of a relayed top-up of `(reader, openBlock)` signed by `reader`. */
async function topUpBody(
  reader: PrivateKeyAccount,
  openBlock: number,
  o: { amount?: bigint; validBefore?: bigint } = {},
) {
  const authorization = {
    sender: reader.address,
    receiver: site.receiver.address,
    openBlockNumber: openBlock,
    amount: o.amount ?? 3n * USD,
    salt: randomSalt(),
    validAfter: 0n,
    validBefore: o.validBefore ?? (await chainNow()) + 600n,
  };
  const signature = await signTopUpAuthorization({
    account: reader,
    domain,
    contract: site.deployment.contract,
    authorization,
  });
  return {
    amount: authorization.amount.toString(),
    salt: authorization.salt,
    valid_after: "0",
    valid_before: authorization.validBefore.toString(),
    signature,
  };
}

const postOpen = (body: unknown, ip = "198.51.100.1") =>
  channelsRoute.POST(
    apiRequest("/api/1/channels", {
      method: "POST",
      body,
      headers: { "x-forwarded-for": `203.0.113.99, ${ip}` },
    }),
  );

const postTopUp = (sender: Address, openBlock: number, body: unknown, ip = "198.51.100.1") =>
  topUpsRoute.POST(
    apiRequest(`/api/1/channels/${sender}/${openBlock}/topups`, {
      method: "POST",
      body,
      headers: { "x-forwarded-for": ip },
    }),
    ctx({ sender, open_block: String(openBlock) }),
  );

const receiverNonce = () =>
  site.publicClient.getTransactionCount({ address: site.receiver.address, blockTag: "pending" });

const tokenBalance = (address: Address) =>
  site.publicClient.readContract({
    address: site.deployment.token,
    abi: demoDollarAbi,
    functionName: "balanceOf",
    args: [address],
  });

/**
 * Expects a refusal: the status, an `error` matching `pattern`, and nothing sent (the receiver's
 * nonce unchanged), nothing recorded (no Relay row added) and the sender's tokens untouched.
 */
async function expectRefused(
  send: () => Promise<Response>,
  sender: Address,
  status: number,
  pattern: RegExp,
): Promise<void> {
  const [nonce, rows, tokens] = await Promise.all([
    receiverNonce(),
    db().relay.count(),
    tokenBalance(sender),
  ]);
  const res = await send();
  const body = (await res.json()) as { error: string; code: string };
  expect({ status: res.status, error: body.error }).toEqual({
    status,
    error: expect.stringMatching(pattern),
  });
  expect(await receiverNonce()).toBe(nonce);
  expect(await db().relay.count()).toBe(rows);
  expect(await tokenBalance(sender)).toBe(tokens);
}

type Created = {
  open_block: number;
  tx_hash: Hex;
  sender: Address;
  receiver: Address;
  deposit: string;
  signer: Address;
};

/** A relayed open that must succeed. */
async function relayedOpen(reader: PrivateKeyAccount, o: OpenOptions = {}, ip?: string) {
  const res = await postOpen(await openBody(reader, o), ip);
  const body = (await res.json()) as Created;
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body;
}

beforeEach(async () => {
  await db().relay.deleteMany();
});

describe("POST /api/1/channels (relayed open)", () => {
  it("opens a channel for a reader without ETH, with its session key as signer; the site accepts its payments", async () => {
    const reader = await ethlessReader();
    const session = privateKeyToAccount(generatePrivateKey());
    const nonceBefore = await receiverNonce();

    const created = await relayedOpen(reader, { signer: session.address, deposit: 5n * USD });
    expect(created).toMatchObject({
      sender: reader.address,
      receiver: site.receiver.address,
      deposit: String(5n * USD),
      signer: session.address,
      tx_hash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
    });
    expect(await site.publicClient.getBalance({ address: reader.address })).toBe(0n);
    expect(await receiverNonce()).toBe(nonceBefore + 1);
    const receipt = await site.publicClient.getTransactionReceipt({ hash: created.tx_hash });
    expect(receipt.from.toLowerCase()).toBe(site.receiver.address.toLowerCase());
    expect(Number(receipt.blockNumber)).toBe(created.open_block);

    const info = await site.publicClient.readContract({
      address: site.deployment.contract,
      abi: microTransferChannelsAbi,
      functionName: "getChannelInfo",
      args: [reader.address, site.receiver.address, created.open_block],
    });
    expect(info[1]).toBe(5n * USD);
    expect(info[5]).toBe(session.address);
    expect(await tokenBalance(reader.address)).toBe(15n * USD);

    // Recorded with its gas, for the dashboard and the budget.
    const [row] = await db().relay.findMany();
    expect(row).toMatchObject({
      kind: "open",
      state: "mined",
      sender: reader.address,
      openBlock: created.open_block,
      txHash: created.tx_hash,
      gasUsed: receipt.gasUsed.toString(),
      gasCost: (receipt.gasUsed * receipt.effectiveGasPrice).toString(),
      clientIp: "198.51.100.1",
    });

    // The indexer sees the channel and the paywall accepts the session key's proof.
    await runSyncPass();
    const res = await call(
      fix,
      "/api/echo/fix/hi",
      { param: "hi" },
      {
        accept: "application/json",
        ...paymentHeaders(
          reader.address,
          created.open_block,
          5n,
          await proof(site, session, reader.address, created.open_block, 5n),
        ),
      },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ echo: "hi" });
  });

  it("a signer of address(0) opens a channel signed by the sender", async () => {
    const reader = await ethlessReader();
    const created = await relayedOpen(reader, { signer: zeroAddress });
    expect(created.signer).toBe(reader.address);
  });

  it("answers 202 with a status URL when the transaction is not mined in time, and the URL follows it", async () => {
    const reader = await ethlessReader();
    await site.testClient.setAutomine(false);
    let pending: { status: string; tx_hash: Hex; status_url: string };
    try {
      const res = await withEnv({ RELAY_WAIT_SECONDS: "1" }, async () =>
        postOpen(await openBody(reader)),
      );
      pending = (await res.json()) as typeof pending;
      expect(res.status, JSON.stringify(pending)).toBe(202);
      expect(res.headers.get("location")).toBe(pending.status_url);
      expect(pending).toEqual({
        status: "pending",
        tx_hash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
        status_url: `/api/1/relays/${pending.tx_hash}`,
      });
      const status = async () => {
        const r = await relayStatusRoute.GET(
          apiRequest(pending.status_url),
          ctx({ tx_hash: pending.tx_hash }),
        );
        return (await r.json()) as Record<string, unknown>;
      };
      expect(await status()).toMatchObject({ status: "pending", open_block: null });
      await site.mine(1);
      await site.testClient.setAutomine(true);
      // The next relay's budget check records the receipt of the one nobody polled.
      await relayedOpen(await ethlessReader());
      expect(
        await db().relay.findFirstOrThrow({ where: { txHash: pending.tx_hash } }),
      ).toMatchObject({ state: "mined", gasUsed: expect.stringMatching(/^[1-9][0-9]+$/) });
      const mined = await status();
      expect(mined).toMatchObject({
        status: "mined",
        kind: "open",
        sender: reader.address,
        signer: reader.address,
        amount: String(5n * USD),
        gas_used: expect.stringMatching(/^[1-9][0-9]+$/),
      });
      expect(typeof mined.open_block).toBe("number");
    } finally {
      await site.testClient.setAutomine(true);
    }
  });
});

describe("POST /api/1/channels/:sender/:open_block/topups (relayed top-up)", () => {
  it("tops up a channel of a reader without ETH", async () => {
    const reader = await ethlessReader();
    const created = await relayedOpen(reader, { deposit: 5n * USD });
    const res = await postTopUp(
      reader.address,
      created.open_block,
      await topUpBody(reader, created.open_block, { amount: 3n * USD }),
    );
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body).toMatchObject({
      open_block: created.open_block,
      sender: reader.address,
      receiver: site.receiver.address,
      added_deposit: String(3n * USD),
      deposit: String(8n * USD),
    });
    const info = await site.publicClient.readContract({
      address: site.deployment.contract,
      abi: microTransferChannelsAbi,
      functionName: "getChannelInfo",
      args: [reader.address, site.receiver.address, created.open_block],
    });
    expect(info[1]).toBe(8n * USD);
    expect(await site.publicClient.getBalance({ address: reader.address })).toBe(0n);
    const rows = await db().relay.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.kind, r.state, r.openBlock])).toEqual([
      ["open", "mined", created.open_block],
      ["topup", "mined", created.open_block],
    ]);
  });

  it("refuses a top-up of a channel the contract does not hold, or signed for another channel", async () => {
    const reader = await ethlessReader();
    const created = await relayedOpen(reader);
    await expectRefused(
      async () => postTopUp(reader.address, 7, await topUpBody(reader, 7)),
      reader.address,
      404,
      /^channel: .* has no open channel to this site opened in block 7$/,
    );
    const forOther = await topUpBody(reader, created.open_block + 1);
    await expectRefused(
      () => postTopUp(reader.address, created.open_block, forOther),
      reader.address,
      400,
      /^signature: not the sender's ReceiveWithAuthorization for this channel and amount/,
    );
  });
});

describe("refusals: nothing sent, nothing recorded", () => {
  it("a replayed authorization (409), before and after it was mined", async () => {
    const reader = await ethlessReader();
    const body = await openBody(reader);
    expect((await postOpen(body)).status).toBe(201);
    await expectRefused(
      () => postOpen(body),
      reader.address,
      409,
      /^salt: this authorization was already used or canceled/,
    );
  });

  it("an authorization for another receiver (400 naming the signature)", async () => {
    const reader = await ethlessReader();
    const other = privateKeyToAccount(generatePrivateKey()).address;
    const body = await openBody(reader, { receiver: other });
    await expectRefused(
      () => postOpen(body),
      reader.address,
      400,
      /^signature: not the sender's ReceiveWithAuthorization for this receiver, signer and deposit/,
    );
  });

  it("an authorization for another signer, or with another deposit (400)", async () => {
    const reader = await ethlessReader();
    const session = privateKeyToAccount(generatePrivateKey()).address;
    const body = await openBody(reader, { signer: session });
    for (const changed of [
      { ...body, signer: zeroAddress },
      { ...body, signer: reader.address },
      { ...body, deposit: String(6n * USD) },
    ])
      await expectRefused(() => postOpen(changed), reader.address, 400, /^signature: /);
  });

  it("a deposit under the relay's minimum (400 naming deposit)", async () => {
    const reader = await ethlessReader();
    const body = await openBody(reader, { deposit: USD - 1n });
    await expectRefused(
      () => postOpen(body),
      reader.address,
      400,
      /^deposit: 999999 is below the relay's minimum of 1000000 base units$/,
    );
  });

  it("a sender without the tokens (409 naming sender)", async () => {
    const reader = await ethlessReader(0n);
    const body = await openBody(reader);
    await expectRefused(
      () => postOpen(body),
      reader.address,
      409,
      /^sender: holds 0 base units of the token, less than the 5000000 authorized$/,
    );
  });

  it("an expired authorization, one expiring too soon, one not valid yet (400)", async () => {
    const reader = await ethlessReader();
    const now = await chainNow();
    const cases: [OpenOptions, RegExp][] = [
      [{ validBefore: now - 1n }, /^valid_before: has passed/],
      [{ validBefore: now + 5n }, /^valid_before: must leave at least 60 seconds/],
      [{ validAfter: now + 100n }, /^valid_after: not valid yet/],
    ];
    for (const [o, pattern] of cases) {
      const body = await openBody(reader, o);
      await expectRefused(() => postOpen(body), reader.address, 400, pattern);
    }
  });

  it("a request from another site's page (403, the Origin rule)", async () => {
    const reader = await ethlessReader();
    const body = await openBody(reader);
    await expectRefused(
      () =>
        channelsRoute.POST(
          apiRequest("/api/1/channels", {
            method: "POST",
            body,
            headers: { origin: "https://evil.example" },
          }),
        ),
      reader.address,
      403,
      /^forbidden: Origin https:\/\/evil\.example is not this site's origin/,
    );
  });

  it("a malformed body (400 naming the field)", async () => {
    const reader = await ethlessReader();
    const body = await openBody(reader);
    await expectRefused(
      () => postOpen({ ...body, salt: "0x12" }),
      reader.address,
      400,
      /^salt: must be 0x-prefixed 32-byte hex$/,
    );
    await expectRefused(
      () => postOpen({ ...body, valid_before: undefined }),
      reader.address,
      400,
      /^valid_before: is required$/,
    );
  });

  it("the rate per sender (429)", async () => {
    const reader = await ethlessReader(50n * USD);
    for (let i = 0; i < 3; i++) await relayedOpen(reader, { deposit: USD });
    const body = await openBody(reader, { deposit: USD });
    await expectRefused(
      () => postOpen(body),
      reader.address,
      429,
      /^rate: .* had 3 relays in the last hour, the most this site relays per sender \(RELAY_MAX_PER_SENDER_PER_HOUR=3\)$/,
    );
    // Another sender is not affected.
    await relayedOpen(await ethlessReader(), { deposit: USD });
  });

  it("the rate per client IP (429), whatever the client puts in front of X-Forwarded-For", async () => {
    await withEnv({ RELAY_MAX_PER_IP_PER_HOUR: "2" }, async () => {
      await relayedOpen(await ethlessReader(), {}, "192.0.2.7");
      await relayedOpen(await ethlessReader(), {}, "192.0.2.7");
      const reader = await ethlessReader();
      const body = await openBody(reader);
      await expectRefused(
        () => postOpen(body, "192.0.2.7"),
        reader.address,
        429,
        /^rate: your address had 2 relays in the last hour.*RELAY_MAX_PER_IP_PER_HOUR=2/,
      );
      // Another client address is not affected.
      expect((await postOpen(body, "192.0.2.8")).status).toBe(201);
    });
  });

  it("the daily gas budget (503), counting what relays spent", async () => {
    const reader = await ethlessReader();
    await relayedOpen(reader);
    const [row] = await db().relay.findMany();
    const spent = BigInt(row!.gasCost);
    expect(spent).toBeGreaterThan(0n);
    // Room for less than one more relay.
    await withEnv({ RELAY_DAILY_GAS_BUDGET_WEI: String(spent + spent / 2n) }, async () => {
      const body = await openBody(reader);
      await expectRefused(
        () => postOpen(body),
        reader.address,
        503,
        new RegExp(`^relay: the gas budget is spent \\(${spent} of ${spent + spent / 2n} wei`),
      );
    });
  });

  it("the receiver's ETH at its dispute reserve (503)", async () => {
    const reader = await ethlessReader();
    const eth = await site.publicClient.getBalance({ address: site.receiver.address });
    await withEnv({ MIN_RECEIVER_ETH_WEI: String(eth) }, async () => {
      const body = await openBody(reader);
      await expectRefused(
        () => postOpen(body),
        reader.address,
        503,
        /^relay: the receiver's ETH .* would fall below the .* wei it keeps for disputes/,
      );
    });
  });

  it("relaying turned off (503), for opens and top-ups", async () => {
    const reader = await ethlessReader();
    const created = await relayedOpen(reader);
    await withEnv({ RELAY_ENABLED: "false" }, async () => {
      const body = await openBody(reader);
      await expectRefused(
        () => postOpen(body),
        reader.address,
        503,
        /^relay: relayed opens and top-ups are disabled on this site \(RELAY_ENABLED\)/,
      );
      const topUp = await topUpBody(reader, created.open_block);
      await expectRefused(
        () => postTopUp(reader.address, created.open_block, topUp),
        reader.address,
        503,
        /disabled on this site/,
      );
    });
  });
});
