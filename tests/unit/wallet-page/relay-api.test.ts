/**
 * The wallet page's relay calls with a stand-in site: the relayed close's request (a CloseRequest
 * signed by the given signer, for the channel's balance), its one retry at the site's balance when
 * ours is stale, a 202 followed to the mined status, and the faucet's answer and refusals.
 */
import { describe, expect, it } from "vitest";
import type { Address, Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { SiteApiError } from "@/components/wallet-page/explain-error";
import { requestRelayedClose, requestTestTokens } from "@/components/wallet-page/relay-api";
import { channelDomain, recoverCloseRequestSigner } from "@/lib/protocol";
import type { PayerChannel } from "@/lib/protocol/client";

const reader = privateKeyToAccount(generatePrivateKey());
const receiver = privateKeyToAccount(generatePrivateKey()).address;
const contract = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address;
const TX = `0x${"ab".repeat(32)}` as Hex;

const channel: PayerChannel = {
  chainId: 31337,
  contract,
  token: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  receiver,
  sender: reader.address,
  signer: reader.address,
  openBlock: 12,
  deposit: 1000n,
  balance: 30n,
  signature: `0x${"11".repeat(65)}` as Hex,
  state: "open",
};

type Call = { url: string; method: string; body: Record<string, unknown> | null };

/** A site answering each call with the next of `answers`; records the calls. */
function standIn(answers: Array<[number, unknown]>) {
  const calls: Call[] = [];
  const fetch = (async (url: string, init?: RequestInit) => {
    calls.push({
      url,
      method: init?.method ?? "GET",
      body: init?.body ? (JSON.parse(String(init.body)) as Record<string, unknown>) : null,
    });
    const [status, body] = answers.shift()!;
    return new Response(JSON.stringify(body), { status });
  }) as typeof globalThis.fetch;
  return {
    calls,
    site: { origin: "http://site.test", host: "site.test", gatewayPath: "/api/1", fetch },
  };
}

const closeSigner = async (body: Record<string, unknown>) => {
  const req = body.close_request as { nonce: Hex; expires: string; signature: Hex };
  return recoverCloseRequestSigner(
    channelDomain({ chainId: 31337, contract }),
    {
      sender: reader.address,
      receiver,
      openBlockNumber: 12,
      balance: BigInt(body.balance as string),
      nonce: req.nonce,
      expires: BigInt(req.expires),
    },
    req.signature,
  );
};

describe("requestRelayedClose", () => {
  it("posts the balance, its proof and a CloseRequest signed by the signer", async () => {
    const { calls, site } = standIn([[201, { tx_hash: TX, balance: "30", refund: "970" }]]);
    const closed = await requestRelayedClose(site, channel, { account: reader });
    expect(closed).toEqual({ txHash: TX, balance: 30n });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      url: `http://site.test/api/1/channels/${reader.address}/12/close`,
      method: "POST",
      body: { balance: "30", balance_signature: channel.signature },
    });
    expect(await closeSigner(calls[0]!.body!)).toBe(reader.address);
  });

  it("asks once more at the site's balance when ours is stale", async () => {
    const { calls, site } = standIn([
      [409, { error: "balance: is not the last accepted balance", balance: "45" }],
      [201, { tx_hash: TX, balance: "45", refund: "955" }],
    ]);
    expect(await requestRelayedClose(site, channel, { account: reader })).toEqual({
      txHash: TX,
      balance: 45n,
    });
    expect(calls[1]!.body).toMatchObject({ balance: "45" });
    expect(calls[1]!.body).not.toHaveProperty("balance_signature");
    expect(await closeSigner(calls[1]!.body!)).toBe(reader.address);
  });

  it("follows a 202 to the mined status", async () => {
    const { calls, site } = standIn([
      [202, { status: "pending", tx_hash: TX, status_url: `/api/1/relays/${TX}` }],
      [200, { status: "pending", kind: "close", amount: "30" }],
      [200, { status: "mined", kind: "close", tx_hash: TX, amount: "30" }],
    ]);
    expect(await requestRelayedClose(site, channel, { account: reader })).toEqual({
      txHash: TX,
      balance: 30n,
    });
    expect(calls.map((c) => c.url).slice(1)).toEqual([
      `http://site.test/api/1/relays/${TX}`,
      `http://site.test/api/1/relays/${TX}`,
    ]);
  }, 10_000);

  it("throws the site's refusal", async () => {
    const { site } = standIn([[503, { error: "relay: the gas budget is spent (…)" }]]);
    const err = await requestRelayedClose(site, channel, { account: reader }).catch((e) => e);
    expect(err).toBeInstanceOf(SiteApiError);
    expect(err).toMatchObject({ status: 503, message: "relay: the gas budget is spent (…)" });
  });
});

describe("requestTestTokens", () => {
  it("posts the address and returns the amount granted", async () => {
    const { calls, site } = standIn([
      [201, { tx_hash: TX, address: reader.address, amount: "20000000" }],
    ]);
    expect(await requestTestTokens(site, reader.address)).toBe(20_000_000n);
    expect(calls[0]).toMatchObject({
      url: "http://site.test/api/1/faucet",
      body: { address: reader.address },
    });
  });

  it("throws a 429 as the site said it", async () => {
    const { site } = standIn([[429, { error: "rate: got test tokens less than 10 minutes ago" }]]);
    await expect(requestTestTokens(site, reader.address)).rejects.toMatchObject({ status: 429 });
  });
});
