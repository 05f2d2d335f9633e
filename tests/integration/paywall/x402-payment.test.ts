/**
 * An `rdn-channel` payment in `PAYMENT-SIGNATURE` goes through the same decision as the RDN-*
 * headers (route handlers called in-process on anvil and SQLite): it pays, is retried and
 * corrected alike, answers PAYMENT-RESPONSE, and the precedence rules hold (RDN-* headers win over
 * it, it wins over cookies; another scheme is not decided here; malformed is 400).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePaymentResponseHeader, encodePaymentSignatureHeader } from "@x402/core/http";
import type { PaymentPayload } from "@x402/core/types";
import type { Hex } from "viem";
import { GET as fix } from "@/app/api/echo/fix/[param]/route";
import { decidePayment } from "@/lib/paywall/decide";
import { rdnChannelAccepts } from "@/lib/x402/rdn-channel";
import { BASE, call, indexChannel, paymentHeaders, proof } from "../../helpers/paywall";
import { startSiteFixture, TOKEN, type SiteFixture } from "../../helpers/site-fixture";

const PRICE = 5n;
let f: SiteFixture;
let reader: SiteFixture["readers"][number];
let openBlock: number;
let balance = 0n;

beforeAll(async () => {
  f = await startSiteFixture();
  reader = f.readers[0]!;
  openBlock = await f.openChannel(reader, 10n * TOKEN);
  await indexChannel(f, reader, openBlock, 10n * TOKEN);
});
afterAll(async () => {
  await f?.stop();
});

const identity = () => ({
  receiver: f.receiver.address,
  contract: f.deployment.contract,
  token: f.deployment.token,
  chainId: f.deployment.chainId,
});

/** A PAYMENT-SIGNATURE for `next` on the reader's channel; `accepted` fields may be overridden. */
async function x402Header(next: bigint, accepted: Record<string, unknown> = {}, sig?: Hex) {
  return encodePaymentSignatureHeader({
    x402Version: 2,
    resource: { url: `${BASE}/api/echo/fix/x` },
    accepted: {
      ...rdnChannelAccepts({ identity: identity(), price: PRICE, challengePeriod: 500 }),
      ...accepted,
    },
    payload: {
      sender: reader.address,
      openBlock,
      balance: next.toString(),
      signature: sig ?? (await proof(f, reader, reader.address, openBlock, next)),
    },
  } as PaymentPayload);
}

const echo = (word: string, headers: Record<string, string>) =>
  call(fix, `/api/echo/fix/${word}`, { param: word }, headers);

describe("PAYMENT-SIGNATURE with scheme rdn-channel", () => {
  it("pays like the RDN-* headers and answers PAYMENT-RESPONSE with the channel's state", async () => {
    const header = await x402Header(balance + PRICE);
    const res = await echo("a", { "PAYMENT-SIGNATURE": header });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ echo: "a" });
    balance += PRICE;
    expect(res.headers.get("RDN-Sender-Balance")).toBe(balance.toString());
    expect(decodePaymentResponseHeader(res.headers.get("PAYMENT-RESPONSE")!)).toEqual({
      success: true,
      network: `eip155:${f.deployment.chainId}`,
      payer: reader.address,
      transaction: "",
      amount: "5",
      extra: { scheme: "rdn-channel", sender: reader.address, openBlock, balance: "5" },
    });

    // The same header again within the retry window: served, nothing charged.
    const retry = await echo("a", { "PAYMENT-SIGNATURE": header });
    expect(retry.status).toBe(200);
    expect(decodePaymentResponseHeader(retry.headers.get("PAYMENT-RESPONSE")!)).toMatchObject({
      amount: "0",
      extra: { balance: "5", retry: true },
    });
  });

  it("an RDN-* payment has no PAYMENT-RESPONSE", async () => {
    const next = balance + PRICE;
    const sig = await proof(f, reader, reader.address, openBlock, next);
    const res = await echo("b", paymentHeaders(reader.address, openBlock, next, sig));
    expect(res.status).toBe(200);
    balance = next;
    expect(res.headers.has("PAYMENT-RESPONSE")).toBe(false);
  });

  it("RDN-* headers win when both are present", async () => {
    const next = balance + PRICE;
    const sig = await proof(f, reader, reader.address, openBlock, next);
    const res = await echo("c", {
      ...paymentHeaders(reader.address, openBlock, next, sig),
      "PAYMENT-SIGNATURE": "not even base64!",
    });
    expect(res.status).toBe(200);
    balance = next;
    expect(res.headers.has("PAYMENT-RESPONSE")).toBe(false);
  });

  it("wins over the RDN cookies", async () => {
    const stale = await proof(f, reader, reader.address, openBlock, 1n);
    const cookies = Object.entries(paymentHeaders(reader.address, openBlock, 1n, stale))
      .map(([k, v]) => `${k}=${v}`)
      .join("; ");
    const res = await echo("d", {
      cookie: cookies,
      "PAYMENT-SIGNATURE": await x402Header(balance + PRICE),
    });
    expect(res.status).toBe(200);
    balance += PRICE;
    expect(res.headers.has("PAYMENT-RESPONSE")).toBe(true);
  });

  it("answers a malformed one with 400 naming PAYMENT-SIGNATURE", async () => {
    const bad = await x402Header(balance + PRICE, {}, "0x1234" as Hex);
    const res = await echo("e", { "PAYMENT-SIGNATURE": bad });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: expect.stringMatching(/^PAYMENT-SIGNATURE: payload\.signature: /),
      header: "PAYMENT-SIGNATURE",
    });
  });

  it("leaves another scheme's payment to others: a plain 402", async () => {
    const res = await echo("f", {
      "PAYMENT-SIGNATURE": await x402Header(balance + PRICE, { scheme: "exact" }),
    });
    expect(res.status).toBe(402);
    expect(res.headers.has("RDN-Sender-Balance")).toBe(false);
  });

  it.each([
    ["another chain", { network: "eip155:1" }, "RDN-Nonexisting-Channel"],
    ["another receiver", { payTo: "reader" }, "RDN-Nonexisting-Channel"],
    ["an amount that is not the increase", { amount: "6" }, "RDN-Invalid-Amount"],
  ])("decides %s like the RDN-* headers", async (_, accepted, failure) => {
    const over = "payTo" in accepted ? { payTo: reader.address } : accepted;
    const res = await echo("g", { "PAYMENT-SIGNATURE": await x402Header(balance + PRICE, over) });
    expect(res.status).toBe(402);
    expect(res.headers.get(failure)).toBe("1");
    expect(res.headers.has("PAYMENT-RESPONSE")).toBe(false);
  });

  it("hands the envelope the corrective proof: channel, rdnChannel.extra.channel, x402Error", async () => {
    const req = new Request(`${BASE}/api/echo/fix/h`, {
      headers: { "PAYMENT-SIGNATURE": await x402Header(balance + 2n * PRICE) },
    });
    const decision = await decidePayment(req, { price: PRICE, resource: "echo:fix:h" });
    expect(decision.type).toBe("payment-required");
    if (decision.type !== "payment-required") return;
    expect(decision.x402Error).toBe("invalid_amount");
    expect(decision.channel).toMatchObject({ sender: reader.address, openBlock, balance });
    expect(decision.rdnChannel).toMatchObject({
      scheme: "rdn-channel",
      amount: "5",
      payTo: f.receiver.address,
      extra: {
        contract: f.deployment.contract,
        channel: { sender: reader.address, openBlock, balance: balance.toString() },
      },
    });
    expect((decision.rdnChannel.extra.channel as { signature: string }).signature).toBe(
      decision.headers["RDN-Balance-Signature"],
    );
  });
});
