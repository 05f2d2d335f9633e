import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from "@x402/core/http";
import type { PaymentRequirements } from "@x402/core/types";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ChainConfig } from "@/lib/chain/config";
import { AppError } from "@/lib/errors";
import type { PaywallIdentity } from "@/lib/protocol/paywall";
import { relayToken } from "@/lib/relay/policy";
import { paymentRequired, paymentRequiredHeader, type OfferBuilder } from "@/lib/x402/envelope";
import { EXACT_MAX_TIMEOUT_SECONDS, exactAccepts } from "@/lib/x402/exact-offer";
import { parsePaymentSignature, requirementMismatch } from "@/lib/x402/payment-signature";

vi.mock("@/lib/relay/policy", () => ({ relayToken: vi.fn() }));

const identity: PaywallIdentity = {
  receiver: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  token: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  chainId: 31337,
};
const domain = {
  name: "Demo Dollar",
  version: "2",
  chainId: 31337,
  verifyingContract: identity.token,
};
/** A chain configuration stands for a deployment: only its identity matters here. */
const chain = () => ({}) as ChainConfig;
const ctx = (price = 50_000n) => ({ chain: chain(), identity, price });

beforeEach(() => {
  vi.mocked(relayToken).mockReset();
});

describe("exactAccepts", () => {
  it("offers exactly the price to the receiver in the token, with its EIP-712 name and version", async () => {
    vi.mocked(relayToken).mockResolvedValue({ domain, decimals: 6 });
    expect(await exactAccepts(ctx(50_000n))).toEqual([
      {
        scheme: "exact",
        network: "eip155:31337",
        amount: "50000",
        asset: identity.token,
        payTo: identity.receiver,
        maxTimeoutSeconds: EXACT_MAX_TIMEOUT_SECONDS,
        extra: { name: "Demo Dollar", version: "2" },
      },
    ]);
  });

  it("offers nothing for a token without EIP-3009, and remembers it per deployment", async () => {
    vi.mocked(relayToken).mockImplementation(async () => {
      throw new AppError("no EIP-3009", { status: 501 });
    });
    const c = { ...ctx(), chain: chain() };
    expect(await exactAccepts(c)).toEqual([]);
    expect(await exactAccepts(c)).toEqual([]);
    expect(vi.mocked(relayToken).mock.calls).toHaveLength(1);
  });

  it("reads the token again after an RPC failure", async () => {
    const c = { ...ctx(), chain: chain() };
    vi.mocked(relayToken).mockRejectedValueOnce(new Error("rpc down"));
    await expect(exactAccepts(c)).rejects.toThrow("rpc down");
    vi.mocked(relayToken).mockResolvedValue({ domain, decimals: 6 });
    expect(await exactAccepts(c)).toHaveLength(1);
  });
});

describe("paymentRequired", () => {
  const offer =
    (scheme: string): OfferBuilder =>
    async ({ price }) => [
      {
        scheme,
        network: "eip155:31337",
        amount: price.toString(),
        asset: identity.token,
        payTo: identity.receiver,
        maxTimeoutSeconds: 60,
        extra: {},
      },
    ];

  it("is x402 v2 with the resource's URL and every builder's offers in order", async () => {
    const required = await paymentRequired({
      ...ctx(7n),
      url: "http://site.test/api/echo/fix/hi?x=1",
      builders: [offer("exact"), offer("rdn-channel")],
    });
    expect(required).toMatchObject({
      x402Version: 2,
      error: "payment required",
      resource: { url: "http://site.test/api/echo/fix/hi?x=1" },
    });
    expect(required.accepts.map((a) => [a.scheme, a.amount])).toEqual([
      ["exact", "7"],
      ["rdn-channel", "7"],
    ]);
  });

  it("carries the failure and leaves out a builder that fails", async () => {
    const header = await paymentRequiredHeader({
      ...ctx(),
      url: "http://site.test/media/a.jpg",
      error: "exact: this authorization was already used",
      builders: [() => Promise.reject(new Error("rpc down")), offer("exact")],
    });
    const required = decodePaymentRequiredHeader(header);
    expect(required.error).toBe("exact: this authorization was already used");
    expect(required.accepts.map((a) => a.scheme)).toEqual(["exact"]);
  });

  it("uses the exact builder by default", async () => {
    vi.mocked(relayToken).mockResolvedValue({ domain, decimals: 6 });
    const required = await paymentRequired({ ...ctx(), url: "http://site.test/articles/a" });
    expect(required.accepts.map((a) => a.scheme)).toEqual(["exact"]);
  });
});

describe("PAYMENT-SIGNATURE", () => {
  const ours: PaymentRequirements = {
    scheme: "exact",
    network: "eip155:31337",
    amount: "50000",
    asset: identity.token,
    payTo: identity.receiver,
    maxTimeoutSeconds: 300,
    extra: { name: "Demo Dollar", version: "2" },
  };

  it("round-trips a payload and refuses what is not one", () => {
    const payload = { x402Version: 2, accepted: ours, payload: { signature: "0x12" } };
    expect(parsePaymentSignature(encodePaymentSignatureHeader(payload))).toEqual(payload);
    for (const bad of ["", "not base64 {", btoa("{}"), btoa('{"x402Version":2}')])
      expect(parsePaymentSignature(bad)).toBeUndefined();
  });

  it.each([
    [{}, undefined],
    [{ asset: identity.token.toLowerCase(), payTo: identity.receiver.toLowerCase() }, undefined],
    [{ scheme: "upto" }, /scheme/],
    [{ network: "eip155:1" }, /network/],
    [{ amount: "50001" }, /amount 50001 is not the price 50000/],
    [{ amount: "5e4" }, /amount/],
    [{ asset: identity.contract }, /asset/],
    [{ payTo: identity.contract }, /payTo/],
    [{ payTo: "nobody" }, /payTo/],
  ])("matches %o against the site's requirement", (change, expected) => {
    const mismatch = requirementMismatch({ ...ours, ...change } as PaymentRequirements, ours);
    if (expected) expect(mismatch).toMatch(expected);
    else expect(mismatch).toBeUndefined();
  });
});
