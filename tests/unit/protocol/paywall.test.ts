/**
 * The paywall decision core without network or database: an in-memory ChannelStore and a signer
 * table stand in for SQLite and secp256k1 recovery.
 */
import { describe, expect, it } from "vitest";
import type { Address, Hex } from "viem";
import { RDN } from "@/lib/protocol/headers";
import { parsePaymentRequest } from "@/lib/protocol/payment-request";
import {
  paywallHeaders,
  processPayment,
  type ChannelStore,
  type ChannelView,
  type PaymentCommit,
  type PaywallDeps,
} from "@/lib/protocol/paywall";

const RECEIVER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" as Address;
const SENDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as Address;
const OTHER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" as Address;
const identity = {
  receiver: RECEIVER,
  contract: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512" as Address,
  token: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address,
  chainId: 31337,
};
const PRICE = 5n;
/** The clock of every decision, and the retry window after a payment. */
const NOW = 1_700_000_000_000;
const WINDOW = 60_000;

/** A signature stand-in: `0x` + 130 hex digits encoding the signer and the balance it signs. */
function sig(signer: Address, balance: bigint): Hex {
  return `0x${signer.slice(2).toLowerCase()}${balance.toString(16).padStart(90, "0")}` as Hex;
}
function recoverSigner(message: { balance: bigint }, signature: Hex): Address | null {
  const signer = `0x${signature.slice(2, 42)}`;
  const balance = BigInt(`0x${signature.slice(42)}`);
  if (balance !== message.balance) return OTHER; // a proof for another balance recovers someone else
  return [SENDER, OTHER].find((a) => a.toLowerCase() === signer) ?? null;
}

function buildChannel(overrides: Partial<ChannelView> = {}): ChannelView {
  return {
    id: 1,
    sender: SENDER,
    openBlock: 10,
    signer: SENDER,
    deposit: 100n,
    balance: 0n,
    signature: null,
    lastResource: null,
    lastPaidAt: null,
    state: "open",
    closeSigned: false,
    confirmationsMissing: 0,
    ...overrides,
  };
}

function memoryStore(
  channel: ChannelView | undefined,
  opts: { raceOnce?: bigint } = {},
): ChannelStore & { commits: PaymentCommit[] } {
  let race = opts.raceOnce;
  const commits: PaymentCommit[] = [];
  return {
    commits,
    async getChannel() {
      return channel ? { ...channel } : undefined;
    },
    async commitPayment(c) {
      if (race !== undefined && channel) {
        // Another request wins the race: the balance moves before this commit applies.
        channel.balance = race;
        channel.signature = sig(SENDER, race);
        race = undefined;
      }
      if (!channel || channel.balance !== c.previousBalance) return false;
      channel.balance = c.balance;
      channel.signature = c.signature;
      channel.lastResource = c.resource;
      channel.lastPaidAt = NOW;
      commits.push(c);
      return true;
    },
  };
}

function deps(store: ChannelStore): PaywallDeps {
  return { identity, store, recoverSigner };
}

function request(balance: bigint, overrides: Record<string, unknown> = {}) {
  return { sender: SENDER, openBlock: 10, balance, signature: sig(SENDER, balance), ...overrides };
}

describe("processPayment", () => {
  it("serves a price of 0 free without touching the store", async () => {
    const store = memoryStore(undefined);
    expect(
      await processPayment(
        { price: 0n, resource: "r", request: undefined, retryWindowMs: WINDOW, now: NOW },
        deps(store),
      ),
    ).toEqual({ type: "free" });
  });

  it.each([
    ["no payment", undefined, buildChannel(), "payment-required", undefined],
    ["unknown channel", request(5n), undefined, "nonexisting-channel", undefined],
    [
      "settled channel",
      request(5n),
      buildChannel({ state: "settled" }),
      "nonexisting-channel",
      undefined,
    ],
    [
      "closing channel",
      request(5n),
      buildChannel({ state: "closing" }),
      "nonexisting-channel",
      undefined,
    ],
    [
      "close signature handed out",
      request(5n),
      buildChannel({ closeSigned: true }),
      "nonexisting-channel",
      undefined,
    ],
    [
      "another receiver",
      request(5n, { receiver: OTHER }),
      buildChannel(),
      "nonexisting-channel",
      undefined,
    ],
    [
      "another contract",
      request(5n, { contract: OTHER }),
      buildChannel(),
      "nonexisting-channel",
      undefined,
    ],
    [
      "unconfirmed",
      request(5n),
      buildChannel({ confirmationsMissing: 3 }),
      "insufficient-confirmations",
      RDN.insufficientConfirmations,
    ],
    [
      "signed by another key",
      request(5n, { signature: sig(OTHER, 5n) }),
      buildChannel(),
      "invalid-balance-proof",
      RDN.invalidBalanceProof,
    ],
    [
      "signed by the sender of a session-key channel",
      request(5n),
      buildChannel({ signer: OTHER }),
      "invalid-balance-proof",
      RDN.invalidBalanceProof,
    ],
    [
      "malformed signature",
      request(5n, { signature: `0x${"00".repeat(65)}` }),
      buildChannel(),
      "invalid-balance-proof",
      RDN.invalidBalanceProof,
    ],
    ["underpays", request(4n), buildChannel(), "invalid-amount", RDN.invalidAmount],
    ["overpays", request(6n), buildChannel(), "invalid-amount", RDN.invalidAmount],
    [
      "decreases",
      request(5n),
      buildChannel({ balance: 10n, signature: sig(SENDER, 10n) }),
      "invalid-amount",
      RDN.invalidAmount,
    ],
    [
      "RDN-Payment disagrees",
      request(5n, { payment: 4n }),
      buildChannel(),
      "invalid-amount",
      RDN.invalidAmount,
    ],
    [
      "exceeds the deposit",
      request(5n),
      buildChannel({ deposit: 4n }),
      "insufficient-funds",
      RDN.insufficientFunds,
    ],
  ])("%s → %s", async (_name, req, channel, reason, header) => {
    const store = memoryStore(channel);
    const outcome = await processPayment(
      { price: PRICE, resource: "r", request: req as never, retryWindowMs: WINDOW, now: NOW },
      deps(store),
    );
    expect(outcome.type).toBe("payment-required");
    if (outcome.type !== "payment-required") return;
    expect(outcome.failure.reason).toBe(reason);
    expect(store.commits).toHaveLength(0);
    const headers = paywallHeaders(identity, PRICE, outcome);
    const failureHeaders = Object.keys(headers).filter((h) =>
      [
        RDN.insufficientConfirmations,
        RDN.nonexistingChannel,
        RDN.invalidBalanceProof,
        RDN.invalidAmount,
        RDN.insufficientFunds,
      ].includes(h as never),
    );
    expect(failureHeaders).toHaveLength(reason === "payment-required" ? 0 : 1);
    if (header) expect(headers[header]).toBe(header === RDN.insufficientConfirmations ? "3" : "1");
    // Channel state is revealed only once the request's signature verified.
    const verified = ["invalid-amount", "insufficient-funds"].includes(reason);
    expect(headers[RDN.balance] !== undefined).toBe(verified);
  });

  it("commits an exact payment and announces the new balance", async () => {
    const channel = buildChannel({ balance: 10n, signature: sig(SENDER, 10n) });
    const store = memoryStore(channel);
    const outcome = await processPayment(
      { price: PRICE, resource: "r", request: request(15n), retryWindowMs: WINDOW, now: NOW },
      deps(store),
    );
    expect(outcome).toMatchObject({ type: "paid", amount: 5n, retry: false });
    expect(store.commits).toEqual([
      {
        channelId: 1,
        previousBalance: 10n,
        balance: 15n,
        signature: sig(SENDER, 15n),
        resource: "r",
        amount: 5n,
      },
    ]);
    const headers = paywallHeaders(identity, PRICE, outcome);
    expect(headers).toMatchObject({
      [RDN.balance]: "15",
      [RDN.sender]: SENDER,
      [RDN.price]: "5",
      [RDN.chainId]: "31337",
      [RDN.gatewayPath]: "/api/1",
    });
  });

  it("serves a retry of the last proof for the same resource without charging; syncs for another", async () => {
    const channel = buildChannel({
      balance: 5n,
      signature: sig(SENDER, 5n),
      lastResource: "r",
      lastPaidAt: NOW - 1_000,
    });
    const store = memoryStore(channel);
    expect(
      await processPayment(
        { price: PRICE, resource: "r", request: request(5n), retryWindowMs: WINDOW, now: NOW },
        deps(store),
      ),
    ).toMatchObject({ type: "paid", amount: 0n, retry: true });
    const other = await processPayment(
      { price: PRICE, resource: "s", request: request(5n), retryWindowMs: WINDOW, now: NOW },
      deps(store),
    );
    expect(other).toMatchObject({
      type: "payment-required",
      failure: { reason: "payment-required" },
      lastProof: { balance: 5n },
    });
    expect(store.commits).toHaveLength(0);
  });

  it.each([
    ["inside the window", NOW - WINDOW + 1, WINDOW, true],
    ["at the end of the window", NOW - WINDOW, WINDOW, false],
    ["long after the payment", NOW - 3_600_000, WINDOW, false],
    ["with retries disabled", NOW, 0, false],
    ["without a payment record", null, WINDOW, false],
  ])("a retry %s is served: %s", async (_name, lastPaidAt, retryWindowMs, served) => {
    const channel = buildChannel({
      balance: 5n,
      signature: sig(SENDER, 5n),
      lastResource: "r",
      lastPaidAt,
    });
    const store = memoryStore(channel);
    const outcome = await processPayment(
      { price: PRICE, resource: "r", request: request(5n), retryWindowMs, now: NOW },
      deps(store),
    );
    if (served) {
      expect(outcome).toMatchObject({ type: "paid", amount: 0n, retry: true });
    } else {
      // Not a payment any more: 402 with the last proof, so the client pays the next price.
      expect(outcome).toMatchObject({
        type: "payment-required",
        failure: { reason: "payment-required" },
        lastProof: { balance: 5n, signature: sig(SENDER, 5n) },
      });
    }
    expect(store.commits).toHaveLength(0);
  });

  it("after the window the next payment on the same resource is charged again", async () => {
    const channel = buildChannel({
      balance: 5n,
      signature: sig(SENDER, 5n),
      lastResource: "r",
      lastPaidAt: NOW - 2 * WINDOW,
    });
    const store = memoryStore(channel);
    const outcome = await processPayment(
      { price: PRICE, resource: "r", request: request(10n), retryWindowMs: WINDOW, now: NOW },
      deps(store),
    );
    expect(outcome).toMatchObject({ type: "paid", amount: 5n, retry: false });
    expect(store.commits).toHaveLength(1);
  });

  it("decides again when another request moved the balance first", async () => {
    const store = memoryStore(buildChannel(), { raceOnce: 5n });
    const outcome = await processPayment(
      { price: PRICE, resource: "r", request: request(5n), retryWindowMs: WINDOW, now: NOW },
      deps(store),
    );
    // The winner paid 5; this proof for 5 is now a repeat of another resource's payment.
    expect(outcome).toMatchObject({
      type: "payment-required",
      failure: { reason: "payment-required" },
      lastProof: { balance: 5n },
    });
    expect(store.commits).toHaveLength(0);
  });
});

describe("parsePaymentRequest", () => {
  const good: Record<string, string> = {
    [RDN.sender]: SENDER.toLowerCase(),
    [RDN.openBlock]: "10",
    [RDN.balance]: "5",
    [RDN.signature]: `0x${"ab".repeat(65)}`,
  };
  const parse = (h: Record<string, string>, cookies?: Record<string, string>) =>
    parsePaymentRequest((n) => h[n], cookies ? (n) => cookies[n] : undefined);

  it("parses a payment and checksums addresses", () => {
    expect(parse(good)).toEqual({
      ok: true,
      payment: {
        sender: SENDER,
        openBlock: 10,
        balance: 5n,
        signature: good[RDN.signature],
        payment: undefined,
        receiver: undefined,
        contract: undefined,
      },
    });
  });

  it("carries no payment without a signature", () => {
    expect(parse({ [RDN.sender]: SENDER })).toEqual({ ok: true });
  });

  it.each([
    [RDN.sender, "0x12"],
    [RDN.openBlock, "0"],
    [RDN.openBlock, "1e3"],
    [RDN.openBlock, "4294967296"],
    [RDN.balance, "-1"],
    [RDN.balance, (2n ** 192n).toString()],
    [RDN.payment, "five"],
    [RDN.signature, "0x1234"],
    [RDN.receiver, "me"],
    [RDN.contract, "0x"],
  ])("rejects a malformed %s (%s) naming the header", (header, value) => {
    const result = parse({ ...good, [header]: value });
    expect(result).toMatchObject({ ok: false, header });
    if (!result.ok) expect(result.error.startsWith(header)).toBe(true);
  });

  it("reads RDN-Balance as an alias and prefers RDN-Sender-Balance", () => {
    const { [RDN.balance]: _dropped, ...rest } = good;
    void _dropped;
    expect(parse({ ...rest, [RDN.balanceAlias]: "7" })).toMatchObject({
      ok: true,
      payment: { balance: 7n },
    });
    expect(parse({ ...good, [RDN.balanceAlias]: "7" })).toMatchObject({
      ok: true,
      payment: { balance: 5n },
    });
  });

  it("takes values from cookies only when the headers carry no signature", () => {
    expect(parse({}, good)).toMatchObject({ ok: true, payment: { balance: 5n } });
    expect(parse({ ...good, [RDN.balance]: "6" }, { ...good, [RDN.balance]: "9" })).toMatchObject({
      ok: true,
      payment: { balance: 6n },
    });
  });
});
