import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { articleRoute as article } from "../../helpers/article-route";
import { db } from "@/lib/db/client";
import { seed } from "@/prisma/seed";
import { call, indexChannel, paymentHeaders, proof } from "../../helpers/paywall";
import { CENT, startSiteFixture, TOKEN, type SiteFixture } from "../../helpers/site-fixture";

let f: SiteFixture;
const SLUG = "the-402-status-code";
const PRICE = 5n * CENT; // its seeded price, 5 cents

beforeAll(async () => {
  f = await startSiteFixture();
  await seed();
});
afterAll(async () => f?.stop());

describe("article paywall", () => {
  let openBlock: number;
  let reader: SiteFixture["readers"][number];
  let n = 0;
  beforeEach(async () => {
    reader = f.readers[n++ % f.readers.length]!;
    openBlock = await f.openChannel(reader, 5n * TOKEN);
    await indexChannel(f, reader, openBlock, 5n * TOKEN);
  });
  const pay = async (balance: bigint, extra: Record<string, string> = {}) =>
    call(
      article,
      `/articles/${SLUG}`,
      { slug: SLUG },
      {
        ...paymentHeaders(
          reader.address,
          openBlock,
          balance,
          await proof(f, reader, reader.address, openBlock, balance),
        ),
        ...extra,
      },
    );

  it("answers 402 with every RDN header and a JSON body without the article", async () => {
    const res = await call(article, `/articles/${SLUG}`, { slug: SLUG });
    expect(res.status).toBe(402);
    expect(res.headers.get("RDN-Gateway-Path")).toBe("/api/1");
    expect(res.headers.get("RDN-Receiver-Address")).toBe(f.receiver.address);
    expect(res.headers.get("RDN-Contract-Address")).toBe(f.deployment.contract);
    expect(res.headers.get("RDN-Token-Address")).toBe(f.deployment.token);
    expect(res.headers.get("RDN-Chain-Id")).toBe(String(f.deployment.chainId));
    expect(res.headers.get("RDN-Price")).toBe(PRICE.toString());
    const body = await res.json();
    expect(body).toMatchObject({
      error: "payment required",
      price: PRICE.toString(),
      reason: "payment-required",
    });
    expect(JSON.stringify(body)).not.toContain("Every paid page answers 402");
  });

  it("answers browsers with an HTML paywall: teaser and price, never the body", async () => {
    const res = await call(
      article,
      `/articles/${SLUG}`,
      { slug: SLUG },
      { accept: "text/html,*/*" },
    );
    expect(res.status).toBe(402);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expect(html).toContain("HTTP reserved status 402");
    expect(html).toContain("0.05 TKN");
    expect(html).toContain('id="rdn-paywall"');
    expect(html).not.toContain("Every paid page answers 402");
  });

  it("serves the article for an exact payment and records it once", async () => {
    const res = await pay(PRICE);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Every paid page answers 402");
    expect(res.headers.get("RDN-Sender-Balance")).toBe(PRICE.toString());
    expect(res.headers.get("RDN-Sender-Address")).toBe(reader.address);
    const channel = await db().channel.findUniqueOrThrow({
      where: { sender_openBlock: { sender: reader.address, openBlock } },
    });
    expect(channel.balance).toBe(PRICE.toString());
    const payments = await db().payment.findMany({ where: { channelId: channel.id } });
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({
      amount: PRICE.toString(),
      balance: PRICE.toString(),
      resource: `article:${SLUG}`,
    });

    // The same proof for the same article is a retry: served again, not charged again.
    const again = await pay(PRICE);
    expect(again.status).toBe(200);
    expect(await db().payment.count({ where: { channelId: channel.id } })).toBe(1);
  });

  it("the same proof for another resource is not a payment: 402 with the last accepted proof", async () => {
    const sig = await proof(f, reader, reader.address, openBlock, PRICE);
    expect(
      (
        await call(
          article,
          `/articles/${SLUG}`,
          { slug: SLUG },
          paymentHeaders(reader.address, openBlock, PRICE, sig),
        )
      ).status,
    ).toBe(200);
    const other = await call(
      article,
      "/articles/why-payment-channels",
      { slug: "why-payment-channels" },
      paymentHeaders(reader.address, openBlock, PRICE, sig),
    );
    expect(other.status).toBe(402);
    expect(other.headers.get("RDN-Sender-Balance")).toBe(PRICE.toString());
    expect(other.headers.get("RDN-Balance-Signature")).toBe(sig);
    for (const h of [
      "RDN-Invalid-Amount",
      "RDN-Invalid-Balance-Proof",
      "RDN-Nonexisting-Channel",
      "RDN-Insufficient-Funds",
    ]) {
      expect(other.headers.get(h)).toBeNull();
    }
  });

  it.each([
    ["underpays", PRICE - 1n, {}],
    ["overpays", PRICE + 1n, {}],
    ["RDN-Payment disagrees with the increase", PRICE, { "RDN-Payment": (PRICE - 1n).toString() }],
  ])(
    "answers RDN-Invalid-Amount with the last proof when the request %s",
    async (_name, balance, extra) => {
      const res = await pay(balance, extra);
      expect(res.status).toBe(402);
      expect(res.headers.get("RDN-Invalid-Amount")).toBe("1");
      expect(res.headers.get("RDN-Sender-Balance")).toBe("0");
    },
  );

  it("accepts RDN-Payment when it equals the increase, and the RDN-Balance alias", async () => {
    const sig = await proof(f, reader, reader.address, openBlock, PRICE);
    const res = await call(
      article,
      `/articles/${SLUG}`,
      { slug: SLUG },
      {
        "RDN-Sender-Address": reader.address,
        "RDN-Open-Block": String(openBlock),
        "RDN-Balance": PRICE.toString(),
        "RDN-Balance-Signature": sig,
        "RDN-Payment": PRICE.toString(),
      },
    );
    expect(res.status).toBe(200);
  });

  it("answers RDN-Insufficient-Funds when the deposit does not cover the payment", async () => {
    await db().channel.update({
      where: { sender_openBlock: { sender: reader.address, openBlock } },
      data: { deposit: (PRICE - 1n).toString() },
    });
    const res = await pay(PRICE);
    expect(res.status).toBe(402);
    expect(res.headers.get("RDN-Insufficient-Funds")).toBe("1");
  });

  it("answers RDN-Invalid-Balance-Proof for a proof signed by another key, without leaking state", async () => {
    const sig = await proof(f, f.readers[8]!, reader.address, openBlock, PRICE);
    const res = await call(
      article,
      `/articles/${SLUG}`,
      { slug: SLUG },
      paymentHeaders(reader.address, openBlock, PRICE, sig),
    );
    expect(res.status).toBe(402);
    expect(res.headers.get("RDN-Invalid-Balance-Proof")).toBe("1");
    expect(res.headers.get("RDN-Sender-Balance")).toBeNull();
    expect(res.headers.get("RDN-Balance-Signature")).toBeNull();
  });

  it("accepts proofs from the channel's session-key signer, not from the sender then", async () => {
    const sessionKey = f.readers[7]!;
    const block = await f.openChannel(reader, 5n * TOKEN, sessionKey.address);
    await indexChannel(f, reader, block, 5n * TOKEN, { signer: sessionKey.address });
    const bySender = await proof(f, reader, reader.address, block, PRICE);
    const res1 = await call(
      article,
      `/articles/${SLUG}`,
      { slug: SLUG },
      paymentHeaders(reader.address, block, PRICE, bySender),
    );
    expect(res1.headers.get("RDN-Invalid-Balance-Proof")).toBe("1");
    const byKey = await proof(f, sessionKey, reader.address, block, PRICE);
    const res2 = await call(
      article,
      `/articles/${SLUG}`,
      { slug: SLUG },
      paymentHeaders(reader.address, block, PRICE, byKey),
    );
    expect(res2.status).toBe(200);
  });

  it.each([
    ["unknown", async () => ({ block: openBlock + 1000 })],
    [
      "closing",
      async () => (
        await db().channel.updateMany({
          where: { sender: reader.address, openBlock },
          data: { state: "closing" },
        }),
        { block: openBlock }
      ),
    ],
    [
      "settled",
      async () => (
        await db().channel.updateMany({
          where: { sender: reader.address, openBlock },
          data: { state: "settled" },
        }),
        { block: openBlock }
      ),
    ],
    [
      "close-signed",
      async () => (
        await db().channel.updateMany({
          where: { sender: reader.address, openBlock },
          data: { closeSigned: true },
        }),
        { block: openBlock }
      ),
    ],
  ])("answers RDN-Nonexisting-Channel for a channel that is %s", async (_name, setup) => {
    const { block } = await setup();
    const sig = await proof(f, reader, reader.address, block, PRICE);
    const res = await call(
      article,
      `/articles/${SLUG}`,
      { slug: SLUG },
      paymentHeaders(reader.address, block, PRICE, sig),
    );
    expect(res.status).toBe(402);
    expect(res.headers.get("RDN-Nonexisting-Channel")).toBe("1");
  });

  it("answers RDN-Nonexisting-Channel for a proof addressed to another receiver or contract", async () => {
    const res = await pay(PRICE, { "RDN-Receiver-Address": f.readers[5]!.address });
    expect(res.headers.get("RDN-Nonexisting-Channel")).toBe("1");
    const res2 = await pay(PRICE, { "RDN-Contract-Address": f.deployment.token });
    expect(res2.headers.get("RDN-Nonexisting-Channel")).toBe("1");
    const ok = await pay(PRICE, {
      "RDN-Receiver-Address": f.receiver.address.toLowerCase(),
      "RDN-Contract-Address": f.deployment.contract,
    });
    expect(ok.status).toBe(200);
  });

  it("answers RDN-Insufficient-Confirmations with the confirmations still missing", async () => {
    await db().channel.updateMany({
      where: { sender: reader.address, openBlock },
      data: { confirmed: false },
    });
    process.env.CONFIRMATIONS = "5";
    (await import("@/lib/env")).resetEnv();
    await db().syncState.upsert({
      where: { id: 1 },
      create: {
        id: 1,
        chainId: 31337,
        genesisHash: "0x",
        contract: f.deployment.contract,
        receiver: f.receiver.address,
        fromBlock: 0,
        syncedBlock: openBlock + 2,
        headBlock: openBlock + 2,
      },
      update: { headBlock: openBlock + 2 },
    });
    try {
      const res = await pay(PRICE);
      expect(res.status).toBe(402);
      expect(res.headers.get("RDN-Insufficient-Confirmations")).toBe("3");
    } finally {
      process.env.CONFIRMATIONS = "0";
      (await import("@/lib/env")).resetEnv();
    }
  });

  it("takes payment values from cookies on a browser navigation (headers win when present)", async () => {
    const sig = await proof(f, reader, reader.address, openBlock, PRICE);
    const cookie = Object.entries(paymentHeaders(reader.address, openBlock, PRICE, sig))
      .map(([k, v]) => `${k}=${v}`)
      .join("; ");
    const res = await call(
      article,
      `/articles/${SLUG}`,
      { slug: SLUG },
      { cookie, accept: "text/html" },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
  });

  it("lets the reader re-open a paid article with the receipt cookie, bound to sender and article", async () => {
    const res = await pay(PRICE);
    expect(res.status).toBe(200);
    const setCookie = res.headers.get("set-cookie")!;
    expect(setCookie).toMatch(
      /^rdn_receipt=[^;]+; Path=\/articles\/the-402-status-code; Max-Age=86400; HttpOnly; SameSite=Lax/,
    );
    const receipt = setCookie.split(";")[0]!;
    const reopen = await call(article, `/articles/${SLUG}`, { slug: SLUG }, { cookie: receipt });
    expect(reopen.status).toBe(200);
    expect(await reopen.text()).toContain("Every paid page answers 402");
    const channel = await db().channel.findUniqueOrThrow({
      where: { sender_openBlock: { sender: reader.address, openBlock } },
    });
    expect(await db().payment.count({ where: { channelId: channel.id } })).toBe(1);
    // Not for another article, not for another sender, not when tampered with.
    expect(
      (
        await call(
          article,
          "/articles/closing-a-channel",
          { slug: "closing-a-channel" },
          { cookie: receipt },
        )
      ).status,
    ).toBe(402);
    const otherSender = f.readers[8]!;
    const sig = await proof(f, otherSender, otherSender.address, openBlock, PRICE);
    const mixed = await call(
      article,
      `/articles/${SLUG}`,
      { slug: SLUG },
      { cookie: receipt, ...paymentHeaders(otherSender.address, openBlock, PRICE, sig) },
    );
    expect(mixed.status).toBe(402);
    const named = await call(
      article,
      `/articles/${SLUG}`,
      { slug: SLUG },
      { cookie: receipt, "RDN-Sender-Address": otherSender.address },
    );
    expect(named.status).toBe(402);
    const forged = receipt.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    expect(
      (await call(article, `/articles/${SLUG}`, { slug: SLUG }, { cookie: forged })).status,
    ).toBe(402);
  });

  it("answers 404 for an unknown article", async () => {
    const res = await call(article, "/articles/nope", { slug: "nope" });
    expect(res.status).toBe(404);
  });
});
