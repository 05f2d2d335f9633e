/**
 * Recovering a payer's channels from the chain after its store was lost entirely, against the real
 * site (`next start`, anvil with a block a second, the indexer running, CONFIRMATIONS=1): no second
 * channel beside the forgotten one, the site's corrective 402 restores the balance, and the deposit
 * comes back on close.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address, Hex, LocalAccount } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { microTransferChannelsAbi } from "@/lib/chain/abi";
import {
  createPayer,
  memoryChannelStore,
  type PayerChannelStore,
  type PayerEvent,
} from "@/lib/protocol/client";
import {
  channelsCreatedBy,
  startSiteServer,
  tokenBalance,
  type SiteServer,
} from "../../helpers/site-server";

const TOKEN = 10n ** 18n;
const PRICE = 5n; // /api/echo/fix/*

let site: SiteServer;

beforeAll(async () => {
  site = await startSiteServer();
}, 180_000);

afterAll(async () => {
  await site?.stop();
});

function newPayer(
  key: Hex,
  opts: { store?: PayerChannelStore; sessionSigner?: LocalAccount } = {},
) {
  const events: PayerEvent[] = [];
  const store = opts.store ?? memoryChannelStore();
  const payer = createPayer({
    account: privateKeyToAccount(key),
    sessionSigner: opts.sessionSigner,
    publicClient: site.publicClient,
    store,
    policy: { confirmationTimeoutMs: 30_000 },
    pollingIntervalMs: 200,
    onEvent: (e) => events.push(e),
  });
  return { payer, events, store };
}

const types = (events: PayerEvent[]) => events.map((e) => e.type);

/** getChannelInfo, or null when the contract no longer knows the channel (settled). */
async function channelInfo(sender: Address, openBlock: number) {
  try {
    const info = await site.publicClient.readContract({
      address: site.deployment.contract,
      abi: microTransferChannelsAbi,
      functionName: "getChannelInfo",
      args: [sender, site.receiver, openBlock],
    });
    return { deposit: info[1], settleBlock: info[2], withdrawn: info[4], signer: info[5] };
  } catch {
    return null;
  }
}

describe("payer channel recovery", () => {
  it("a payer with an empty store recovers the channel, resumes from the site's balance and closes it", async () => {
    const { key, address } = await site.fundedAccount(100n * TOKEN);
    const a = newPayer(key);
    for (const p of ["/api/echo/fix/one", "/api/echo/fix/two"]) {
      expect((await a.payer.fetch(`${site.url}${p}`)).status, p).toBe(200);
    }
    const [original] = await a.payer.channels();
    expect(original!.balance).toBe(2n * PRICE);

    // Same key, nothing stored: the channel is found on chain and the site's proof adopted.
    const b = newPayer(key);
    expect((await b.payer.fetch(`${site.url}/api/echo/fix/three`)).status).toBe(200);
    expect(types(b.events)).toContain("channel-recovered");
    expect(types(b.events)).not.toContain("opening-channel");
    expect(b.events).toContainEqual(
      expect.objectContaining({ type: "adopted-server-balance", from: 0n, to: 2n * PRICE }),
    );
    expect(await channelsCreatedBy(site, address)).toHaveLength(1);
    const [channel, ...others] = await b.payer.channels();
    expect(others).toEqual([]);
    expect(channel).toMatchObject({
      openBlock: original!.openBlock,
      deposit: original!.deposit,
      signer: address,
      balance: 3n * PRICE,
      state: "open",
      siteOrigin: site.url,
    });
    expect(channel!.signerUnavailable).toBeUndefined();

    // The cooperative close pays the receiver 3 × price and returns the rest of the deposit.
    const info = await channelInfo(address, channel!.openBlock);
    const [senderBefore, receiverBefore] = await Promise.all([
      tokenBalance(site, address),
      tokenBalance(site, site.receiver),
    ]);
    const result = await b.payer.close(channel!, { siteOrigin: site.url });
    expect(result.cooperative).toBe(true);
    const [senderAfter, receiverAfter] = await Promise.all([
      tokenBalance(site, address),
      tokenBalance(site, site.receiver),
    ]);
    expect(receiverAfter - receiverBefore + info!.withdrawn).toBe(3n * PRICE);
    expect(senderAfter - senderBefore).toBe(channel!.deposit - 3n * PRICE);
    expect(await channelInfo(address, channel!.openBlock)).toBeNull();

    // A settled channel is not recovered.
    const c = newPayer(key);
    expect(
      await c.payer.recover({ contract: site.deployment.contract, receiver: site.receiver }),
    ).toEqual([]);
    expect(await c.payer.channels()).toEqual([]);
  }, 120_000);

  it("records a channel whose session key is lost, never pays on it, and closes it cooperatively at the site's last proof", async () => {
    const { key, address } = await site.fundedAccount(100n * TOKEN);
    const session = privateKeyToAccount(generatePrivateKey());
    const a = newPayer(key, { sessionSigner: session });
    expect((await a.payer.fetch(`${site.url}/api/echo/fix/s1`)).status).toBe(200);
    const [sessionChannel] = await a.payer.channels();
    expect(sessionChannel!.signer).toBe(session.address);

    // The store and the session key are gone: the old channel is recorded (flagged), a new one pays.
    const b = newPayer(key);
    expect((await b.payer.fetch(`${site.url}/api/echo/fix/s2`)).status).toBe(200);
    expect(types(b.events)).toContain("channel-recovered");
    expect(types(b.events)).toContain("channel-opened");
    expect(await channelsCreatedBy(site, address)).toHaveLength(2);
    const channels = await b.payer.channels();
    const old = channels.find((c) => c.openBlock === sessionChannel!.openBlock)!;
    const own = channels.find((c) => c.openBlock !== sessionChannel!.openBlock)!;
    expect(old).toMatchObject({
      signer: session.address,
      signerUnavailable: true,
      balance: 0n,
      state: "open",
      deposit: sessionChannel!.deposit,
    });
    expect(own).toMatchObject({ signer: address, balance: PRICE });
    expect(own.signerUnavailable).toBeUndefined();

    // A payer that holds the session key again (same memory store) recovers nothing new but
    // unflags it on an explicit recover.
    const again = newPayer(key, { sessionSigner: session, store: b.store });
    const unflagged = await again.payer.recover({
      contract: site.deployment.contract,
      receiver: site.receiver,
    });
    expect(unflagged).toEqual([expect.objectContaining({ openBlock: old.openBlock })]);
    expect(unflagged[0]!.signerUnavailable).toBeUndefined();
    await b.store.put(old); // flag it again for the close below

    // Close: no proof can be signed for it, but the sender signs the close request and the site
    // answers with its last proof (signed by the lost session key): a cooperative close at it.
    const receiverBefore = await tokenBalance(site, site.receiver);
    const result = await b.payer.close(old, { siteOrigin: site.url });
    expect(result.refusal).toBeUndefined();
    expect(result.cooperative).toBe(true);
    expect(result.channel).toMatchObject({ state: "settled", balance: PRICE });
    expect(types(b.events)).toContain("adopted-server-balance");
    expect(await channelInfo(address, old.openBlock)).toBeNull();
    expect(await tokenBalance(site, site.receiver)).toBe(receiverBefore + PRICE);
  }, 120_000);
});
