/**
 * The rdn-channel x402 scheme client's own refusals, before the payer is asked for anything:
 * requirements it cannot use, a 402 without a resource URL, the x402 client's per-payment cap.
 * (Paying, trust and limits against the real site: tests/integration/x402/rdn-channel.test.ts.)
 */
import { describe, expect, it } from "vitest";
import type { PaymentRequired, PaymentRequirements } from "@x402/core/types";
import { getAddress } from "viem";
import { isPayerError, rdnChannel, type Payer } from "@/lib/protocol/client";
import { rdnChannelAccepts } from "@/lib/x402/rdn-channel";

const identity = {
  receiver: getAddress("0x1111111111111111111111111111111111111111"),
  contract: getAddress("0x2222222222222222222222222222222222222222"),
  token: getAddress("0x3333333333333333333333333333333333333333"),
  chainId: 31337,
};

/** A payer that records whether it was asked to sign. */
function fakePayer() {
  const calls: string[] = [];
  const payer = {
    authorize: async () => {
      calls.push("authorize");
      throw new Error("not expected");
    },
  } as unknown as Payer;
  return { payer, calls };
}

async function pay(
  requirements: PaymentRequirements,
  opts: { url?: string; version?: number; cap?: string } = {},
) {
  const { payer, calls } = fakePayer();
  const scheme = rdnChannel(payer);
  const paymentRequired: PaymentRequired = {
    x402Version: 2,
    resource: { url: opts.url ?? "http://127.0.0.1:3000/api/echo/fix/x" },
    accepts: [requirements],
  };
  await scheme.schemeHooks.onBeforePaymentCreation?.({
    paymentRequired,
    selectedRequirements: requirements,
  });
  const err = await scheme
    .createPaymentPayload(opts.version ?? 2, requirements, {
      ...(opts.cap ? { maxAmountPerPayment: opts.cap } : {}),
    })
    .catch((e: unknown) => e);
  return { err, calls };
}

const entry = () => rdnChannelAccepts({ identity, price: 5n, challengePeriod: 500 });

describe("rdnChannel refuses before asking the payer", () => {
  const cases: [string, PaymentRequirements, Parameters<typeof pay>[1], string][] = [
    ["x402 v1", entry(), { version: 1 }, "bad-terms"],
    ["another scheme", { ...entry(), scheme: "exact" }, {}, "bad-terms"],
    ["a network that is not eip155", { ...entry(), network: "solana:x" }, {}, "bad-terms"],
    ["payTo that is not an address", { ...entry(), payTo: "nobody" }, {}, "bad-terms"],
    ["no contract in extra", { ...entry(), extra: {} }, {}, "bad-terms"],
    ["a relative resource URL", entry(), { url: "/api/echo/fix/x" }, "bad-terms"],
    ["a price over the x402 client's cap", entry(), { cap: "4" }, "over-policy"],
  ];
  it.each(cases)("%s", async (_, requirements, opts, code) => {
    const { err, calls } = await pay(requirements, opts);
    expect(isPayerError(err, code as never)).toBe(true);
    expect(calls).toEqual([]);
  });

  it("asks the payer for a usable entry", async () => {
    const { err, calls } = await pay(entry(), { cap: "5" });
    expect((err as Error).message).toBe("not expected");
    expect(calls).toEqual(["authorize"]);
  });
});
