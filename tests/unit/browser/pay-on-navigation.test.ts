/**
 * The auto-pay worker's payment of a click (`payOnNavigation`) over this browser's IndexedDB
 * (fake-indexeddb): one read of the setting, channels, keys and history, then one reservation,
 * before the request leaves; and what another tab does between the read and the reservation (a
 * spend, a revocation, a signature on the same channel) still counts, because the reservation
 * reads the stored records again.
 */
import "fake-indexeddb/auto";
import { IDBFactory } from "fake-indexeddb";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  createPublicClient,
  custom,
  numberToHex,
  type LocalAccount,
  type PublicClient,
} from "viem";
import {
  appendHistory,
  channelKey,
  closeDb,
  createSessionKey,
  getAutoPay,
  indexedDbChannelStore,
  listSessionKeys,
  putAutoPay,
  readAutoPayState,
  recordAutoPaySpend,
  revokeAutoPay,
  type AutoPayState,
} from "@/lib/browser";
import { payOnNavigation, type SitePrices } from "@/lib/browser/pay-on-navigation";
import { sessionAccount } from "@/lib/browser/session-keys";
import { recoverBalanceProofSigner } from "@/lib/protocol/proofs";
import { domainOf, messageOf } from "@/lib/protocol/client/signing";
import {
  buildChannel,
  chainId,
  contract,
  receiver,
  senderAccount,
  token,
} from "../client/builders";

const ORIGIN = "http://site.test";
const PATH = "/articles/norway";
const PRICE = 10n;
const owner = { chainId, contract, sender: senderAccount.address };

const prices: SitePrices = {
  receiver,
  contract,
  token,
  chainId,
  gatewayPath: "/api/1",
  receiptSeconds: 3600,
  articles: new Map([[PATH, { price: PRICE, title: "Norway" }]]),
};

/** The client router's fetch of the article (the reader's click). */
const click = () =>
  new Request(`${ORIGIN}${PATH}`, { headers: { rsc: "1", accept: "text/x-component" } });

/**
 * A chain client that answers only `eth_chainId`, after running `meanwhile` (another tab's work,
 * which lands between the payer's read and its reservation).
 */
function chainClient(meanwhile?: () => Promise<unknown>): PublicClient {
  return createPublicClient({
    transport: custom({
      async request({ method }: { method: string }) {
        if (method !== "eth_chainId") throw new Error(`unexpected ${method}`);
        await meanwhile?.();
        return numberToHex(chainId);
      },
    }),
  }) as PublicClient;
}

/** The site: records each request it gets and answers 200 with no payment headers. */
function site() {
  const requests: Request[] = [];
  const fetchFn = vi.fn(async (input: RequestInfo | URL) => {
    requests.push(input as Request);
    return new Response("<article>", { status: 200 });
  });
  return { requests, fetch: fetchFn as unknown as typeof fetch };
}

let key: LocalAccount;
const channel = () => buildChannel({ signer: key.address, deposit: 100n, balance: 30n });

beforeEach(async () => {
  await closeDb();
  globalThis.indexedDB = new IDBFactory();
  key = await createSessionKey(senderAccount.address);
  await putAutoPay({ ...owner, mode: "auto", maxPerArticle: "20", cap: "25" });
  await indexedDbChannelStore().put(channel());
});

afterEach(() => vi.restoreAllMocks());

async function pay(meanwhile?: () => Promise<unknown>, ahead?: AutoPayState) {
  const target = site();
  const res = await payOnNavigation(click(), {
    origin: ORIGIN,
    rpcUrl: "http://rpc.test",
    prices: async () => prices,
    publicClient: chainClient(meanwhile),
    fetch: target.fetch,
    ...(ahead ? { recentState: async () => ahead } : {}),
  });
  return { res, requests: target.requests };
}

/** Records the mode of every transaction opened from now on. */
async function transactionModes(): Promise<string[]> {
  const modes: string[] = [];
  const { openDb } = await import("@/lib/browser/idb");
  const proto = Object.getPrototypeOf(await openDb()) as IDBDatabase;
  const transaction = proto.transaction;
  vi.spyOn(proto, "transaction").mockImplementation(function (
    this: IDBDatabase,
    ...args: Parameters<IDBDatabase["transaction"]>
  ) {
    modes.push(args[1] ?? "readonly");
    return transaction.apply(this, args);
  });
  return modes;
}

const sentBalance = (requests: Request[]) =>
  BigInt(requests[0]!.headers.get("rdn-sender-balance")!);

describe("payOnNavigation", () => {
  it("reads once and reserves once before the paid request leaves", async () => {
    const modes = await transactionModes();
    let sent = -1;
    const target = site();
    const fetchFn = target.fetch;
    const res = await payOnNavigation(click(), {
      origin: ORIGIN,
      rpcUrl: "http://rpc.test",
      prices: async () => prices,
      publicClient: chainClient(),
      fetch: (async (input: RequestInfo | URL) => {
        sent = modes.length;
        return fetchFn(input);
      }) as typeof fetch,
    });
    expect(res?.status).toBe(200);
    expect(modes.slice(0, sent)).toEqual(["readonly", "readwrite"]);

    const request = target.requests[0]!;
    const balance = sentBalance(target.requests);
    expect(balance).toBe(30n + PRICE);
    const signer = await recoverBalanceProofSigner(
      domainOf(channel()),
      messageOf(channel(), balance),
      request.headers.get("rdn-balance-signature") as `0x${string}`,
    );
    expect(signer).toBe(key.address);
    expect((await getAutoPay(owner))?.spent).toBe("10");
    expect((await indexedDbChannelStore().list())[0]?.signed).toBe(40n);
  });

  it("sends the reservation's requests before the session key signs (signing holds the thread)", async () => {
    const modes = await transactionModes();
    const account = sessionAccount((await listSessionKeys())[0]!);
    const sign = account.signTypedData;
    let reservedBeforeSigning: boolean | undefined;
    vi.spyOn(account, "signTypedData").mockImplementation((...args) => {
      reservedBeforeSigning = modes.includes("readwrite");
      return sign(...args);
    });
    const { requests } = await pay();
    expect(requests).toHaveLength(1);
    expect(reservedBeforeSigning).toBe(true);
  });

  it("counts what another tab spent between the read and the reservation: over the cap, nothing is paid", async () => {
    // Read: 0 of 25 spent, the price fits. Then another tab spends 20.
    const { res, requests } = await pay(() => recordAutoPaySpend(owner, 20n));
    expect(res).toBeUndefined();
    expect(requests).toHaveLength(0);
    expect((await getAutoPay(owner))?.spent).toBe("20");
    expect((await indexedDbChannelStore().list())[0]?.signed).toBeUndefined();
  });

  it("stops at once when auto-pay is revoked between the read and the reservation", async () => {
    const { res, requests } = await pay(() => revokeAutoPay(owner));
    expect(res).toBeUndefined();
    expect(requests).toHaveLength(0);
    expect((await getAutoPay(owner))?.spent).toBe("0");
  });

  it("charges only what it adds when another tab signed on the channel meanwhile", async () => {
    const otherTab = indexedDbChannelStore({ autopay: owner });
    const { requests } = await pay(() => otherTab.reserve!(channel(), 35n, () => undefined));
    // The other tab's 5 and this payment's 5 above it: 10 in all, never 15.
    expect(BigInt(requests[0]!.headers.get("rdn-sender-balance")!)).toBe(40n);
    expect((await getAutoPay(owner))?.spent).toBe("10");
    expect((await indexedDbChannelStore().list())[0]?.signed).toBe(40n);
  });

  it("pays nothing for an article whose receipt is still valid", async () => {
    await appendHistory({
      path: PATH,
      title: "Norway",
      amount: "10",
      balance: "30",
      channel: channelKey(channel()),
      mode: "auto",
      time: Date.now(),
    });
    const { res, requests } = await pay();
    expect(res).toBeUndefined();
    expect(requests).toHaveLength(0);
    expect((await getAutoPay(owner))?.spent).toBe("0");
  });
});

describe("payOnNavigation with the state read ahead of the click", () => {
  it("only reserves before the paid request leaves", async () => {
    const ahead = await readAutoPayState();
    const modes = await transactionModes();
    const { requests } = await pay(undefined, ahead);
    expect(sentBalance(requests)).toBe(40n);
    expect(modes).toEqual(["readwrite"]);
    expect((await getAutoPay(owner))?.spent).toBe("10");
  });

  it("a maximum lowered since the read counts: nothing is paid", async () => {
    const ahead = await readAutoPayState();
    await putAutoPay({ ...owner, mode: "auto", maxPerArticle: "5", cap: "25" });
    const { res, requests } = await pay(undefined, ahead);
    expect(res).toBeUndefined();
    expect(requests).toHaveLength(0);
    expect((await getAutoPay(owner))?.spent).toBe("0");
  });

  it("auto-pay turned off since the read: nothing is paid", async () => {
    const ahead = await readAutoPayState();
    await revokeAutoPay(owner);
    const { res, requests } = await pay(undefined, ahead);
    expect(res).toBeUndefined();
    expect(requests).toHaveLength(0);
  });

  it("the article paid in another tab since the read is not paid twice", async () => {
    const ahead = await readAutoPayState();
    await appendHistory({
      path: PATH,
      title: "Norway",
      amount: "10",
      balance: "40",
      channel: channelKey(channel()),
      mode: "auto",
      time: Date.now(),
    });
    const { res, requests } = await pay(undefined, ahead);
    expect(res).toBeUndefined();
    expect(requests).toHaveLength(0);
    expect((await getAutoPay(owner))?.spent).toBe("0");
  });

  it("a channel another tab paid on since the read is read again, and pays from its new balance", async () => {
    const ahead = await readAutoPayState();
    // Another tab paid 5 and the site accepted it.
    await indexedDbChannelStore().put({ ...channel(), balance: 35n, signed: 35n });
    await recordAutoPaySpend(owner, 5n);
    const { requests } = await pay(undefined, ahead);
    expect(sentBalance(requests)).toBe(45n);
    expect((await getAutoPay(owner))?.spent).toBe("15");
    expect((await indexedDbChannelStore().list())[0]?.signed).toBe(45n);
  });

  it("a channel the site refused since the read is not paid from", async () => {
    const ahead = await readAutoPayState();
    await indexedDbChannelStore().put({ ...channel(), siteRefused: true });
    const { res, requests } = await pay(undefined, ahead);
    expect(res).toBeUndefined();
    expect(requests).toHaveLength(0);
    expect((await getAutoPay(owner))?.spent).toBe("0");
  });

  it("a read from before auto-pay was on is read again", async () => {
    await revokeAutoPay(owner);
    const ahead = await readAutoPayState();
    await putAutoPay({ ...owner, mode: "auto", maxPerArticle: "20", cap: "25", enabled: true });
    const { requests } = await pay(undefined, ahead);
    expect(sentBalance(requests)).toBe(40n);
  });
});
