/**
 * Who may close a channel cooperatively (`DELETE /api/1/channels/:sender/:open_block`): only its
 * sender or its signer, proven by a SIWE session or a signed, single-use, short-lived
 * CloseRequest. Showing the latest balance proof (which the paywall's corrective 402 hands to
 * anyone who shows an older one) is not enough. Real anvil, contracts and SQLite.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { createWalletClient, http, type Address, type Hex, type PrivateKeyAccount } from "viem";
import * as channelRoute from "@/app/api/1/channels/[sender]/[open_block]/route";
import { CLOSE_REQUEST_MAX_TTL_SECONDS } from "@/lib/api/cooperative-close";
import { buildChain } from "@/lib/chain/chain";
import { db } from "@/lib/db/client";
import {
  channelDomain,
  CLOSE_REQUEST_TYPE_STRING,
  closeRequestTypes,
  recoverClosingProofSigner,
} from "@/lib/protocol";
import { API_TOKEN, setupSiteFixture, TOKEN, type SiteFixture } from "../helpers/site-fixture";
import {
  apiRequest,
  closeRequestFor,
  cooperativeCloseOnChain,
  ctx,
  insertChannel,
  proofFor,
  signIn,
  type CloseRequestJson,
  type RequestOptions,
} from "./api-helpers";

let site: SiteFixture;
let reader: PrivateKeyAccount;
let sessionKey: PrivateKeyAccount;
let stranger: PrivateKeyAccount;
setupSiteFixture((s) => {
  site = s;
  [reader, sessionKey, stranger] = [s.readers[0]!, s.readers[1]!, s.readers[2]!];
});
beforeEach(async () => {
  await db().channel.deleteMany();
  await db().authNonce.deleteMany();
});

const now = () => BigInt(Math.floor(Date.now() / 1000));

/** DELETE with the channel's latest proof (as the corrective 402 shows it) and `extra` credentials. */
async function close(
  openBlock: number,
  opts: RequestOptions & { closeRequest?: CloseRequestJson; body?: Record<string, unknown> } = {},
) {
  const row = await db().channel.findUniqueOrThrow({
    where: { sender_openBlock: { sender: reader.address, openBlock } },
  });
  const body = opts.body ?? {
    balance: row.balance,
    balance_signature: row.signature ?? (await proofFor(site, channelOf(openBlock, row), 0n)),
    ...(opts.closeRequest ? { close_request: opts.closeRequest } : {}),
  };
  const res = await channelRoute.DELETE(
    apiRequest(`/api/1/channels/${reader.address}/${openBlock}`, {
      ...opts,
      method: "DELETE",
      body,
    }),
    ctx({ sender: reader.address, open_block: String(openBlock) }),
  );
  return {
    status: res.status,
    body: (await res.json()) as { error?: string; close_signature?: Hex },
  };
}

function channelOf(openBlock: number, row: { signer: string }) {
  return {
    reader,
    openBlock,
    signer: row.signer === sessionKey.address ? sessionKey : undefined,
  };
}

async function closeSigned(openBlock: number): Promise<boolean> {
  const row = await db().channel.findUniqueOrThrow({
    where: { sender_openBlock: { sender: reader.address, openBlock } },
  });
  return row.closeSigned;
}

describe("without the sender's credentials", () => {
  it("answers 401 naming what is missing to a stranger who shows the latest proof", async () => {
    await insertChannel(site, { reader, openBlock: 10, balance: 5n });
    const res = await close(10);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/^authentication required: send close_request/);
    expect(res.body.error).toMatch(/sign in with Ethereum/);
    expect(await closeSigned(10)).toBe(false);
  });

  it.each([
    ["a stranger's session", () => signIn(stranger, site.deployment.chainId)],
    ["the receiver's (operator's) session", () => signIn(site.receiver, site.deployment.chainId)],
  ])("answers 403 to %s", async (_name, cookie) => {
    await insertChannel(site, { reader, openBlock: 11, balance: 5n });
    const res = await close(11, { cookie: await cookie() });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatch(/^forbidden: signed in as 0x[0-9a-fA-F]{40}, not the sender/);
    expect(await closeSigned(11)).toBe(false);
  });

  it("answers 403 to the bearer API token", async () => {
    await insertChannel(site, { reader, openBlock: 12, balance: 5n });
    const res = await close(12, { bearer: API_TOKEN });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatch(/API token cannot close/);
    expect(await closeSigned(12)).toBe(false);
  });

  it("answers 403 to a close request signed by a stranger", async () => {
    await insertChannel(site, { reader, openBlock: 13, balance: 5n });
    const closeRequest = await closeRequestFor(site, { reader, openBlock: 13 }, 5n, {
      by: stranger,
    });
    const res = await close(13, { closeRequest });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe(
      `forbidden: close_request is signed by ${stranger.address}, not the sender ${reader.address}`,
    );
    expect(await closeSigned(13)).toBe(false);
  });

  it.each<[string, { balance?: bigint; openBlock?: number; contract?: Address }]>([
    ["another balance", { balance: 4n }],
    ["another channel", { openBlock: 99 }],
    ["another contract", { contract: "0x000000000000000000000000000000000000dEaD" }],
  ])("answers 403 to the sender's close request for %s", async (_name, change) => {
    await insertChannel(site, { reader, openBlock: 14, balance: 5n });
    const closeRequest = await closeRequestFor(
      site,
      { reader, openBlock: change.openBlock ?? 14 },
      change.balance ?? 5n,
      { contract: change.contract },
    );
    expect((await close(14, { closeRequest })).status).toBe(403);
    expect(await closeSigned(14)).toBe(false);
  });
});

describe("with the sender's or signer's session", () => {
  it("closes for the signed-in sender, repeatably", async () => {
    await insertChannel(site, { reader, openBlock: 20, balance: 5n });
    const cookie = await signIn(reader, site.deployment.chainId);
    const first = await close(20, { cookie });
    expect(first.status).toBe(200);
    expect(await closeSigned(20)).toBe(true);
    expect(await close(20, { cookie })).toEqual(first);
  });

  it("closes for the channel's signer (a browser session key) signed in", async () => {
    await insertChannel(site, { reader, openBlock: 21, balance: 5n, signer: sessionKey });
    const cookie = await signIn(sessionKey, site.deployment.chainId);
    const res = await close(21, { cookie });
    expect(res.status).toBe(200);
    expect(
      await recoverClosingProofSigner(
        channelDomain({ chainId: site.deployment.chainId, contract: site.deployment.contract }),
        {
          sender: reader.address,
          receiver: site.receiver.address,
          openBlockNumber: 21,
          balance: 5n,
        },
        res.body.close_signature!,
      ),
    ).toBe(site.receiver.address);
  });

  it("names the signer in the 403 of a channel with a session key", async () => {
    await insertChannel(site, { reader, openBlock: 22, balance: 5n, signer: sessionKey });
    const res = await close(22, { cookie: await signIn(stranger, site.deployment.chainId) });
    expect(res.body.error).toBe(
      `forbidden: signed in as ${stranger.address}, not the sender ${reader.address} or its signer ${sessionKey.address}`,
    );
  });
});

describe("with a signed close request", () => {
  it("closes once for a request by the sender; the nonce cannot be replayed", async () => {
    await insertChannel(site, { reader, openBlock: 30, balance: 5n });
    const closeRequest = await closeRequestFor(site, { reader, openBlock: 30 }, 5n);
    const first = await close(30, { closeRequest });
    expect(first.status).toBe(200);
    expect(first.body.close_signature).toMatch(/^0x[0-9a-f]{130}$/);
    expect(await closeSigned(30)).toBe(true);

    const replay = await close(30, { closeRequest });
    expect(replay).toEqual({
      status: 401,
      body: { error: "close_request.nonce: already used", code: "unauthenticated" },
    });
    // A fresh request gets the same closing signature.
    const again = await close(30, {
      closeRequest: await closeRequestFor(site, { reader, openBlock: 30 }, 5n),
    });
    expect(again).toEqual(first);
  });

  it("closes for a request by the channel's signer", async () => {
    await insertChannel(site, { reader, openBlock: 31, balance: 5n, signer: sessionKey });
    const closeRequest = await closeRequestFor(site, { reader, openBlock: 31 }, 5n, {
      by: sessionKey,
    });
    expect((await close(31, { closeRequest })).status).toBe(200);
  });

  it("is checked before a session: a bad request is refused even when signed in", async () => {
    await insertChannel(site, { reader, openBlock: 32, balance: 5n });
    const cookie = await signIn(reader, site.deployment.chainId);
    const closeRequest = await closeRequestFor(site, { reader, openBlock: 32 }, 5n, {
      by: stranger,
    });
    expect((await close(32, { cookie, closeRequest })).status).toBe(403);
  });

  it("accepts one of two concurrent uses of a nonce", async () => {
    await insertChannel(site, { reader, openBlock: 33, balance: 5n });
    const closeRequest = await closeRequestFor(site, { reader, openBlock: 33 }, 5n);
    const results = await Promise.all([close(33, { closeRequest }), close(33, { closeRequest })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it("does not spend the nonce of a request refused for its balance proof", async () => {
    await insertChannel(site, { reader, openBlock: 34, balance: 5n });
    const closeRequest = await closeRequestFor(site, { reader, openBlock: 34 }, 5n);
    const bad = await close(34, {
      body: {
        balance: "5",
        balance_signature: await proofFor(site, { reader, openBlock: 34, signer: stranger }, 5n),
        close_request: closeRequest,
      },
    });
    expect(bad.status).toBe(409);
    expect((await close(34, { closeRequest })).status).toBe(200);
  });

  it.each([
    ["has passed", () => now() - 1n, 401, /^close_request\.expires: has passed$/],
    ["is now", () => now(), 401, /^close_request\.expires: has passed$/],
    [
      "is too far ahead",
      () => now() + BigInt(CLOSE_REQUEST_MAX_TTL_SECONDS) + 120n,
      400,
      /^close_request\.expires: must be at most 600 seconds ahead$/,
    ],
  ])("refuses a request whose expiry %s", async (_name, expires, status, error) => {
    await insertChannel(site, { reader, openBlock: 35, balance: 5n });
    const closeRequest = await closeRequestFor(site, { reader, openBlock: 35 }, 5n, {
      expires: expires(),
    });
    const res = await close(35, { closeRequest });
    expect(res.status).toBe(status);
    expect(res.body.error).toMatch(error);
    expect(await closeSigned(35)).toBe(false);
  });

  it("accepts a request valid for the full 10 minutes", async () => {
    await insertChannel(site, { reader, openBlock: 36, balance: 5n });
    const closeRequest = await closeRequestFor(site, { reader, openBlock: 36 }, 5n, {
      expires: now() + BigInt(CLOSE_REQUEST_MAX_TTL_SECONDS),
    });
    expect((await close(36, { closeRequest })).status).toBe(200);
    const row = await db().authNonce.findUniqueOrThrow({
      where: { kind_nonce: { kind: "close", nonce: closeRequest.nonce } },
    });
    expect(row.expiresAt.getTime()).toBe(Number(closeRequest.expires) * 1000);
  });

  it("answers 401 for a signature that does not recover", async () => {
    await insertChannel(site, { reader, openBlock: 37, balance: 5n });
    const closeRequest = await closeRequestFor(site, { reader, openBlock: 37 }, 5n);
    const highS = { ...closeRequest, signature: `0x${"11".repeat(32)}${"ff".repeat(32)}1b` as Hex };
    const res = await close(37, { closeRequest: highS });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/^close_request\.signature: /);
  });

  it.each([
    ["close_request", null],
    ["close_request.nonce", { expires: "1", signature: `0x${"11".repeat(65)}` }],
    ["close_request.nonce", { nonce: "0x1234", expires: "1", signature: `0x${"11".repeat(65)}` }],
    ["close_request.expires", { nonce: `0x${"ab".repeat(32)}`, signature: `0x${"11".repeat(65)}` }],
    [
      "close_request.expires",
      { nonce: `0x${"ab".repeat(32)}`, expires: "-1", signature: `0x${"11".repeat(65)}` },
    ],
    [
      "close_request.expires",
      { nonce: `0x${"ab".repeat(32)}`, expires: (2n ** 64n).toString(), signature: "0x" },
    ],
    ["close_request.signature", { nonce: `0x${"ab".repeat(32)}`, expires: "1" }],
    ["close_request.signature", { nonce: `0x${"ab".repeat(32)}`, expires: 1, signature: "0x12" }],
  ])("answers 400 naming %s for %j", async (field, closeRequest) => {
    await insertChannel(site, { reader, openBlock: 38, balance: 5n });
    const res = await close(38, {
      body: {
        balance: "5",
        balance_signature: await proofFor(site, { reader, openBlock: 38 }, 5n),
        close_request: closeRequest,
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(new RegExp(`^${field.replace(".", "\\.")}: `));
  });
});

describe("interoperability", () => {
  it("accepts a request signed through a wallet's eth_signTypedData_v4, and the close settles on chain", async () => {
    const deposit = 4n * TOKEN;
    const openBlock = await site.openChannel(reader, deposit);
    await insertChannel(site, { reader, openBlock, deposit, balance: TOKEN });
    const nonce = `0x${"5a".repeat(32)}` as Hex;
    const expires = now() + 300n;
    // anvil's unlocked account signs: an implementation independent of the site's viem code.
    const wallet = createWalletClient({
      chain: buildChain(site.deployment.chainId, site.rpcUrl),
      transport: http(site.rpcUrl),
    });
    const signature = await wallet.signTypedData({
      account: reader.address,
      domain: channelDomain({
        chainId: site.deployment.chainId,
        contract: site.deployment.contract,
      }),
      types: closeRequestTypes,
      primaryType: "CloseRequest",
      message: {
        sender: reader.address,
        receiver: site.receiver.address,
        openBlockNumber: openBlock,
        balance: TOKEN,
        nonce,
        expires,
      },
    });
    const res = await close(openBlock, {
      closeRequest: { nonce, expires: expires.toString(), signature },
    });
    expect(res.status).toBe(200);

    await cooperativeCloseOnChain(
      site,
      { reader, openBlock },
      TOKEN,
      await proofFor(site, { reader, openBlock }, TOKEN),
      res.body.close_signature!,
    );
  });

  it("hashes the documented type string", () => {
    const fields = closeRequestTypes.CloseRequest.map((f) => `${f.type} ${f.name}`).join(",");
    expect(`CloseRequest(${fields})`).toBe(CLOSE_REQUEST_TYPE_STRING);
  });
});
