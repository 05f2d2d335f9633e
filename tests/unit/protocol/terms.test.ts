/**
 * The header codecs in both directions: what the server announces decodes to what it meant, what a
 * client sends parses back to the proof it signed, and the JSON 402 body matches its schema.
 */
import { describe, expect, it } from "vitest";
import type { Address, Hex } from "viem";
import { GATEWAY_PATH, RDN, type PaymentFailure } from "@/lib/protocol/headers";
import { parsePaymentRequest } from "@/lib/protocol/payment-request";
import { paywallHeaders } from "@/lib/protocol/paywall";
import {
  decodePaymentTerms,
  encodePaymentHeaders,
  FAILURE_TEXT,
  paymentRequiredBody,
  paymentRequiredBodySchema,
  relayOfferSchema,
  PaymentTermsError,
  paymentTermsHeaders,
  type LastProof,
  type PaymentProof,
  type PaywallIdentity,
} from "@/lib/protocol/terms";
import { MAX_UINT192 } from "@/lib/protocol/wire";

const SENDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as Address;
const identity: PaywallIdentity = {
  receiver: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  contract: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  token: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  chainId: 31337,
};
const SIGNATURE = `0x${"ab".repeat(64)}1b` as Hex;

const FAILURES: PaymentFailure[] = [
  { reason: "payment-required" },
  { reason: "insufficient-confirmations", missing: 3 },
  { reason: "nonexisting-channel" },
  { reason: "invalid-balance-proof" },
  { reason: "invalid-amount" },
  { reason: "insufficient-funds" },
];
const PROOFS: Array<[string, LastProof | undefined]> = [
  ["no last proof", undefined],
  ["a last proof", { sender: SENDER, balance: 15n, signature: SIGNATURE }],
  ["a last proof without signature", { sender: SENDER, balance: 0n, signature: null }],
  ["a last proof at 2^192-1", { sender: SENDER, balance: MAX_UINT192, signature: SIGNATURE }],
];
const CASES = FAILURES.flatMap((failure) =>
  PROOFS.map(([name, lastProof]) => [failure.reason, name, failure, lastProof] as const),
);

describe("paymentTermsHeaders → decodePaymentTerms", () => {
  it.each(CASES)("round-trips %s with %s", (_reason, _proof, failure, lastProof) => {
    const price = 10n ** 18n;
    const headers = paymentTermsHeaders(identity, price, { lastProof, failure });
    const expected = {
      ...identity,
      gatewayPath: GATEWAY_PATH,
      price,
      ...(lastProof ? { lastProof } : {}),
      // "payment-required" is the absence of a failure header.
      ...(failure.reason === "payment-required" ? {} : { failure }),
    };
    expect(decodePaymentTerms(headers)).toEqual(expected);
    // As a client sees them: a fetch `Headers` object, names in any case.
    expect(decodePaymentTerms(new Headers(headers))).toEqual(expected);
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(decodePaymentTerms(lower)).toEqual(expected);
  });

  it("round-trips the terms of a free or paid answer (no failure)", () => {
    expect(decodePaymentTerms(paymentTermsHeaders(identity, 0n))).toEqual({
      ...identity,
      gatewayPath: GATEWAY_PATH,
      price: 0n,
    });
  });

  it.each(CASES)(
    "the server's paywallHeaders are the codec's for %s with %s",
    (_reason, _proof, failure, lastProof) => {
      expect(
        paywallHeaders(identity, 5n, { type: "payment-required", failure, lastProof }),
      ).toEqual(paymentTermsHeaders(identity, 5n, { lastProof, failure }));
    },
  );

  it("paywallHeaders keeps its exact output", () => {
    expect(
      paywallHeaders(identity, 5n, {
        type: "payment-required",
        failure: { reason: "insufficient-confirmations", missing: 2 },
        lastProof: { sender: SENDER, balance: 10n, signature: SIGNATURE },
      }),
    ).toEqual({
      "RDN-Gateway-Path": "/api/1",
      "RDN-Receiver-Address": identity.receiver,
      "RDN-Contract-Address": identity.contract,
      "RDN-Token-Address": identity.token,
      "RDN-Chain-Id": "31337",
      "RDN-Price": "5",
      "RDN-Sender-Address": SENDER,
      "RDN-Sender-Balance": "10",
      "RDN-Balance-Signature": SIGNATURE,
      "RDN-Insufficient-Confirmations": "2",
    });
    expect(
      paywallHeaders(identity, 5n, {
        type: "paid",
        amount: 5n,
        retry: false,
        proof: { sender: SENDER, balance: 15n, signature: SIGNATURE },
      }),
    ).toEqual(
      paymentTermsHeaders(identity, 5n, {
        lastProof: { sender: SENDER, balance: 15n, signature: SIGNATURE },
      }),
    );
    expect(paywallHeaders(identity, 0n, { type: "free" })).toEqual(
      paymentTermsHeaders(identity, 0n),
    );
  });
});

describe("decodePaymentTerms rejects what a paywall never sends", () => {
  const good = paymentTermsHeaders(identity, 5n, {
    lastProof: { sender: SENDER, balance: 10n, signature: SIGNATURE },
  });
  it.each([
    [RDN.receiver, undefined],
    [RDN.contract, undefined],
    [RDN.token, undefined],
    [RDN.chainId, undefined],
    [RDN.price, undefined],
    [RDN.receiver, "receiver"],
    [RDN.contract, "0x1234"],
    [RDN.token, `0x${"g".repeat(40)}`],
    [RDN.chainId, "0"],
    [RDN.chainId, "0x7a69"],
    [RDN.chainId, "1.5"],
    [RDN.price, "-1"],
    [RDN.price, "1e18"],
    [RDN.price, (MAX_UINT192 + 1n).toString()],
    [RDN.sender, "0x12"],
    [RDN.balance, "five"],
    [RDN.signature, "0xdead"],
  ])("naming %s when it is %s", (header, value) => {
    const headers: Record<string, string | undefined> = { ...good, [header]: value };
    let error: unknown;
    try {
      decodePaymentTerms(headers);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PaymentTermsError);
    expect((error as PaymentTermsError).header).toBe(header);
    expect((error as PaymentTermsError).message).toMatch(
      new RegExp(`^${header}: ${value === undefined ? "is missing" : "must be"}`),
    );
  });

  it("treats a blank header as missing", () => {
    expect(() => decodePaymentTerms({ ...good, [RDN.price]: "  " })).toThrow(
      `${RDN.price}: is missing`,
    );
  });
});

describe("encodePaymentHeaders → parsePaymentRequest", () => {
  const base: PaymentProof = { sender: SENDER, openBlock: 10, balance: 15n, signature: SIGNATURE };
  it.each<[string, PaymentProof]>([
    ["the required values", base],
    [
      "every optional value",
      { ...base, payment: 5n, receiver: identity.receiver, contract: identity.contract },
    ],
    ["the largest values", { ...base, openBlock: 2 ** 32 - 1, balance: MAX_UINT192 }],
    ["a zero payment", { ...base, balance: 0n, payment: 0n }],
  ])("round-trips %s", (_name, proof) => {
    const headers = new Headers(encodePaymentHeaders(proof));
    const parsed = parsePaymentRequest((n) => headers.get(n));
    expect(parsed).toEqual({ ok: true, payment: proof });
  });

  it("normalizes what the client may vary: address case, signature case, spaces", () => {
    const headers = encodePaymentHeaders({
      ...base,
      sender: SENDER.toLowerCase() as Address,
      signature: SIGNATURE.toUpperCase().replace("0X", "0x") as Hex,
      receiver: identity.receiver.toLowerCase() as Address,
    });
    headers[RDN.balance] = ` ${headers[RDN.balance]} `;
    expect(parsePaymentRequest((n) => headers[n])).toEqual({
      ok: true,
      payment: { ...base, receiver: identity.receiver },
    });
  });

  it("round-trips through cookies (a browser navigation)", () => {
    const values = encodePaymentHeaders(base);
    expect(
      parsePaymentRequest(
        () => undefined,
        (n) => values[n],
      ),
    ).toEqual({ ok: true, payment: base });
  });
});

describe("paymentRequiredBody", () => {
  it.each(FAILURES)("is a body paymentRequiredBodySchema reads back: $reason", (failure) => {
    const price = 10n ** 18n + 1n;
    // What a client receives: the JSON text of the body.
    const wire = JSON.parse(JSON.stringify(paymentRequiredBody(identity, price, failure)));
    expect(paymentRequiredBodySchema.parse(wire)).toEqual({
      error: "payment required",
      reason: failure.reason,
      message: FAILURE_TEXT[failure.reason],
      price,
      receiver: identity.receiver,
      contract: identity.contract,
      token: identity.token,
      chain_id: identity.chainId,
      gateway: GATEWAY_PATH,
    });
    // It agrees with the headers sent beside it.
    const terms = decodePaymentTerms(paymentTermsHeaders(identity, price, { failure }));
    expect(wire.price).toBe(terms.price.toString());
    expect(wire.gateway).toBe(terms.gatewayPath);
  });

  it.each([
    ["error", "payment-required"],
    ["reason", "rate-limited"],
    ["price", "-1"],
    ["price", 5],
    ["receiver", "0x12"],
    ["chain_id", "31337"],
  ])("the schema refuses a body whose %s is %j", (field, value) => {
    const body = { ...paymentRequiredBody(identity, 5n, FAILURES[0]!), [field]: value };
    const parsed = paymentRequiredBodySchema.safeParse(body);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual([field]);
  });
  it("carries the site's relay offer only when given, and reads it back", () => {
    const relay = { url: "/api/1/channels", min_deposit: "1000000", min_validity_seconds: 60 };
    expect(paymentRequiredBody(identity, 5n, FAILURES[0]!)).not.toHaveProperty("relay");
    const wire = JSON.parse(JSON.stringify(paymentRequiredBody(identity, 5n, FAILURES[0]!, relay)));
    expect(paymentRequiredBodySchema.parse(wire).relay).toEqual({
      ...relay,
      min_deposit: 1_000_000n,
    });
    for (const bad of [
      { ...relay, min_deposit: "-1" },
      { ...relay, url: "" },
      { ...relay, min_validity_seconds: 1.5 },
    ]) {
      expect(relayOfferSchema.safeParse(bad).success).toBe(false);
    }
  });
});
