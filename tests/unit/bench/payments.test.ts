import { describe, expect, it } from "vitest";
import {
  channelKey,
  checkPayments,
  type RecordedPayment,
  type SentProof,
} from "../../../scripts/bench-payments";

const PRICE = 5n;
const RESOURCE = "echo:fix:bench";
const A = channelKey("0xAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAa", 10);
const B = channelKey("0xBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBb", 11);

/** Three paid requests on A and two on B, every one answered 200. */
function sentProofs(): SentProof[] {
  return [
    ...[5, 10, 15].map((b) => ({ channel: A, balance: String(b), status: 200 })),
    ...[5, 10].map((b) => ({ channel: B, balance: String(b), status: 200 })),
  ];
}

/** The payments a correct site records for {@link sentProofs}. */
function recordedPayments(): RecordedPayment[] {
  return sentProofs().map((p) => ({
    channel: p.channel,
    balance: p.balance,
    amount: String(PRICE),
    resource: RESOURCE,
  }));
}

const check = (sent: SentProof[], recorded: RecordedPayment[]) =>
  checkPayments(sent, recorded, { price: PRICE, resource: RESOURCE });

describe("checkPayments", () => {
  it("accepts a run where every paid response has exactly its payment", () => {
    const result = check(sentProofs(), recordedPayments());
    expect(result).toEqual({ sent: 5, paid: 5, recorded: 5, problems: [] });
  });

  it("matches channels whatever the case of the sender address", () => {
    expect(channelKey("0xAbC", 3)).toBe(channelKey("0xaBc", 3));
    expect(channelKey("0xabc", 3)).not.toBe(channelKey("0xabc", 4));
  });

  it.each<{
    name: string;
    sent?: (s: SentProof[]) => SentProof[];
    recorded?: (r: RecordedPayment[]) => RecordedPayment[];
    problem: RegExp;
  }>([
    {
      name: "a payment for a request answered 402",
      sent: (s) => s.map((p, i) => (i === 2 ? { ...p, status: 402 } : p)),
      problem:
        /1 payments recorded without a paid response: .*:10 @ 15: its request was answered 402/,
    },
    {
      name: "a payment for a request whose response never came",
      sent: (s) => s.map((p, i) => (i === 4 ? { channel: p.channel, balance: p.balance } : p)),
      problem:
        /payments recorded without a paid response: .*:11 @ 10: its request was never answered/,
    },
    {
      name: "a payment for a proof no request carried",
      recorded: (r) => [...r, { ...r[0]!, balance: "20" }],
      problem:
        /payments recorded without a paid response: .*:10 @ 20: no request carried this proof/,
    },
    {
      name: "a paid response without a payment",
      recorded: (r) => r.filter((_, i) => i !== 3),
      problem: /1 paid responses without a recorded payment: .*:11 @ 5$/,
    },
    {
      name: "one balance charged twice",
      recorded: (r) => [...r, r[1]!],
      problem: /1 balances charged more than once: .*:10 @ 10 recorded 2 times/,
    },
    {
      name: "a payment charging more than the price",
      recorded: (r) => r.map((p, i) => (i === 0 ? { ...p, amount: "10" } : p)),
      problem: /payments with the wrong amount or resource: .*:10 @ 5 charged 10 instead of 5/,
    },
    {
      name: "a payment recorded for another resource",
      recorded: (r) => r.map((p, i) => (i === 0 ? { ...p, resource: "article:x" } : p)),
      problem: /recorded for article:x instead of echo:fix:bench/,
    },
    {
      name: "a valid proof refused",
      sent: (s) => s.map((p, i) => (i === 4 ? { ...p, status: 409 } : p)),
      recorded: (r) => r.filter((_, i) => i !== 4),
      problem: /1 valid proofs refused: .*:11 @ 10 answered 409/,
    },
    {
      name: "an unanswered request even without a payment",
      sent: (s) => [...s, { channel: B, balance: "15" }],
      problem: /1 requests never answered .*: .*:11 @ 15$/,
    },
  ])("reports $name", ({ sent, recorded, problem }) => {
    const s = sent ? sent(sentProofs()) : sentProofs();
    const r = recorded ? recorded(recordedPayments()) : recordedPayments();
    const result = check(s, r);
    expect(result.problems).toContainEqual(expect.stringMatching(problem));
  });

  it("lists the first few discrepancies and counts the rest", () => {
    const sent = Array.from({ length: 8 }, (_, i) => ({
      channel: A,
      balance: String(5 * (i + 1)),
      status: 200,
    }));
    const result = check(sent, []);
    expect(result.paid).toBe(8);
    expect(result.recorded).toBe(0);
    expect(result.problems).toEqual([expect.stringMatching(/^8 paid responses .*; and 3 more$/)]);
  });
});
