/**
 * The paywall over a store that keeps channels in the process (keepingChannelStore): a payment on
 * a kept channel is one write and no read, and a stale kept view (another instance's payment, a
 * top-up, a closing signature handed out, a close seen on chain) never lets a payment through that
 * the stored channel refuses, and never refuses one it accepts.
 */
import { describe, expect, it } from "vitest";
import type { Address, Hex } from "viem";
import { keepingChannelStore } from "@/lib/db/store";
import {
  processPayment,
  type ChannelStore,
  type ChannelView,
  type PaymentCommit,
} from "@/lib/protocol/paywall";

const RECEIVER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" as Address;
const SENDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as Address;
const identity = {
  receiver: RECEIVER,
  contract: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512" as Address,
  token: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address,
  chainId: 31337,
};
const PRICE = 5n;

/** A signature stand-in that names the balance it signs (the signer is always SENDER). */
const sig = (balance: bigint) => `0x${balance.toString(16).padStart(130, "0")}` as Hex;
const recoverSigner = (message: { balance: bigint }, signature: Hex): Address | null =>
  BigInt(signature) === message.balance ? SENDER : null;

/**
 * The stored channel, with the conditional write of the real stores (balance, state and closing
 * signature checked), counting reads and writes.
 */
function database(overrides: Partial<ChannelView> = {}) {
  const row: ChannelView = {
    id: 7,
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
  const counts = { reads: 0, writes: 0, applied: 0 };
  const store: ChannelStore = {
    async getChannel() {
      counts.reads++;
      return { ...row };
    },
    async commitPayment(c: PaymentCommit) {
      counts.writes++;
      if (row.balance !== c.previousBalance || row.state !== "open" || row.closeSigned)
        return false;
      row.balance = c.balance;
      row.signature = c.signature;
      row.lastResource = c.resource;
      row.lastPaidAt = Date.now();
      counts.applied++;
      return true;
    },
  };
  return { row, counts, store };
}

function pay(store: ChannelStore, balance: bigint, resource = "article:a") {
  return processPayment(
    {
      price: PRICE,
      resource,
      request: { sender: SENDER, openBlock: 10, balance, signature: sig(balance) },
      retryWindowMs: 60_000,
    },
    { identity, store, recoverSigner },
  );
}

describe("keepingChannelStore under processPayment", () => {
  it("pays on a kept channel with one write and no read", async () => {
    const db = database();
    const store = keepingChannelStore(db.store);
    expect((await pay(store, 5n)).type).toBe("paid");
    expect(db.counts).toEqual({ reads: 1, writes: 1, applied: 1 });
    for (let b = 10n; b <= 50n; b += 5n) expect((await pay(store, b)).type).toBe("paid");
    expect(db.counts).toEqual({ reads: 1, writes: 10, applied: 10 });
    expect(db.row.balance).toBe(50n);
  });

  it("another instance's payment: the write does not apply, the payment is decided on the stored balance", async () => {
    const db = database();
    const store = keepingChannelStore(db.store);
    await pay(store, 5n);
    // Elsewhere, the next proof is paid, for another article.
    db.row.balance = 10n;
    db.row.signature = sig(10n);
    db.row.lastResource = "article:elsewhere";
    // The same proof again buys nothing here (the kept view would have taken it).
    const same = await pay(store, 10n);
    expect(same.type).toBe("payment-required");
    expect(db.counts.applied).toBe(1);
    // The proof after it is paid, on a fresh read.
    expect((await pay(store, 15n)).type).toBe("paid");
    expect(db.row.balance).toBe(15n);
  });

  it("a top-up seen on chain: a payment past the kept deposit is paid", async () => {
    const db = database({ deposit: 10n });
    const store = keepingChannelStore(db.store);
    await pay(store, 5n);
    await pay(store, 10n);
    db.row.deposit = 20n;
    expect((await pay(store, 15n)).type).toBe("paid");
    expect(db.row.balance).toBe(15n);
  });

  it("a closing signature handed out or a close on chain stops payments at once", async () => {
    for (const change of [
      (row: ChannelView) => (row.closeSigned = true),
      (row: ChannelView) => (row.state = "closing"),
      (row: ChannelView) => (row.state = "settled"),
    ]) {
      const db = database();
      const store = keepingChannelStore(db.store);
      await pay(store, 5n);
      change(db.row);
      const outcome = await pay(store, 10n);
      expect(outcome.type).toBe("payment-required");
      expect(outcome.type === "payment-required" && outcome.failure.reason).toBe(
        "nonexisting-channel",
      );
      expect(db.row.balance).toBe(5n);
      expect(db.counts.applied).toBe(1);
    }
  });

  it("a retry or a refusal is decided on the stored channel, never on the kept view", async () => {
    const db = database();
    const store = keepingChannelStore(db.store);
    await pay(store, 5n, "article:a");
    // Elsewhere the channel moved on: the kept proof is no longer the last one.
    db.row.balance = 10n;
    db.row.signature = sig(10n);
    db.row.lastResource = "article:b";
    const retry = await pay(store, 5n, "article:a");
    expect(retry.type).toBe("payment-required");
    expect(retry.type === "payment-required" && retry.lastProof?.balance).toBe(10n);
    expect(db.counts.applied).toBe(1);
  });

  it("a channel not yet confirmed is never kept", async () => {
    const db = database({ confirmationsMissing: 2 });
    const store = keepingChannelStore(db.store);
    expect((await pay(store, 5n)).type).toBe("payment-required");
    db.row.confirmationsMissing = 0;
    expect((await pay(store, 5n)).type).toBe("paid");
  });
});
