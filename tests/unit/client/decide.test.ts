import { describe, expect, it } from "vitest";
import {
  checkCharge,
  checkPolicy,
  checkServerProof,
  checkTerms,
  depositFor,
  failureAction,
  planPayment,
  type PayerChannel,
  type SpendingPolicy,
} from "@/lib/protocol/client";
import { channelDomain, recoverBalanceProofSigner, signBalanceProof } from "@/lib/protocol";
import { FAILURE_TEXT, type PaymentTerms } from "@/lib/protocol/terms";
import {
  buildChannel,
  buildTarget,
  chainId,
  contract,
  otherAccount,
  otherContract,
  senderAccount,
  sessionAccount,
  token,
} from "./builders";

describe("depositFor", () => {
  it.each<[string, bigint, SpendingPolicy, bigint]>([
    ["default multiple 10", 5n, {}, 50n],
    ["custom multiple", 5n, { depositMultiple: 3n }, 15n],
    ["capped by maxDeposit", 5n, { maxDeposit: 20n }, 20n],
    ["never below the price (multiple 0)", 5n, { depositMultiple: 0n }, 5n],
    ["never below the price (cap below price)", 5n, { maxDeposit: 3n }, 5n],
  ])("%s", (_name, price, policy, expected) => {
    expect(depositFor(price, policy)).toBe(expected);
  });
});

describe("checkPolicy", () => {
  it.each<[string, bigint, SpendingPolicy, bigint, string | undefined]>([
    ["no limits", 10n ** 30n, {}, 0n, undefined],
    ["at maxPrice", 5n, { maxPrice: 5n }, 0n, undefined],
    ["above maxPrice", 6n, { maxPrice: 5n }, 0n, "maximum price of 5"],
    ["above maxDeposit", 6n, { maxDeposit: 5n }, 0n, "maximum deposit of 5"],
    ["exactly the budget", 5n, { budget: 10n }, 5n, undefined],
    ["over the budget", 6n, { budget: 10n }, 5n, "budget of 10 (5 spent so far)"],
  ])("%s", (_name, price, policy, spent, message) => {
    const err = checkPolicy(price, policy, spent);
    if (message === undefined) {
      expect(err).toBeUndefined();
    } else {
      expect(err?.code).toBe("over-policy");
      expect(err?.message).toContain(message);
      expect(err?.message).toContain("nothing was paid");
    }
  });
});

describe("checkTerms", () => {
  const terms = { contract, token, chainId };
  it.each<[string, Partial<typeof terms>, object, string | undefined]>([
    ["nothing trusted yet: first terms are accepted", {}, {}, undefined],
    [
      "same contract and chain (any case)",
      {},
      { contract: contract.toLowerCase(), chainId },
      undefined,
    ],
    ["another contract", { contract: otherContract }, { contract }, "foreign-contract"],
    ["another chain", { chainId: 1 }, { chainId }, "wrong-chain"],
    ["another token", { token: otherContract }, { token }, "foreign-contract"],
  ])("%s", (_name, override, trusted, code) => {
    const err = checkTerms({ ...terms, ...override }, trusted, "http://site.test");
    expect(err?.code).toBe(code);
    if (err) expect(err.message).toMatch(/^http:\/\/site\.test /);
  });
});

describe("planPayment", () => {
  const sessionSigned = buildChannel({ openBlock: 30, signer: sessionAccount.address });
  const cases: Array<{
    name: string;
    channels: PayerChannel[];
    price: bigint;
    policy?: SpendingPolicy;
    signers?: `0x${string}`[];
    expected: { type: string; openBlock?: number; amount?: bigint; deposit?: bigint };
  }> = [
    {
      name: "no channel: open with price × 10",
      channels: [],
      price: 5n,
      expected: { type: "open", deposit: 50n },
    },
    {
      name: "a covering channel is used",
      channels: [buildChannel({ balance: 95n })],
      price: 5n,
      expected: { type: "use", openBlock: 10 },
    },
    {
      name: "the covering channel with the least room wins",
      channels: [
        buildChannel({ openBlock: 10, deposit: 100n, balance: 0n }),
        buildChannel({ openBlock: 11, deposit: 100n, balance: 90n }),
      ],
      price: 5n,
      expected: { type: "use", openBlock: 11 },
    },
    {
      name: "too small a deposit: top up by the policy deposit",
      channels: [buildChannel({ balance: 98n })],
      price: 5n,
      expected: { type: "top-up", openBlock: 10, amount: 50n },
    },
    {
      name: "top-up limited by maxDeposit when that still covers",
      channels: [buildChannel({ balance: 98n })],
      price: 5n,
      policy: { maxDeposit: 110n },
      expected: { type: "top-up", openBlock: 10, amount: 10n },
    },
    {
      name: "no top-up room under maxDeposit: open a new channel",
      channels: [buildChannel({ balance: 98n })],
      price: 5n,
      policy: { maxDeposit: 100n },
      expected: { type: "open", deposit: 50n },
    },
    {
      name: "closing, settled and site-refused channels are never used",
      channels: [
        buildChannel({ openBlock: 1, state: "closing" }),
        buildChannel({ openBlock: 2, state: "settled" }),
        buildChannel({ openBlock: 3, siteRefused: true }),
      ],
      price: 5n,
      expected: { type: "open", deposit: 50n },
    },
    {
      name: "channels of another receiver, contract, chain or sender are ignored",
      channels: [
        buildChannel({ receiver: otherAccount.address }),
        buildChannel({ contract: otherContract }),
        buildChannel({ chainId: 1 }),
        buildChannel({ sender: otherAccount.address }),
      ],
      price: 5n,
      expected: { type: "open", deposit: 50n },
    },
    {
      name: "a channel signed by a key the payer lacks is ignored",
      channels: [sessionSigned],
      price: 5n,
      expected: { type: "open", deposit: 50n },
    },
    {
      name: "a channel signed by the payer's session key is used",
      channels: [sessionSigned],
      price: 5n,
      signers: [sessionAccount.address, senderAccount.address],
      expected: { type: "use", openBlock: 30 },
    },
  ];
  it.each(cases)("$name", ({ channels, price, policy, signers, expected }) => {
    const plan = planPayment(channels, buildTarget(price, signers), policy ?? {});
    expect(plan.type).toBe(expected.type);
    if (plan.type !== "open") expect(plan.channel.openBlock).toBe(expected.openBlock);
    if (plan.type === "top-up") expect(plan.amount).toBe(expected.amount);
    if (plan.type === "open") expect(plan.deposit).toBe(expected.deposit);
  });
});

describe("failureAction", () => {
  const channel = buildChannel({ balance: 10n });
  const proof = (balance: bigint, sender = channel.sender) => ({
    sender,
    balance,
    signature: `0x${"11".repeat(65)}` as const,
  });
  const cases: Array<[string, Pick<PaymentTerms, "failure" | "lastProof">, bigint, object]> = [
    [
      "insufficient confirmations → wait that many blocks",
      { failure: { reason: "insufficient-confirmations", missing: 3 } },
      15n,
      { type: "wait-confirmations", blocks: 3 },
    ],
    [
      "nonexisting channel → look it up on chain",
      { failure: { reason: "nonexisting-channel" } },
      15n,
      { type: "check-channel" },
    ],
    [
      "invalid amount with the site's proof → adopt",
      { failure: { reason: "invalid-amount" }, lastProof: proof(20n) },
      15n,
      { type: "adopt", lastProof: proof(20n) },
    ],
    [
      "invalid amount without a proof → refuse",
      { failure: { reason: "invalid-amount" } },
      15n,
      { type: "refuse", reason: "invalid-amount", text: FAILURE_TEXT["invalid-amount"] },
    ],
    [
      "invalid amount with another sender's proof → refuse",
      { failure: { reason: "invalid-amount" }, lastProof: proof(20n, otherAccount.address) },
      15n,
      { type: "refuse", reason: "invalid-amount", text: FAILURE_TEXT["invalid-amount"] },
    ],
    [
      "insufficient funds within our deposit → the site lags: wait",
      { failure: { reason: "insufficient-funds" } },
      100n,
      { type: "wait-deposit" },
    ],
    [
      "insufficient funds beyond our deposit → top up",
      { failure: { reason: "insufficient-funds" } },
      101n,
      { type: "top-up" },
    ],
    [
      "invalid balance proof → refuse",
      { failure: { reason: "invalid-balance-proof" } },
      15n,
      {
        type: "refuse",
        reason: "invalid-balance-proof",
        text: FAILURE_TEXT["invalid-balance-proof"],
      },
    ],
    [
      "plain 402 with a different last balance → adopt",
      { lastProof: proof(15n) },
      15n,
      { type: "adopt", lastProof: proof(15n) },
    ],
    [
      "plain 402 with our own last balance → refuse",
      { lastProof: proof(10n) },
      15n,
      { type: "refuse", reason: "payment-required", text: FAILURE_TEXT["payment-required"] },
    ],
    [
      "plain 402 without a proof → refuse",
      {},
      15n,
      { type: "refuse", reason: "payment-required", text: FAILURE_TEXT["payment-required"] },
    ],
  ];
  it.each(cases)("%s", (_name, terms, sentBalance, expected) => {
    expect(failureAction(terms, channel, sentBalance)).toEqual(expected);
  });
});

describe("checkServerProof", () => {
  const channel = buildChannel({ balance: 5n, deposit: 100n });
  const domain = channelDomain({ chainId, contract });
  const sign = (account: typeof senderAccount, balance: bigint, ch: PayerChannel = channel) =>
    signBalanceProof({
      account,
      domain,
      message: { sender: ch.sender, receiver: ch.receiver, openBlockNumber: ch.openBlock, balance },
    });
  const recover = (balance: bigint, signature: `0x${string}`, ch: PayerChannel = channel) =>
    recoverBalanceProofSigner(
      domain,
      { sender: ch.sender, receiver: ch.receiver, openBlockNumber: ch.openBlock, balance },
      signature,
    );

  it("accepts the sender's own proof at or below the deposit", async () => {
    const signature = await sign(senderAccount, 40n);
    const check = checkServerProof(
      channel,
      { sender: channel.sender, balance: 40n, signature },
      await recover(40n, signature),
      channel.deposit,
    );
    expect(check).toEqual({ ok: true, balance: 40n, signature });
  });

  it("accepts a session key's proof on a channel it signs for", async () => {
    const ch = buildChannel({ signer: sessionAccount.address });
    const signature = await sign(sessionAccount, 40n, ch);
    const check = checkServerProof(
      ch,
      { sender: ch.sender, balance: 40n, signature },
      await recover(40n, signature, ch),
      ch.deposit,
    );
    expect(check.ok).toBe(true);
  });

  it("accepts a zero balance without a signature (nothing paid yet)", () => {
    const check = checkServerProof(
      channel,
      { sender: channel.sender, balance: 0n, signature: null },
      null,
      100n,
    );
    expect(check).toEqual({ ok: true, balance: 0n, signature: null });
  });

  const tampered: Array<[string, () => Promise<Parameters<typeof checkServerProof>>, string]> = [
    [
      "a balance the signature is not for",
      async () => {
        const signature = await sign(senderAccount, 40n);
        return [
          channel,
          { sender: channel.sender, balance: 45n, signature },
          await recover(45n, signature),
          100n,
        ];
      },
      "not by the channel's signer",
    ],
    [
      "a proof by another key",
      async () => {
        const signature = await sign(otherAccount, 40n);
        return [
          channel,
          { sender: channel.sender, balance: 40n, signature },
          await recover(40n, signature),
          100n,
        ];
      },
      "not by the channel's signer",
    ],
    [
      "a proof above the deposit",
      async () => {
        const signature = await sign(senderAccount, 101n);
        return [
          channel,
          { sender: channel.sender, balance: 101n, signature },
          await recover(101n, signature),
          100n,
        ];
      },
      "exceeds the deposit of 100",
    ],
    [
      "a non-zero balance without a signature",
      async () => [channel, { sender: channel.sender, balance: 40n, signature: null }, null, 100n],
      "no signature",
    ],
    [
      "another sender",
      async () => {
        const signature = await sign(senderAccount, 40n);
        return [
          channel,
          { sender: otherAccount.address, balance: 40n, signature },
          await recover(40n, signature),
          100n,
        ];
      },
      "another sender",
    ],
  ];
  it.each(tampered)("rejects %s as tampered", async (_name, build, message) => {
    const check = checkServerProof(...(await build()));
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.error.code).toBe("tampered-proof");
      expect(check.error.message).toContain(message);
    }
  });
});

describe("checkCharge", () => {
  const policy: SpendingPolicy = { maxPrice: 10n, budget: 25n };
  it.each([
    ["a first signature within both limits", 10n, { request: 0n, spent: 0n }, undefined],
    ["a re-signature that adds nothing", 0n, { request: 10n, spent: 25n }, undefined],
    [
      "a second signature for one request past maxPrice",
      1n,
      { request: 10n, spent: 10n },
      "maxPrice",
    ],
    ["a signature past the budget", 10n, { request: 0n, spent: 20n }, "budget"],
    ["exactly the budget", 5n, { request: 0n, spent: 20n }, undefined],
  ] as const)("%s", (_name, charge, state, limit) => {
    const err = checkCharge(charge, state, policy);
    if (limit === undefined) expect(err).toBeUndefined();
    else expect(err).toMatchObject({ code: "over-policy", details: { [limit]: policy[limit] } });
  });

  it("has no limit without a policy", () => {
    expect(checkCharge(10n ** 30n, { request: 10n ** 30n, spent: 10n ** 30n }, {})).toBeUndefined();
  });
});

describe("checkTerms receiver pin", () => {
  const terms = { contract, token, chainId, receiver: otherAccount.address };
  it("refuses another receiver than the one pinned for the site", () => {
    const err = checkTerms(terms, { receiver: senderAccount.address }, "http://site.test");
    expect(err).toMatchObject({
      code: "foreign-contract",
      details: { receiver: otherAccount.address },
    });
  });
  it("accepts the pinned receiver in any case", () => {
    const pinned = otherAccount.address.toLowerCase() as `0x${string}`;
    expect(checkTerms(terms, { receiver: pinned }, "http://site.test")).toBeUndefined();
  });
});
