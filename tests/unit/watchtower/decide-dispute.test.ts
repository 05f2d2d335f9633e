import { describe, expect, it } from "vitest";
import { BaseError, InsufficientFundsError, type Hex } from "viem";
import {
  decideDispute,
  judgeDisputeTx,
  pickProof,
  type DisputeChannel,
  type DisputeDecision,
  type StoredProof,
  type TxObservation,
  type TxVerdict,
} from "@/lib/watchtower/decide-dispute";
import { isInsufficientFunds } from "@/lib/chain/tx-queue";
import { withdrawable, type WithdrawCandidate } from "@/lib/watchtower/withdraw-channels";

const SIG: Hex = `0x${"11".repeat(65)}`;
const TX: Hex = `0x${"22".repeat(32)}`;

/** A channel the sender closed at 3 while the receiver holds a proof for 5. */
function buildChannel(overrides: Partial<DisputeChannel> = {}): DisputeChannel {
  return {
    state: "closing",
    balance: "5",
    signature: SIG,
    closingBalance: "3",
    settleBlock: 600,
    withdrawn: "0",
    dispute: null,
    disputeTx: null,
    ...overrides,
  };
}

const now = { block: 150, hasEth: true };
const submit: Extract<DisputeDecision, { type: "submit" }> = {
  type: "submit",
  balance: 5n,
  signature: SIG,
  late: false,
};

describe("decideDispute", () => {
  it.each<{
    name: string;
    channel: Partial<DisputeChannel>;
    now?: typeof now;
    expected: DisputeDecision;
  }>([
    { name: "cheating close → submit at the accepted balance", channel: {}, expected: submit },
    {
      name: "open channel",
      channel: { state: "open", closingBalance: null, settleBlock: null },
      expected: { type: "none", reason: "not-closing" },
    },
    {
      name: "settled channel",
      channel: { state: "settled" },
      expected: { type: "none", reason: "not-closing" },
    },
    {
      name: "honest close (equal)",
      channel: { closingBalance: "5" },
      expected: { type: "none", reason: "honest-close" },
    },
    {
      name: "honest close (above)",
      channel: { closingBalance: "7" },
      expected: { type: "none", reason: "honest-close" },
    },
    {
      name: "no accepted payment",
      channel: { balance: "0", signature: null },
      expected: { type: "none", reason: "no-proof" },
    },
    { name: "close at 0 (announced as zero)", channel: { closingBalance: "0" }, expected: submit },
    { name: "close at null closing balance", channel: { closingBalance: null }, expected: submit },
    {
      name: "already withdrew everything accepted: settle pays that anyway",
      channel: { withdrawn: "5", closingBalance: "0" },
      expected: { type: "none", reason: "honest-close" },
    },
    { name: "withdrew part: still worth disputing", channel: { withdrawn: "4" }, expected: submit },
    {
      name: "submitted → only check the transaction",
      channel: { dispute: "submitted", disputeTx: TX },
      expected: { type: "check-tx", txHash: TX },
    },
    {
      name: "submitted and already settled → still check the transaction",
      channel: { state: "settled", dispute: "submitted", disputeTx: TX },
      expected: { type: "check-tx", txHash: TX },
    },
    {
      name: "done and settled",
      channel: { state: "settled", dispute: "done", disputeTx: TX },
      expected: { type: "none", reason: "done" },
    },
    {
      name: "done but closing again (a reorg removed the settlement) → check it is still on chain",
      channel: { dispute: "done", disputeTx: TX },
      expected: { type: "check-tx", txHash: TX },
    },
    {
      name: "done without a recorded transaction",
      channel: { dispute: "done" },
      expected: { type: "none", reason: "done" },
    },
    { name: "pending after a failure → retry", channel: { dispute: "pending" }, expected: submit },
    {
      name: "no-eth while still without ETH",
      channel: { dispute: "no-eth" },
      now: { block: 150, hasEth: false },
      expected: { type: "none", reason: "waiting-for-eth" },
    },
    { name: "no-eth once ETH is back", channel: { dispute: "no-eth" }, expected: submit },
    {
      name: "first attempt is made even when ETH looks low",
      channel: {},
      now: { block: 150, hasEth: false },
      expected: submit,
    },
    {
      name: "at the settle block: not late",
      channel: {},
      now: { block: 600, hasEth: true },
      expected: submit,
    },
    {
      name: "past the settle block but not settled: late",
      channel: {},
      now: { block: 601, hasEth: true },
      expected: { ...submit, late: true },
    },
    {
      name: "amounts beyond 2^64 compare exactly",
      channel: { balance: (2n ** 100n + 1n).toString(), closingBalance: (2n ** 100n).toString() },
      expected: { ...submit, balance: 2n ** 100n + 1n },
    },
  ])("$name", ({ channel, now: at, expected }) => {
    expect(decideDispute(buildChannel(channel), at ?? now)).toEqual(expected);
  });
});

describe("pickProof", () => {
  const proof = (balance: bigint): StoredProof => ({
    balance,
    signature: `0x${balance.toString(16).padStart(130, "0")}`,
  });
  const stored = [proof(12n), proof(2n), proof(6n), proof(4n), proof(10n)];
  it.each<{ name: string; deposit: bigint; floor: bigint; expected: bigint | null }>([
    { name: "the last proof fits: it is used", deposit: 12n, floor: 1n, expected: 12n },
    { name: "deposit above every proof", deposit: 100n, floor: 1n, expected: 12n },
    {
      name: "last proof above the deposit: highest that fits",
      deposit: 11n,
      floor: 1n,
      expected: 10n,
    },
    { name: "a proof equal to the deposit fits", deposit: 6n, floor: 0n, expected: 6n },
    {
      name: "only proofs at or below the floor fit: nothing to win",
      deposit: 5n,
      floor: 4n,
      expected: null,
    },
    { name: "nothing fits", deposit: 1n, floor: 0n, expected: null },
  ])("$name", ({ deposit, floor, expected }) => {
    expect(pickProof(stored, deposit, floor)?.balance ?? null).toBe(expected);
  });
  it("returns the signature of the chosen balance", () => {
    expect(pickProof(stored, 7n, 0n)).toEqual(proof(6n));
  });
  it("compares amounts beyond 2^64 exactly", () => {
    const big = [proof(2n ** 100n + 1n), proof(2n ** 100n)];
    expect(pickProof(big, 2n ** 100n, 0n)?.balance).toBe(2n ** 100n);
  });
});

describe("judgeDisputeTx", () => {
  const mined = (over: Partial<Extract<TxObservation, { type: "mined" }>> = {}): TxObservation => ({
    type: "mined",
    txHash: TX,
    blockNumber: 100,
    canonical: true,
    success: true,
    ...over,
  });
  it.each<{
    name: string;
    obs: TxObservation;
    head: number;
    confirmations: number;
    expected: TxVerdict;
  }>([
    {
      name: "mined, no confirmations required",
      obs: mined(),
      head: 100,
      confirmations: 0,
      expected: { type: "done", txHash: TX },
    },
    {
      name: "mined, 2 of 3 confirmations",
      obs: mined(),
      head: 102,
      confirmations: 3,
      expected: { type: "confirming", txHash: TX, missing: 1 },
    },
    {
      name: "mined, just enough confirmations",
      obs: mined(),
      head: 103,
      confirmations: 3,
      expected: { type: "done", txHash: TX },
    },
    {
      name: "mined in its head block with 1 required",
      obs: mined(),
      head: 100,
      confirmations: 1,
      expected: { type: "confirming", txHash: TX, missing: 1 },
    },
    {
      name: "receipt of a block that left the chain",
      obs: mined({ canonical: false }),
      head: 120,
      confirmations: 3,
      expected: {
        type: "reopen",
        reason: expect.stringContaining("no longer in the canonical chain") as unknown as string,
      },
    },
    {
      name: "reverted",
      obs: mined({ success: false }),
      head: 120,
      confirmations: 3,
      expected: {
        type: "reopen",
        reason: expect.stringContaining("reverted") as unknown as string,
      },
    },
    {
      name: "still pending",
      obs: {
        type: "pending",
        txHash: TX,
        nonce: 3,
        fees: { maxFeePerGas: 2n, maxPriorityFeePerGas: 1n },
      },
      head: 120,
      confirmations: 3,
      expected: { type: "pending" },
    },
    {
      name: "unknown (dropped or reorged away)",
      obs: { type: "unknown" },
      head: 120,
      confirmations: 3,
      expected: { type: "reopen", reason: expect.stringContaining("unknown") as unknown as string },
    },
  ])("$name", ({ obs, head, confirmations, expected }) => {
    expect(judgeDisputeTx(obs, head, confirmations)).toEqual(expected);
  });
});

describe("withdrawable", () => {
  const base: WithdrawCandidate = {
    state: "open",
    confirmed: true,
    balance: "5",
    signature: SIG,
    deposit: "10",
    withdrawn: "0",
  };
  it.each<{
    name: string;
    ch: Partial<WithdrawCandidate>;
    minimum: bigint;
    expected: bigint | null;
  }>([
    { name: "owes 5", ch: {}, minimum: 1n, expected: 5n },
    { name: "owes the minimum exactly", ch: { withdrawn: "2" }, minimum: 3n, expected: 3n },
    { name: "below the minimum", ch: { withdrawn: "3" }, minimum: 3n, expected: null },
    { name: "nothing new", ch: { withdrawn: "5" }, minimum: 0n, expected: null },
    { name: "closing", ch: { state: "closing" }, minimum: 0n, expected: null },
    { name: "unconfirmed", ch: { confirmed: false }, minimum: 0n, expected: null },
    { name: "no proof", ch: { signature: null }, minimum: 0n, expected: null },
    {
      name: "balance above the confirmed deposit",
      ch: { deposit: "4" },
      minimum: 0n,
      expected: null,
    },
  ])("$name", ({ ch, minimum, expected }) => {
    expect(withdrawable({ ...base, ...ch }, minimum)).toBe(expected);
  });
});

describe("isInsufficientFunds", () => {
  it.each([
    {
      name: "viem InsufficientFundsError inside",
      err: new BaseError("estimate failed", { cause: new InsufficientFundsError() }),
      expected: true,
    },
    {
      name: "node message",
      err: new Error("insufficient funds for gas * price + value"),
      expected: true,
    },
    {
      name: "a revert",
      err: new Error("execution reverted: InvalidBalanceProof()"),
      expected: false,
    },
    { name: "a timeout", err: new Error("request timed out"), expected: false },
  ])("$name → $expected", ({ err, expected }) => {
    expect(isInsufficientFunds(err)).toBe(expected);
  });
});
