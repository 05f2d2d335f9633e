/**
 * The payer core's signer and funding paths against the real site (`next start`, anvil with a
 * block a second, the indexer running): a session key as the channel's signer (what the browser's
 * auto-pay builds on), a site that wants more confirmations than the payer waits for, and an
 * account without ETH for gas.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAddressEqual, type Address, type Hex, type LocalAccount } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { microTransferChannelsAbi } from "@/lib/chain/abi";
import { channelDomain, recoverBalanceProofSigner } from "@/lib/protocol";
import {
  createPayer,
  memoryChannelStore,
  PayerError,
  type PayerChannelStore,
  type PayerEvent,
  type SpendingPolicy,
} from "@/lib/protocol/client";
import { channelsCreatedBy, startSiteServer, type SiteServer } from "../../helpers/site-server";

const TOKEN = 10n ** 18n;
const API_TOKEN = "client-api-token-0123456789";

/** A local account whose typed-data signatures are recorded by primary type. */
function countingAccount(account: LocalAccount): { account: LocalAccount; signed: string[] } {
  const signed: string[] = [];
  const wrapped: LocalAccount = {
    ...account,
    signTypedData: ((typedData: { primaryType: string }) => {
      signed.push(typedData.primaryType);
      return account.signTypedData(typedData as Parameters<LocalAccount["signTypedData"]>[0]);
    }) as LocalAccount["signTypedData"],
  };
  return { account: wrapped, signed };
}

/** A balance proof as the payer sent it, with the site's answer. */
interface SentProof {
  openBlock: number;
  balance: bigint;
  signature: Hex;
  status: number;
}

/** A fetch that records every balance proof the payer sends and the status it got. */
function recordingFetch(): { fetch: typeof fetch; proofs: SentProof[] } {
  const proofs: SentProof[] = [];
  const recording: typeof fetch = async (input, init) => {
    const headers = input instanceof Request ? input.headers : new Headers(init?.headers);
    const res = await globalThis.fetch(input, init);
    const signature = headers.get("RDN-Balance-Signature");
    if (signature) {
      proofs.push({
        openBlock: Number(headers.get("RDN-Open-Block")),
        balance: BigInt(headers.get("RDN-Sender-Balance")!),
        signature: signature as Hex,
        status: res.status,
      });
    }
    return res;
  };
  return { fetch: recording, proofs };
}

function payerFor(
  site: SiteServer,
  opts: {
    account: LocalAccount;
    sessionSigner?: LocalAccount;
    store?: PayerChannelStore;
    policy?: SpendingPolicy;
    fetch?: typeof fetch;
  },
) {
  const events: PayerEvent[] = [];
  const payer = createPayer({
    account: opts.account,
    sessionSigner: opts.sessionSigner,
    publicClient: site.publicClient,
    store: opts.store ?? memoryChannelStore(),
    policy: { confirmationTimeoutMs: 30_000, ...opts.policy },
    pollingIntervalMs: 200,
    fetch: opts.fetch,
    onEvent: (e) => events.push(e),
  });
  return { payer, events };
}

async function onChainInfo(site: SiteServer, sender: Address, openBlock: number) {
  const info = await site.publicClient.readContract({
    address: site.deployment.contract,
    abi: microTransferChannelsAbi,
    functionName: "getChannelInfo",
    args: [sender, site.receiver, openBlock],
  });
  return { deposit: info[1], signer: info[5] };
}

/** Who signed a BalanceProof of `sender`'s channel at `openBlock` for `balance`. */
function proofSigner(
  site: SiteServer,
  sender: Address,
  openBlock: number,
  balance: bigint,
  signature: string,
) {
  return recoverBalanceProofSigner(
    channelDomain({ chainId: site.deployment.chainId, contract: site.deployment.contract }),
    { sender, receiver: site.receiver, openBlockNumber: openBlock, balance },
    signature,
  );
}

describe("payer signers and funds (CONFIRMATIONS=1)", () => {
  let site: SiteServer;

  beforeAll(async () => {
    site = await startSiteServer();
  }, 180_000);

  afterAll(async () => {
    await site?.stop();
  });

  it("a session key signs every balance proof of the channel it is the signer of", async () => {
    const { key, address } = await site.fundedAccount(100n * TOKEN);
    const main = countingAccount(privateKeyToAccount(key));
    const session = countingAccount(privateKeyToAccount(generatePrivateKey()));
    const sessionAddress = session.account.address;
    const store = memoryChannelStore();
    const recorder = recordingFetch();
    const { payer, events } = payerFor(site, {
      account: main.account,
      sessionSigner: session.account,
      store,
      fetch: recorder.fetch,
    });

    for (const path of ["/api/echo/fix/one", "/api/echo/fix/two", "/api/echo/fix/three"]) {
      const res = await payer.fetch(`${site.url}${path}`);
      expect(res.status, path).toBe(200);
    }
    expect(events.filter((e) => e.type === "paid")).toHaveLength(3);

    // One channel, naming the session key as its signer: in the store, on chain and in the event.
    const [channel, ...others] = await payer.channels();
    expect(others).toEqual([]);
    expect(channel).toMatchObject({ sender: address, signer: sessionAddress, balance: 15n });
    const info = await onChainInfo(site, address, channel!.openBlock);
    expect(info.signer).toBe(sessionAddress);
    expect(info.deposit).toBe(channel!.deposit);
    const logs = await channelsCreatedBy(site, address);
    expect(logs).toHaveLength(1);
    expect(logs[0]!.args.signer).toBe(sessionAddress);
    expect(Number(logs[0]!.args.openBlockNumber)).toBe(channel!.openBlock);

    // Every proof sent recovers to the session key; the accepted ones are 5, 10 and 15.
    expect(recorder.proofs.length).toBeGreaterThanOrEqual(3);
    for (const p of recorder.proofs) {
      expect(p.openBlock).toBe(channel!.openBlock);
      expect(await proofSigner(site, address, p.openBlock, p.balance, p.signature)).toBe(
        sessionAddress,
      );
    }
    expect(recorder.proofs.filter((p) => p.status === 200).map((p) => p.balance)).toEqual([
      5n,
      10n,
      15n,
    ]);
    expect(await proofSigner(site, address, channel!.openBlock, 15n, channel!.signature!)).toBe(
      sessionAddress,
    );

    // The site's own record: signer and last accepted proof are the session key's.
    const res = await fetch(`${site.url}/api/1/channels/${address}/${channel!.openBlock}`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(res.status).toBe(200);
    const stored = (await res.json()) as {
      signer: string;
      balance: string;
      balance_signature: string | null;
    };
    expect(isAddressEqual(stored.signer as Address, sessionAddress)).toBe(true);
    expect(stored.balance).toBe("15");
    expect(
      await proofSigner(site, address, channel!.openBlock, 15n, stored.balance_signature!),
    ).toBe(sessionAddress);

    // The main account signed only the token permit (transactions are not typed data); the
    // session key signed only balance proofs, one per payment.
    expect(main.signed).toEqual(["Permit"]);
    expect(session.signed).toEqual(["BalanceProof", "BalanceProof", "BalanceProof"]);

    // The same store without the session key: the session key's channel is not usable (its
    // signer is a key this payer does not hold), so it opens a channel of its own, signed by the
    // sender, and never signs a proof for the session key's channel.
    const second = countingAccount(privateKeyToAccount(key));
    const recorder2 = recordingFetch();
    const without = payerFor(site, { account: second.account, store, fetch: recorder2.fetch });
    const res2 = await without.payer.fetch(`${site.url}/api/echo/fix/four`);
    expect(res2.status).toBe(200);
    expect(without.events.map((e) => e.type)).toContain("channel-opened");
    const channels = await without.payer.channels();
    expect(channels).toHaveLength(2);
    const old = channels.find((c) => c.openBlock === channel!.openBlock)!;
    const own = channels.find((c) => c.openBlock !== channel!.openBlock)!;
    expect(old).toMatchObject({ signer: sessionAddress, balance: 15n, state: "open" });
    expect(own).toMatchObject({ sender: address, signer: address, balance: 5n });
    expect((await onChainInfo(site, address, own.openBlock)).signer).toBe(address);
    expect(await channelsCreatedBy(site, address)).toHaveLength(2);
    expect(recorder2.proofs.length).toBeGreaterThanOrEqual(1);
    for (const p of recorder2.proofs) {
      // Every proof is for the new channel and by the key the contract names as its signer.
      expect(p.openBlock).toBe(own.openBlock);
      expect(await proofSigner(site, address, p.openBlock, p.balance, p.signature)).toBe(address);
    }
    expect(second.signed.filter((t) => t === "BalanceProof")).toHaveLength(1);
  }, 120_000);

  it("reports no-eth for an account without ETH, before sending or signing anything", async () => {
    const { key, address } = await site.fundedAccount(100n * TOKEN, 0n);
    expect(await site.publicClient.getBalance({ address })).toBe(0n);
    const main = countingAccount(privateKeyToAccount(key));
    const { payer, events } = payerFor(site, { account: main.account });
    const err = await payer.fetch(`${site.url}/api/echo/fix/x`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayerError);
    expect((err as PayerError).code).toBe("no-eth");
    expect((err as PayerError).message).toContain(address);
    expect(await site.publicClient.getTransactionCount({ address })).toBe(0);
    expect(main.signed).toEqual([]);
    expect(await payer.channels()).toEqual([]);
    expect(events.map((e) => e.type)).not.toContain("transaction-sent");
    expect(payer.spent()).toBe(0n);
  }, 60_000);
});

describe("payer confirmation timeout (CONFIRMATIONS=50)", () => {
  let site: SiteServer;

  beforeAll(async () => {
    site = await startSiteServer({ env: { CONFIRMATIONS: "50" } });
  }, 180_000);

  afterAll(async () => {
    await site?.stop();
  });

  it("gives up with confirmations-timeout and keeps the channel, whose deposit is on chain", async () => {
    const { key, address } = await site.fundedAccount(100n * TOKEN);
    const store = memoryChannelStore();
    const { payer, events } = payerFor(site, {
      account: privateKeyToAccount(key),
      store,
      policy: { confirmationTimeoutMs: 3000 },
    });
    const started = Date.now();
    const err = await payer.fetch(`${site.url}/api/echo/fix/slow`).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(PayerError);
    expect((err as PayerError).code).toBe("confirmations-timeout");
    // Opening the channel takes a block or two; the wait itself is bounded by the 3 s timeout.
    expect(elapsed).toBeGreaterThanOrEqual(3000);
    expect(elapsed).toBeLessThan(15_000);
    const opened = events.find((e) => e.type === "channel-opened");
    expect(opened).toBeDefined();
    expect(
      events.some((e) => e.type === "waiting-confirmations" || e.type === "waiting-for-site"),
    ).toBe(true);
    expect(events.map((e) => e.type)).not.toContain("paid");

    // Nothing is lost: the channel stays in the store, open with nothing paid, and its deposit
    // is on chain.
    const [channel, ...others] = await store.list();
    expect(others).toEqual([]);
    expect(channel).toMatchObject({ sender: address, state: "open", balance: 0n, signature: null });
    expect(channel!.deposit).toBeGreaterThan(0n);
    expect((await onChainInfo(site, address, channel!.openBlock)).deposit).toBe(channel!.deposit);
    expect(await channelsCreatedBy(site, address)).toHaveLength(1);
    // The proof it signed counts (the site holds it and could cash it once confirmed).
    expect(payer.spent()).toBe(5n);
    expect(channel!.signed).toBe(5n);
  }, 60_000);
});
