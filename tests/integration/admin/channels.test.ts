/**
 * The operator's channel listing and detail against a real anvil chain and SQLite file: channels
 * opened on chain, indexed by the real indexer and paid through a real paid route.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrivateKeyAccount } from "viem";
import { GET as fix } from "@/app/api/echo/fix/[param]/route";
import {
  channelListQuerySchema,
  CHANNELS_PAGE_SIZE,
  getChannelDetail,
  listChannelPage,
} from "@/lib/admin/channels";
import { microTransferChannelsAbi } from "@/lib/chain/abi";
import { syncOnce } from "@/lib/indexer";
import { call, paymentHeaders, proof } from "../../helpers/paywall";
import { startSiteFixture, TOKEN, type SiteFixture } from "../../helpers/site-fixture";

let f: SiteFixture;
let paid: { reader: PrivateKeyAccount; openBlock: number };
/** Open blocks of the channels opened for the pagination checks, oldest first. */
const many: number[] = [];

/** Pays `price` (the echo route's 5 base units) on top of `balance` for `/api/echo/fix/<param>`. */
async function pay(reader: PrivateKeyAccount, openBlock: number, balance: bigint, param: string) {
  const sig = await proof(f, reader, reader.address, openBlock, balance);
  const res = await call(
    fix,
    `/api/echo/fix/${param}`,
    { param },
    paymentHeaders(reader.address, openBlock, balance, sig),
  );
  expect(res.status, await res.clone().text()).toBe(200);
}

beforeAll(async () => {
  f = await startSiteFixture();
  const reader = f.readers[0]!;
  const openBlock = await f.openChannel(reader, 10n * TOKEN);
  for (let i = 0; i < CHANNELS_PAGE_SIZE + 1; i++)
    many.push(await f.openChannel(f.readers[5]!, TOKEN));
  await syncOnce();
  for (const [i, param] of ["a", "b", "c"].entries())
    await pay(reader, openBlock, 5n * BigInt(i + 1), param);
  paid = { reader, openBlock };
});
afterAll(async () => f?.stop());

describe("listChannelPage", () => {
  it("lists one row per channel with its amounts, newest first", async () => {
    const page = await listChannelPage({ status: "all", page: 1 });
    expect(page.total).toBe(27);
    expect(page.rows).toHaveLength(25);
    const blocks = page.rows.map((r) => r.openBlock);
    expect(blocks).toEqual([...blocks].sort((a, b) => b - a));
    // The paid channel is the oldest: last on page 2.
    const second = await listChannelPage({ status: "all", page: 2 });
    expect(second.rows.map((r) => r.openBlock)).toEqual([many[0], paid.openBlock]);
    const row = second.rows[1]!;
    expect(row).toMatchObject({
      openBlock: paid.openBlock,
      state: "open",
      deposit: 10n * TOKEN,
      balance: 15n,
      withdrawn: 0n,
      unclaimed: 15n,
      dispute: null,
    });
    expect(row.lastPaymentAt).toBeInstanceOf(Date);
    expect(Date.now() - row.lastPaymentAt!.getTime()).toBeLessThan(60_000);
    const unpaid = page.rows.find((r) => r.sender === f.readers[5]!.address)!;
    expect(unpaid.lastPaymentAt).toBeNull();
  });

  it("filters by state", async () => {
    expect((await listChannelPage({ status: "open", page: 1 })).total).toBe(27);
    expect((await listChannelPage({ status: "settled", page: 1 })).total).toBe(0);
    expect((await listChannelPage({ status: "closing", page: 1 })).rows).toEqual([]);
  });

  it("finds a sender by its full address or a hex prefix in any case", async () => {
    const address = paid.reader.address;
    for (const q of [
      address,
      address.toLowerCase(),
      address.slice(0, 9).toUpperCase().replace("0X", "0x"),
      address.slice(2, 8),
    ]) {
      const { q: search } = channelListQuerySchema.parse({ q });
      const page = await listChannelPage({ status: "all", search, page: 1 });
      expect(
        page.rows.map((r) => r.sender),
        q,
      ).toEqual([address]);
    }
    const { q: none } = channelListQuerySchema.parse({ q: "0x" + "0".repeat(40) });
    expect((await listChannelPage({ status: "all", search: none, page: 1 })).total).toBe(0);
    expect(channelListQuerySchema.safeParse({ q: "0xzz" }).success).toBe(false);
    expect(channelListQuerySchema.safeParse({ page: "0" }).success).toBe(false);
    expect(channelListQuerySchema.safeParse({ status: "gone" }).success).toBe(false);
  });

  it("pages at the boundaries with a stable order and the total", async () => {
    expect(CHANNELS_PAGE_SIZE).toBe(25);
    const { q } = channelListQuerySchema.parse({ q: f.readers[5]!.address });
    const newestFirst = [...many].reverse();
    const first = await listChannelPage({ status: "open", search: q, page: 1 });
    expect(first).toMatchObject({ total: 26, page: 1, pageCount: 2 });
    expect(first.rows.map((r) => r.openBlock)).toEqual(newestFirst.slice(0, 25));
    const last = await listChannelPage({ status: "open", search: q, page: 2 });
    expect(last).toMatchObject({ total: 26, page: 2, pageCount: 2 });
    expect(last.rows.map((r) => r.openBlock)).toEqual([many[0]]);
    const past = await listChannelPage({ status: "open", search: q, page: 3 });
    expect(past.rows).toEqual([]);
    expect(past.total).toBe(26);
  });
});

describe("getChannelDetail", () => {
  it("shows the payments newest first and the channel's chain events with their tx hashes", async () => {
    const detail = (await getChannelDetail(paid.reader.address, paid.openBlock))!;
    expect(detail.channel).toMatchObject({
      balance: 15n,
      unclaimed: 15n,
      signer: paid.reader.address,
    });
    expect(detail.payments.payments.map((p) => [p.resource, p.amount, p.balance])).toEqual([
      ["echo:fix:c", 5n, 15n],
      ["echo:fix:b", 5n, 10n],
      ["echo:fix:a", 5n, 5n],
    ]);
    expect(detail.payments.nextBefore).toBeNull();
    const logs = await f.publicClient.getContractEvents({
      address: f.deployment.contract,
      abi: microTransferChannelsAbi,
      eventName: "ChannelCreated",
      args: { sender: paid.reader.address },
      fromBlock: 0n,
    });
    expect(detail.events).toEqual([
      {
        name: "ChannelCreated",
        blockNumber: paid.openBlock,
        logIndex: logs[0]!.logIndex,
        txHash: logs[0]!.transactionHash,
        args: { deposit: (10n * TOKEN).toString(), signer: paid.reader.address },
      },
    ]);
    const older = (await getChannelDetail(paid.reader.address, paid.openBlock, { before: 10n }))!;
    expect(older.payments.payments.map((p) => p.balance)).toEqual([5n]);
  });

  it("is null for an unknown channel", async () => {
    expect(await getChannelDetail(paid.reader.address, paid.openBlock + 1)).toBeNull();
  });
});
