/**
 * The browser's IndexedDB storage (fake-indexeddb): channels as the payer core stores them,
 * session keys, auto-pay settings and the spend counted against the cap, the payment history,
 * and which channel (if any) may pay an article automatically.
 */
import "fake-indexeddb/auto";
import { IDBFactory } from "fake-indexeddb";
import { beforeEach, describe, expect, it } from "vitest";
import { getAddress } from "viem";
import {
  appendHistory,
  channelKey,
  checkAutoPay,
  closeDb,
  createSessionKey,
  findAutoPayment,
  readAutoPayState,
  getAutoPay,
  getSessionKey,
  indexedDbChannelStore,
  listAutoPay,
  listHistory,
  listSessionKeys,
  putAutoPay,
  raiseAutoPayCap,
  recordAutoPaySpend,
  remainingUnderCap,
  revokeAutoPay,
  type AutoPaySettings,
} from "@/lib/browser";
import { openDb, STORES, putOne } from "@/lib/browser/idb";
import {
  buildChannel,
  chainId,
  contract,
  receiver,
  senderAccount,
  sessionAccount,
  otherAccount,
} from "../client/builders";

const owner = { chainId, contract, sender: senderAccount.address };
const site = { chainId, contract, receiver };

beforeEach(async () => {
  await closeDb();
  globalThis.indexedDB = new IDBFactory();
});

function settings(overrides: Partial<AutoPaySettings> = {}): AutoPaySettings {
  return {
    ...owner,
    mode: "auto",
    maxPerArticle: "20",
    cap: "100",
    spent: "0",
    enabled: true,
    updatedAt: 0,
    ...overrides,
  };
}

describe("indexedDbChannelStore", () => {
  it("stores, replaces and removes channels by (chainId, contract, sender, receiver, openBlock)", async () => {
    const store = indexedDbChannelStore();
    const a = buildChannel({ openBlock: 10, signature: null });
    const b = buildChannel({ openBlock: 11, deposit: 5n * 10n ** 30n });
    await store.put(a);
    await store.put(b);
    await store.put({ ...a, balance: 7n, signature: `0x${"ab".repeat(65)}` });
    const listed = (await store.list()).sort((x, y) => x.openBlock - y.openBlock);
    expect(listed).toHaveLength(2);
    expect(listed[0]).toMatchObject({ openBlock: 10, balance: 7n, deposit: 100n });
    expect(listed[1]!.deposit).toBe(5n * 10n ** 30n);
    await store.remove!(a);
    expect((await store.list()).map((c) => c.openBlock)).toEqual([11]);
  });

  it("keys a channel in lower case, so a differently cased address is the same record", async () => {
    const store = indexedDbChannelStore();
    const c = buildChannel();
    await store.put(c);
    await store.put({ ...c, sender: c.sender.toLowerCase() as `0x${string}`, balance: 3n });
    const listed = await store.list();
    expect(listed).toHaveLength(1);
    expect(listed[0]!.balance).toBe(3n);
    expect(listed[0]!.sender).toBe(getAddress(c.sender));
    expect(channelKey(c)).toBe(channelKey({ ...c, contract: c.contract.toUpperCase() as never }));
  });

  it("skips a record that does not parse instead of failing the whole list", async () => {
    const store = indexedDbChannelStore();
    await store.put(buildChannel());
    await putOne(STORES.channels, { key: "garbage", deposit: "-1" });
    expect(await store.list()).toHaveLength(1);
  });

  it("survives a new connection (a reload)", async () => {
    await indexedDbChannelStore().put(buildChannel({ balance: 9n }));
    await closeDb();
    expect((await indexedDbChannelStore().list())[0]!.balance).toBe(9n);
  });
});

describe("session keys", () => {
  it("makes a key per call, keeps it by address and lists it by sender", async () => {
    const k1 = await createSessionKey(senderAccount.address);
    const k2 = await createSessionKey(senderAccount.address);
    await createSessionKey(otherAccount.address);
    expect(k1.address).not.toBe(k2.address);
    const back = await getSessionKey(k1.address.toLowerCase() as `0x${string}`);
    expect(back?.address).toBe(k1.address);
    // The stored key signs like the original.
    const sig = await back!.signMessage({ message: "hello" });
    expect(sig).toBe(await k1.signMessage({ message: "hello" }));
    expect((await listSessionKeys(senderAccount.address)).map((k) => k.address).sort()).toEqual(
      [k1.address, k2.address].sort(),
    );
    expect(await listSessionKeys()).toHaveLength(3);
  });

  it("answers undefined for a key this browser does not hold", async () => {
    expect(await getSessionKey(otherAccount.address)).toBeUndefined();
  });
});

describe("auto-pay settings", () => {
  it.each([
    ["allows a price within the maximum and cap", settings(), 20n, { ok: true }],
    ["refuses when revoked", settings({ enabled: false }), 1n, { ok: false, reason: "disabled" }],
    [
      "refuses in confirm mode",
      settings({ mode: "confirm" }),
      1n,
      { ok: false, reason: "confirm-mode" },
    ],
    ["refuses above the per-article maximum", settings(), 21n, { ok: false, reason: "over-max" }],
    ["refuses past the cap", settings({ spent: "90" }), 11n, { ok: false, reason: "over-cap" }],
    ["allows exactly reaching the cap", settings({ spent: "90" }), 10n, { ok: true }],
  ] as const)("checkAutoPay %s", (_name, s, price, expected) => {
    expect(checkAutoPay(s, price)).toEqual(expected);
  });

  it("refuses without a setting", () => {
    expect(checkAutoPay(undefined, 1n)).toEqual({ ok: false, reason: "disabled" });
  });

  it("stores a setting, keeps the spent sum across edits, counts spends and revokes", async () => {
    await putAutoPay({ ...owner, mode: "auto", maxPerArticle: "20", cap: "100" });
    await recordAutoPaySpend(owner, 15n);
    await recordAutoPaySpend(owner, 5n);
    const edited = await putAutoPay({ ...owner, mode: "auto", maxPerArticle: "30", cap: "200" });
    expect(edited).toMatchObject({ maxPerArticle: "30", cap: "200", spent: "20", enabled: true });
    expect(remainingUnderCap(edited)).toBe(180n);
    const stored = await getAutoPay({ ...owner, sender: owner.sender.toLowerCase() as never });
    expect(stored).toMatchObject({ spent: "20", sender: senderAccount.address });
    expect(stored).not.toHaveProperty("key");

    await revokeAutoPay(owner);
    expect((await getAutoPay(owner))?.enabled).toBe(false);
    expect(await listAutoPay({ enabledOnly: true })).toEqual([]);
    expect(await listAutoPay({ contract })).toHaveLength(1);
  });

  it("raises the cap by a top-up, keeping what was spent", async () => {
    await putAutoPay({ ...owner, mode: "auto", maxPerArticle: "20", cap: "30" });
    await recordAutoPaySpend(owner, 30n);
    expect(remainingUnderCap((await getAutoPay(owner))!)).toBe(0n);
    const raised = await raiseAutoPayCap(owner, 50n);
    expect(raised).toMatchObject({ cap: "80", spent: "30" });
    expect(remainingUnderCap(raised!)).toBe(50n);
    expect(await raiseAutoPayCap({ ...owner, sender: otherAccount.address }, 5n)).toBeUndefined();
  });

  it("does not create a setting when recording a spend for an unknown sender", async () => {
    expect(await recordAutoPaySpend(owner, 1n)).toBeUndefined();
    expect(await listAutoPay()).toEqual([]);
  });

  it("counts concurrent spends without losing one", async () => {
    await putAutoPay({ ...owner, mode: "auto", maxPerArticle: "20", cap: "100" });
    await Promise.all(Array.from({ length: 10 }, () => recordAutoPaySpend(owner, 3n)));
    expect((await getAutoPay(owner))?.spent).toBe("30");
  });
});

describe("history", () => {
  it("lists payments newest first without the record id", async () => {
    await appendHistory({
      path: "/a",
      title: "A",
      amount: "1",
      balance: "1",
      channel: "c",
      time: 1,
    });
    await appendHistory({
      path: "/b",
      title: "B",
      amount: "2",
      balance: "3",
      channel: "c",
      time: 2,
    });
    const rows = await listHistory();
    expect(rows.map((r) => r.path)).toEqual(["/b", "/a"]);
    expect(rows[0]).not.toHaveProperty("id");
  });

  it("reads back only the entries appended after a time, newest first", async () => {
    for (let time = 1; time <= 5; time++) {
      await appendHistory({
        path: `/p${time}`,
        title: "P",
        amount: "1",
        balance: `${time}`,
        channel: "c",
        time: time * 1000,
      });
    }
    const since = async (time: number) => (await readAutoPayState({ historySince: time })).history;
    const recent = await since(3000);
    expect(recent.map((r) => r.path)).toEqual(["/p5", "/p4"]);
    expect(recent[0]).not.toHaveProperty("id");
    expect(await since(5000)).toEqual([]);
    expect((await since(0)).map((r) => r.path)).toEqual(["/p5", "/p4", "/p3", "/p2", "/p1"]);
    // Without a time, the history is not read.
    expect((await readAutoPayState()).history).toEqual([]);
  });
});

describe("findAutoPayment", () => {
  async function setup(overrides: Partial<AutoPaySettings> = {}) {
    const key = await createSessionKey(senderAccount.address);
    await putAutoPay({ ...owner, mode: "auto", maxPerArticle: "20", cap: "100", ...overrides });
    return key;
  }

  it("picks the covering session-key channel with the least room", async () => {
    const key = await setup();
    const store = indexedDbChannelStore();
    await store.put(
      buildChannel({ openBlock: 10, signer: key.address, deposit: 100n, balance: 0n }),
    );
    await store.put(
      buildChannel({ openBlock: 11, signer: key.address, deposit: 100n, balance: 85n }),
    );
    await store.put(
      buildChannel({ openBlock: 12, signer: key.address, deposit: 100n, balance: 95n }),
    );
    const found = await findAutoPayment(site, 10n);
    expect(found?.channel.openBlock).toBe(11);
    expect(found?.sessionKey.address).toBe(key.address);
  });

  it.each([
    ["the setting is revoked", { enabled: false }, {}],
    ["the price is above the maximum", { maxPerArticle: "5" }, {}],
    ["the cap is spent", { spent: "95" }, {}],
    ["the deposit does not cover the price", {}, { balance: 95n }],
    ["the channel is closing", {}, { state: "closing" as const }],
    ["the site refused the channel", {}, { siteRefused: true }],
  ])("finds nothing when %s", async (_name, s, c) => {
    const key = await setup(s);
    await indexedDbChannelStore().put(buildChannel({ signer: key.address, ...c }));
    expect(await findAutoPayment(site, 10n)).toBeUndefined();
  });

  it("finds nothing when the session key is not in this browser", async () => {
    await setup();
    await indexedDbChannelStore().put(buildChannel({ signer: otherAccount.address }));
    expect(await findAutoPayment(site, 10n)).toBeUndefined();
  });

  it("never pays from a channel the wallet signs for", async () => {
    await setup();
    await indexedDbChannelStore().put(buildChannel({ signer: senderAccount.address }));
    expect(await findAutoPayment(site, 10n)).toBeUndefined();
  });

  it("only considers the given sender when one is connected", async () => {
    const key = await setup();
    await indexedDbChannelStore().put(buildChannel({ signer: key.address }));
    expect(await findAutoPayment(site, 10n, otherAccount.address)).toBeUndefined();
    expect(await findAutoPayment(site, 10n, senderAccount.address)).toBeDefined();
  });
});

it("opens one database with the four stores", async () => {
  const db = await openDb();
  expect([...db.objectStoreNames].sort()).toEqual([
    "autopay",
    "channels",
    "history",
    "sessionKeys",
  ]);
});

describe("reserving signatures against the auto-pay cap", () => {
  const bySessionKey = (openBlock: number) =>
    buildChannel({ openBlock, signer: sessionAccount.address });
  const allowAll = () => undefined;

  it("two tabs signing at once never pass the cap, and the spent sum is what they signed", async () => {
    await putAutoPay({ ...owner, mode: "auto", maxPerArticle: "10", cap: "50" });
    const tabA = indexedDbChannelStore({ autopay: owner });
    const tabB = indexedDbChannelStore({ autopay: owner });
    await tabA.put(bySessionKey(1));
    await tabB.put(bySessionKey(2));
    const attempts = [10n, 20n, 30n, 40n].flatMap((balance) => [
      tabA.reserve!(bySessionKey(1), balance, allowAll),
      tabB.reserve!(bySessionKey(2), balance, allowAll),
    ]);
    const results = await Promise.allSettled(attempts);
    const charged = results
      .filter((r): r is PromiseFulfilledResult<bigint> => r.status === "fulfilled")
      .reduce((sum, r) => sum + r.value, 0n);
    expect(charged).toBe(50n);
    expect((await getAutoPay(owner))?.spent).toBe("50");
    const refused = results.filter((r) => r.status === "rejected");
    expect(refused.length).toBe(3);
    for (const r of refused) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "over-policy" });
    }
    // What each channel records as signed adds up to the same 50.
    const signed = (await tabA.list()).reduce((sum, c) => sum + (c.signed ?? 0n), 0n);
    expect(signed).toBe(50n);
  });

  it("refuses at once once auto-pay is revoked or in confirm mode, recording nothing", async () => {
    await putAutoPay({ ...owner, mode: "auto", maxPerArticle: "10", cap: "50" });
    const store = indexedDbChannelStore({ autopay: owner });
    await store.put(bySessionKey(1));
    await revokeAutoPay(owner);
    await expect(store.reserve!(bySessionKey(1), 10n, allowAll)).rejects.toMatchObject({
      code: "over-policy",
      details: { autopay: "disabled" },
    });
    await putAutoPay({ ...owner, mode: "confirm", maxPerArticle: "10", cap: "50" });
    await expect(store.reserve!(bySessionKey(1), 10n, allowAll)).rejects.toMatchObject({
      details: { autopay: "confirm-mode" },
    });
    expect((await store.list())[0]!.signed).toBeUndefined();
    expect((await getAutoPay(owner))?.spent).toBe("0");
  });

  it("a proof the wallet signs is not charged to the auto-pay cap", async () => {
    await putAutoPay({ ...owner, mode: "auto", maxPerArticle: "10", cap: "5" });
    const store = indexedDbChannelStore({ autopay: owner });
    await store.put(buildChannel());
    expect(await store.reserve!(buildChannel(), 30n, allowAll)).toBe(30n);
    expect((await getAutoPay(owner))?.spent).toBe("0");
  });

  it("a stale write from another tab keeps the highest signed balance", async () => {
    const store = indexedDbChannelStore();
    await store.put(buildChannel());
    await store.reserve!(buildChannel(), 40n, allowAll);
    await store.put(buildChannel({ balance: 10n }));
    expect((await store.list())[0]).toMatchObject({ balance: 10n, signed: 40n });
  });
});
