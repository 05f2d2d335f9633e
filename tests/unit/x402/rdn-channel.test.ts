import { describe, expect, it } from "vitest";
import { decodePaymentResponseHeader, encodePaymentSignatureHeader } from "@x402/core/http";
import type { PaymentPayload } from "@x402/core/types";
import { getAddress } from "viem";
import { rdnChannelError, rdnChannelRequirementsSchema } from "@/lib/protocol/x402-channel";
import {
  rdnChannelAccepts,
  rdnChannelPaymentRequest,
  rdnChannelPaymentResponseHeader,
} from "@/lib/x402/rdn-channel";

const identity = {
  receiver: getAddress("0x1111111111111111111111111111111111111111"),
  contract: getAddress("0x2222222222222222222222222222222222222222"),
  token: getAddress("0x3333333333333333333333333333333333333333"),
  chainId: 31337,
};
const sender = getAddress("0x4444444444444444444444444444444444444444");
const signature = `0x${"ab".repeat(64)}1b` as const;
const relay = { url: "/api/1/channels", min_deposit: "1000000", min_validity_seconds: 60 };

/** A PAYMENT-SIGNATURE payload for the entry `rdnChannelAccepts` builds, with overrides. */
function buildPayment(
  overrides: { accepted?: Record<string, unknown>; payload?: Record<string, unknown> } = {},
  top: Record<string, unknown> = {},
): string {
  const accepted = { ...rdnChannelAccepts({ identity, price: 5n, challengePeriod: 500 }) };
  return encodePaymentSignatureHeader({
    x402Version: 2,
    resource: { url: "http://127.0.0.1:3000/api/echo/fix/x" },
    accepted: { ...accepted, ...overrides.accepted },
    payload: { sender, openBlock: 12, balance: "105", signature, ...overrides.payload },
    ...top,
  } as PaymentPayload);
}

describe("rdnChannelAccepts", () => {
  it("carries the 402's terms in x402 v2 requirements", () => {
    const entry = rdnChannelAccepts({ identity, price: 5n, challengePeriod: 500, relay });
    expect(entry).toEqual({
      scheme: "rdn-channel",
      network: "eip155:31337",
      amount: "5",
      asset: identity.token,
      payTo: identity.receiver,
      maxTimeoutSeconds: 60,
      extra: {
        contract: identity.contract,
        challengePeriod: 500,
        minDeposit: "5",
        gatewayPath: "/api/1",
        relay,
      },
    });
    expect(rdnChannelRequirementsSchema.safeParse(entry).success).toBe(true);
  });

  it("names the channel's last accepted proof on a corrective 402", () => {
    const entry = rdnChannelAccepts({
      identity,
      price: 5n,
      challengePeriod: 500,
      channel: { sender, openBlock: 12, balance: 100n, signature },
    });
    expect(entry.extra.channel).toEqual({ sender, openBlock: 12, balance: "100", signature });
    expect(entry.extra).not.toHaveProperty("relay");
    const parsed = rdnChannelRequirementsSchema.parse(entry);
    expect(parsed.extra.channel).toEqual({ sender, openBlock: 12, balance: 100n, signature });
  });
});

describe("rdnChannelPaymentRequest", () => {
  it("reads an rdn-channel payment into the RDN payment request", () => {
    expect(rdnChannelPaymentRequest(buildPayment())).toEqual({
      type: "payment",
      payment: {
        sender,
        openBlock: 12,
        balance: 105n,
        signature,
        payment: 5n,
        receiver: identity.receiver,
        contract: identity.contract,
        chainId: 31337,
      },
    });
  });

  it("leaves another scheme's payment alone", () => {
    expect(rdnChannelPaymentRequest(buildPayment({ accepted: { scheme: "exact" } }))).toEqual({
      type: "other-scheme",
      scheme: "exact",
    });
  });

  it("passes a well-formed other network on (decided as nonexisting-channel)", () => {
    const parsed = rdnChannelPaymentRequest(buildPayment({ accepted: { network: "eip155:1" } }));
    expect(parsed).toMatchObject({ type: "payment", payment: { chainId: 1 } });
  });

  const malformed: [string, string, string][] = [
    ["not base64", "%%%", "must be base64-encoded JSON"],
    ["x402 v1", buildPayment({}, { x402Version: 1 }), "x402Version"],
    [
      "a network that is not eip155",
      buildPayment({ accepted: { network: "solana:abc" } }),
      "accepted.network",
    ],
    ["payTo not an address", buildPayment({ accepted: { payTo: "0x12" } }), "accepted.payTo"],
    ["amount not decimal", buildPayment({ accepted: { amount: "5e3" } }), "accepted.amount"],
    ["no contract", buildPayment({ accepted: { extra: {} } }), "accepted.extra.contract"],
    ["open block 0", buildPayment({ payload: { openBlock: 0 } }), "payload.openBlock"],
    ["balance negative", buildPayment({ payload: { balance: "-1" } }), "payload.balance"],
    ["short signature", buildPayment({ payload: { signature: "0x1234" } }), "payload.signature"],
    ["no sender", buildPayment({ payload: { sender: undefined } }), "payload.sender"],
  ];
  it.each(malformed)("refuses %s as malformed, naming PAYMENT-SIGNATURE", (_, header, text) => {
    const parsed = rdnChannelPaymentRequest(header);
    expect(parsed.type).toBe("malformed");
    if (parsed.type !== "malformed") return;
    expect(parsed.header).toBe("PAYMENT-SIGNATURE");
    expect(parsed.error).toMatch(/^PAYMENT-SIGNATURE: /);
    expect(parsed.error).toContain(text);
  });
});

describe("error codes and PAYMENT-RESPONSE", () => {
  it("mirrors each RDN failure header", () => {
    expect(rdnChannelError({ reason: "payment-required" })).toBeUndefined();
    expect(rdnChannelError({ reason: "insufficient-confirmations", missing: 2 })).toBe(
      "insufficient_confirmations",
    );
    expect(rdnChannelError({ reason: "nonexisting-channel" })).toBe("nonexisting_channel");
    expect(rdnChannelError({ reason: "invalid-balance-proof" })).toBe("invalid_balance_proof");
    expect(rdnChannelError({ reason: "invalid-amount" })).toBe("invalid_amount");
    expect(rdnChannelError({ reason: "insufficient-funds" })).toBe("insufficient_funds");
  });

  it("settles nothing on chain and reports the channel's state", () => {
    const header = rdnChannelPaymentResponseHeader(identity, {
      sender,
      openBlock: 12,
      balance: 105n,
      signature,
      amount: 5n,
      retry: false,
    });
    expect(decodePaymentResponseHeader(header)).toEqual({
      success: true,
      network: "eip155:31337",
      payer: sender,
      transaction: "",
      amount: "5",
      extra: { scheme: "rdn-channel", sender, openBlock: 12, balance: "105" },
    });
  });
});
