/**
 * The `/api/1` operator API against a real anvil, the deployed contracts and a throwaway SQLite
 * file: stats, channel listings and access rules, and the cooperative close (by a signed-in
 * sender) checked on chain.
 */
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { parseEventLogs, type Hex, type PrivateKeyAccount } from "viem";
import * as channelRoute from "@/app/api/1/channels/[sender]/[open_block]/route";
import * as senderRoute from "@/app/api/1/channels/[sender]/route";
import * as channelsRoute from "@/app/api/1/channels/route";
import * as statsRoute from "@/app/api/1/stats/route";
import { demoTokenAbi, microTransferChannelsAbi } from "@/lib/chain/abi";
import { resetChainConfig } from "@/lib/chain/config";
import { db } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { channelDomain, recoverClosingProofSigner } from "@/lib/protocol";
import { API_TOKEN, setupSiteFixture, TOKEN, type SiteFixture } from "../helpers/site-fixture";
import {
  apiRequest,
  cooperativeCloseOnChain,
  ctx,
  insertChannel,
  proofFor,
  signIn,
} from "./api-helpers";

let site: SiteFixture;
setupSiteFixture((s) => {
  site = s;
});

const tokenBalance = (address: `0x${string}`) =>
  site.publicClient.readContract({
    address: site.deployment.token,
    abi: demoTokenAbi,
    functionName: "balanceOf",
    args: [address],
  });

async function json(res: Response) {
  return { status: res.status, body: await res.json() };
}

describe("GET /api/1/stats", () => {
  beforeEach(async () => {
    await db().channel.deleteMany();
    await db().syncState.deleteMany();
  });

  it("sums live channels, reads the liquid balance from chain and names the deployment", async () => {
    const [a, b, c, d] = site.readers;
    await insertChannel(site, {
      reader: a!,
      openBlock: 10,
      deposit: 10n * TOKEN,
      balance: 3n * TOKEN,
    });
    await insertChannel(site, { reader: a!, openBlock: 11, deposit: 5n * TOKEN, balance: 0n });
    await insertChannel(site, {
      reader: b!,
      openBlock: 12,
      deposit: 4n * TOKEN,
      balance: 2n * TOKEN,
      state: "closing",
    });
    // Not counted: an unconfirmed open channel and a settled one.
    await insertChannel(site, { reader: c!, openBlock: 13, deposit: 7n * TOKEN, confirmed: false });
    await insertChannel(site, {
      reader: d!,
      openBlock: 14,
      deposit: 9n * TOKEN,
      balance: 9n * TOKEN,
      state: "settled",
    });
    await db().syncState.create({
      data: {
        id: 1,
        chainId: 31337,
        genesisHash: "0x00",
        contract: site.deployment.contract,
        receiver: site.receiver.address,
        fromBlock: 0,
        syncedBlock: 42,
      },
    });

    const { status, body } = await json(
      await statsRoute.GET(apiRequest("/api/1/stats", { bearer: API_TOKEN })),
    );
    expect(status).toBe(200);
    const { manager_abi, token_abi, ...rest } = body;
    expect(rest).toEqual({
      deposit_sum: (19n * TOKEN).toString(),
      open_channels: 2,
      pending_channels: 1,
      balance_sum: (5n * TOKEN).toString(),
      unique_senders: 2,
      liquid_balance: (await tokenBalance(site.receiver.address)).toString(),
      token_address: site.deployment.token,
      contract_address: site.deployment.contract,
      receiver_address: site.receiver.address,
      chain_id: 31337,
      sync_block: 42,
    });
    expect(manager_abi).toEqual(JSON.parse(JSON.stringify(microTransferChannelsAbi)));
    expect(token_abi).toEqual(JSON.parse(JSON.stringify(demoTokenAbi)));
  });

  it("keeps amounts above 2^64 exact", async () => {
    const big = 2n ** 180n + 1n;
    await insertChannel(site, {
      reader: site.readers[0]!,
      openBlock: 20,
      deposit: big,
      balance: big - 1n,
    });
    await insertChannel(site, {
      reader: site.readers[1]!,
      openBlock: 21,
      deposit: big,
      balance: 1n,
    });
    const { body } = await json(
      await statsRoute.GET(apiRequest("/api/1/stats", { bearer: API_TOKEN })),
    );
    expect(body.deposit_sum).toBe((2n * big).toString());
    expect(body.balance_sum).toBe(big.toString());
    expect(body.sync_block).toBeNull();
  });

  it("answers 502 with a clear message when the RPC is down", async () => {
    const saved = process.env.RPC_URL;
    process.env.RPC_URL = "http://127.0.0.1:9";
    resetEnv();
    resetChainConfig();
    try {
      const { status, body } = await json(
        await statsRoute.GET(apiRequest("/api/1/stats", { bearer: API_TOKEN })),
      );
      expect(status).toBe(502);
      expect(body.error).toMatch(/RPC is unreachable/);
    } finally {
      process.env.RPC_URL = saved;
      resetEnv();
      resetChainConfig();
    }
  });
});

describe("GET /api/1/channels and /api/1/channels/:sender", () => {
  let a: PrivateKeyAccount, b: PrivateKeyAccount;
  beforeAll(async () => {
    [a, b] = [site.readers[0]!, site.readers[1]!];
    await db().channel.deleteMany();
    await insertChannel(site, {
      reader: a,
      openBlock: 30,
      deposit: 10n * TOKEN,
      balance: 1n * TOKEN,
    });
    await insertChannel(site, { reader: a, openBlock: 31, state: "closing" });
    await insertChannel(site, { reader: a, openBlock: 32, state: "settled" });
    await insertChannel(site, { reader: b, openBlock: 33, confirmed: false });
    await insertChannel(site, { reader: b, openBlock: 34, state: "settled" });
  });

  const list = async (query: string) =>
    json(await channelsRoute.GET(apiRequest(`/api/1/channels${query}`, { bearer: API_TOKEN })));
  const blocks = (body: Array<{ open_block: number }>) => body.map((c) => c.open_block);

  it("returns the protocol shape plus the documented extras", async () => {
    const { status, body } = await list("");
    expect(status).toBe(200);
    expect(body[0]).toEqual({
      sender_address: a.address,
      open_block: 30,
      deposit: (10n * TOKEN).toString(),
      balance: (1n * TOKEN).toString(),
      state: "open",
      receiver_address: site.receiver.address,
      signer: a.address,
      confirmed: true,
      withdrawn: "0",
      close_signed: false,
      settle_block: null,
      closing_balance: null,
    });
  });

  it.each([
    ["", [30, 33]],
    ["?status=open", [30, 33]],
    ["?status=closing", [31]],
    ["?status=settled", [32, 34]],
    ["?status=all", [30, 31, 32, 33, 34]],
  ])("filters by state %s", async (query, expected) => {
    const { status, body } = await list(query);
    expect(status).toBe(200);
    expect(blocks(body)).toEqual(expected);
  });

  it.each(["?status=closed", "?status=", "?status=OPEN"])(
    "answers 400 naming status for %s",
    async (query) => {
      const { status, body } = await list(query);
      expect(status).toBe(400);
      expect(body.error).toMatch(/^status: /);
    },
  );

  it("shows a signed-in sender its own channels, with the same filter", async () => {
    const cookie = await signIn(a, site.deployment.chainId);
    const own = (q = "") =>
      senderRoute.GET(
        apiRequest(`/api/1/channels/${a.address.toLowerCase()}${q}`, { cookie }),
        ctx({ sender: a.address.toLowerCase() }),
      );
    expect(blocks((await json(await own())).body)).toEqual([30]);
    expect(blocks((await json(await own("?status=all"))).body)).toEqual([30, 31, 32]);
    expect((await json(await own("?status=nope"))).status).toBe(400);

    const other = await senderRoute.GET(
      apiRequest(`/api/1/channels/${b.address}`, { cookie }),
      ctx({ sender: b.address }),
    );
    expect(other.status).toBe(403);
    const one = await channelRoute.GET(
      apiRequest(`/api/1/channels/${a.address}/30`, { cookie }),
      ctx({ sender: a.address, open_block: "30" }),
    );
    expect(one.status).toBe(200);
    const othersOne = await channelRoute.GET(
      apiRequest(`/api/1/channels/${b.address}/33`, { cookie }),
      ctx({ sender: b.address, open_block: "33" }),
    );
    expect(othersOne.status).toBe(403);
  });

  it("lets the operator list any sender", async () => {
    const res = await senderRoute.GET(
      apiRequest(`/api/1/channels/${b.address}?status=all`, { bearer: API_TOKEN }),
      ctx({ sender: b.address }),
    );
    expect(blocks((await json(res)).body)).toEqual([33, 34]);
  });

  it.each(["0x1234", "not-an-address", `${"0x"}${"g".repeat(40)}`])(
    "answers 400 naming sender for %s",
    async (sender) => {
      const res = await senderRoute.GET(
        apiRequest(`/api/1/channels/${sender}`, { bearer: API_TOKEN }),
        ctx({ sender }),
      );
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatch(/^sender: /);
    },
  );

  it("returns one channel with its last proof, 404 for an unknown one, 400 for a bad open_block", async () => {
    const get = (sender: string, open_block: string) =>
      channelRoute.GET(
        apiRequest(`/api/1/channels/${sender}/${open_block}`, { bearer: API_TOKEN }),
        ctx({ sender, open_block }),
      );
    const { status, body } = await json(await get(a.address, "30"));
    expect(status).toBe(200);
    expect(body).toMatchObject({
      sender_address: a.address,
      open_block: 30,
      balance: (1n * TOKEN).toString(),
      state: "open",
    });
    expect(body.balance_signature).toBe(
      await proofFor(site, { reader: a, openBlock: 30 }, 1n * TOKEN),
    );

    const unknown = await json(await get(a.address, "999"));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatch(/no channel/);
    for (const bad of ["abc", "0", "-1", "4294967296", "1.5"]) {
      const res = await json(await get(a.address, bad));
      expect(res.status, bad).toBe(400);
      expect(res.body.error, bad).toMatch(/^open_block: /);
    }
  });
});

describe("DELETE /api/1/channels/:sender/:open_block (cooperative close)", () => {
  // The sender closes while signed in (api-close-auth.test.ts covers the credentials).
  const cookies = new Map<string, string>();
  async function senderCookie(sender: string): Promise<string | undefined> {
    const account = site.readers.find((r) => r.address.toLowerCase() === sender.toLowerCase());
    if (!account) return undefined;
    if (!cookies.has(account.address))
      cookies.set(account.address, await signIn(account, site.deployment.chainId));
    return cookies.get(account.address);
  }
  const close = async (sender: string, open_block: string | number, body: unknown) =>
    channelRoute.DELETE(
      apiRequest(`/api/1/channels/${sender}/${open_block}`, {
        method: "DELETE",
        body,
        cookie: await senderCookie(sender),
      }),
      ctx({ sender, open_block: String(open_block) }),
    );

  beforeEach(async () => {
    await db().channel.deleteMany();
  });

  it("signs a close that settles on chain with exact token movements", async () => {
    const reader = site.readers[2]!;
    const deposit = 10n * TOKEN;
    const balance = 3n * TOKEN + 7n;
    const openBlock = await site.openChannel(reader, deposit);
    await insertChannel(site, { reader, openBlock, deposit, balance });
    const balanceSig = await proofFor(site, { reader, openBlock }, balance);

    const res = await close(reader.address, openBlock, {
      balance: balance.toString(),
      balance_signature: balanceSig,
    });
    expect(res.status).toBe(200);
    const { close_signature, ...proof } = (await res.json()) as {
      close_signature: Hex;
      balance: string;
      balance_signature: Hex;
    };
    expect(close_signature).toMatch(/^0x[0-9a-f]{130}$/);
    // The answer names the balance proof the close is for (here the one sent).
    expect(proof).toEqual({ balance: balance.toString(), balance_signature: balanceSig });
    const domain = channelDomain({
      chainId: site.deployment.chainId,
      contract: site.deployment.contract,
    });
    const message = {
      sender: reader.address,
      receiver: site.receiver.address,
      openBlockNumber: openBlock,
      balance,
    };
    expect(await recoverClosingProofSigner(domain, message, close_signature)).toBe(
      site.receiver.address,
    );
    const row = await db().channel.findUnique({
      where: { sender_openBlock: { sender: reader.address, openBlock } },
    });
    expect(row!.closeSigned).toBe(true);

    // Repeating the call for the same balance returns the same signature.
    const again = await close(reader.address, openBlock, {
      balance: balance.toString(),
      balance_signature: balanceSig,
    });
    expect(await again.json()).toEqual({ close_signature, ...proof });

    const [receiverBefore, readerBefore] = [
      await tokenBalance(site.receiver.address),
      await tokenBalance(reader.address),
    ];
    const receipt = await cooperativeCloseOnChain(
      site,
      { reader, openBlock },
      balance,
      balanceSig,
      close_signature,
    );
    const settled = parseEventLogs({
      abi: microTransferChannelsAbi,
      logs: receipt.logs,
      eventName: "ChannelSettled",
    });
    expect(settled).toHaveLength(1);
    expect(await tokenBalance(site.receiver.address)).toBe(receiverBefore + balance);
    expect(await tokenBalance(reader.address)).toBe(readerBefore + deposit - balance);
  });

  it("closes a channel without payments at balance 0 (JSON integer accepted)", async () => {
    const reader = site.readers[3]!;
    const openBlock = await site.openChannel(reader, 2n * TOKEN);
    await insertChannel(site, { reader, openBlock, deposit: 2n * TOKEN });
    const sig = await proofFor(site, { reader, openBlock }, 0n);
    const res = await close(reader.address, openBlock, { balance: 0, balance_signature: sig });
    expect(res.status).toBe(200);
    const { close_signature } = await res.json();
    const before = await tokenBalance(reader.address);
    await cooperativeCloseOnChain(site, { reader, openBlock }, 0n, sig, close_signature);
    expect(await tokenBalance(reader.address)).toBe(before + 2n * TOKEN);
  });

  it("accepts only proofs by the channel's signer (a session key), not by the sender", async () => {
    const [reader, sessionKey] = [site.readers[4]!, site.readers[8]!];
    await insertChannel(site, { reader, openBlock: 50, balance: 5n, signer: sessionKey });
    const bySender = await proofFor(site, { reader, openBlock: 50 }, 5n);
    expect(
      (await close(reader.address, 50, { balance: "5", balance_signature: bySender })).status,
    ).toBe(409);
    const bySigner = await proofFor(site, { reader, openBlock: 50, signer: sessionKey }, 5n);
    expect(
      (await close(reader.address, 50, { balance: "5", balance_signature: bySigner })).status,
    ).toBe(200);
  });

  it("answers 409 for a balance that is not the last accepted one", async () => {
    const reader = site.readers[4]!;
    await insertChannel(site, { reader, openBlock: 51, balance: 5n });
    for (const balance of [4n, 6n, 0n]) {
      const sig = await proofFor(site, { reader, openBlock: 51 }, balance);
      const res = await json(
        await close(reader.address, 51, { balance: balance.toString(), balance_signature: sig }),
      );
      expect(res.status).toBe(409);
      expect(res.body.error).toMatch(/^balance: is not the last accepted balance/);
    }
    const row = await db().channel.findUnique({
      where: { sender_openBlock: { sender: reader.address, openBlock: 51 } },
    });
    expect(row!.closeSigned).toBe(false);
  });

  it("answers 409 for a forged signature of the last balance", async () => {
    const [reader, forger] = [site.readers[4]!, site.readers[5]!];
    await insertChannel(site, { reader, openBlock: 52, balance: 5n });
    const forged = await proofFor(site, { reader, openBlock: 52, signer: forger }, 5n);
    const res = await json(
      await close(reader.address, 52, { balance: "5", balance_signature: forged }),
    );
    expect(res.status).toBe(409);
    expect(res.body.error).toMatch(/^balance_signature: not a balance proof/);
    // A proof for another channel of the same sender does not work either.
    const otherChannel = await proofFor(site, { reader, openBlock: 53 }, 5n);
    expect(
      (await close(reader.address, 52, { balance: "5", balance_signature: otherChannel })).status,
    ).toBe(409);
    const row = await db().channel.findUnique({
      where: { sender_openBlock: { sender: reader.address, openBlock: 52 } },
    });
    expect(row!.closeSigned).toBe(false);
  });

  it("answers 409 for a settled channel and 404 for an unknown one", async () => {
    const reader = site.readers[4]!;
    await insertChannel(site, { reader, openBlock: 54, balance: 5n, state: "settled" });
    const sig = await proofFor(site, { reader, openBlock: 54 }, 5n);
    const settled = await json(
      await close(reader.address, 54, { balance: "5", balance_signature: sig }),
    );
    expect(settled).toEqual({
      status: 409,
      body: { error: "channel is already settled", code: "conflict" },
    });

    const unknownSig = await proofFor(site, { reader, openBlock: 55 }, 5n);
    const unknown = await json(
      await close(reader.address, 55, { balance: "5", balance_signature: unknownSig }),
    );
    expect(unknown.status).toBe(404);
  });

  it("answers 409 when a payment moved the balance during the call", async () => {
    const reader = site.readers[4]!;
    const row = await insertChannel(site, { reader, openBlock: 56, balance: 5n });
    const sig = await proofFor(site, { reader, openBlock: 56 }, 5n);
    // The paywall accepts a payment to 6 between our read and our conditional update.
    await db().channel.update({ where: { id: row.id }, data: { balance: "6" } });
    const stale = vi.spyOn(db().channel, "findUnique").mockResolvedValueOnce(row);
    try {
      const res = await json(
        await close(reader.address, 56, { balance: "5", balance_signature: sig }),
      );
      expect(res).toEqual({
        status: 409,
        body: { error: "balance changed, retry with the latest proof", code: "conflict" },
      });
    } finally {
      stale.mockRestore();
    }
    expect((await db().channel.findUnique({ where: { id: row.id } }))!.closeSigned).toBe(false);
  });

  it("tells the authenticated sender its last proof when the balance sent is stale", async () => {
    const reader = site.readers[4]!;
    const row = await insertChannel(site, { reader, openBlock: 58, balance: 5n });
    // A sender that lost its state: balance 0, no proof of its own.
    const res = await json(await close(reader.address, 58, { balance: "0" }));
    expect(res).toEqual({
      status: 409,
      body: {
        error: "balance: is not the last accepted balance of this channel",
        code: "conflict",
        balance: "5",
        balance_signature: row.signature,
      },
    });
    expect((await db().channel.findUnique({ where: { id: row.id } }))!.closeSigned).toBe(false);
    // At the last balance it may leave its proof out: the site's own copy is used and returned.
    const again = await json(await close(reader.address, 58, { balance: "5" }));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ balance: "5", balance_signature: row.signature });
    expect((await db().channel.findUnique({ where: { id: row.id } }))!.closeSigned).toBe(true);
  });

  it("needs the sender's own proof for a channel nothing was paid on", async () => {
    const reader = site.readers[4]!;
    await insertChannel(site, { reader, openBlock: 59 });
    const res = await json(await close(reader.address, 59, { balance: "0" }));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/^balance_signature: is required/);
  });

  it.each([
    ["body", "not json"],
    ["body", '"a string"'],
    ["balance", { balance_signature: `0x${"11".repeat(65)}` }],
    ["balance", { balance: "-1", balance_signature: `0x${"11".repeat(65)}` }],
    ["balance", { balance: "1.5", balance_signature: `0x${"11".repeat(65)}` }],
    ["balance", { balance: -1, balance_signature: `0x${"11".repeat(65)}` }],
    ["balance", { balance: (2n ** 192n).toString(), balance_signature: `0x${"11".repeat(65)}` }],
    ["balance_signature", { balance: "5", balance_signature: "0x1234" }],
    ["balance_signature", { balance: "5", balance_signature: `${"11".repeat(65)}` }],
  ])("answers 400 naming %s for a malformed body %j", async (field, body) => {
    const reader = site.readers[4]!;
    await insertChannel(site, { reader, openBlock: 57, balance: 5n });
    const res = await json(await close(reader.address, 57, body));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(new RegExp(`^${field}: `));
  });

  it("answers 400 naming sender or open_block for malformed path params", async () => {
    const body = { balance: "5", balance_signature: `0x${"11".repeat(65)}` };
    expect((await json(await close("0xnope", 57, body))).body.error).toMatch(/^sender: /);
    expect((await json(await close(site.readers[4]!.address, "x", body))).body.error).toMatch(
      /^open_block: /,
    );
  });
});
