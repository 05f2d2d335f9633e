import { describe, expect, it } from "vitest";
import { createWalletClient, http, type Address } from "viem";
import { generatePrivateKey, privateKeyToAccount, toAccount } from "viem/accounts";
import type { PayerContext } from "@/lib/protocol/client/payer-context";
import { signsLocally } from "@/lib/protocol/client/signing";
import type { PayerChannel } from "@/lib/protocol/client";

const sender = privateKeyToAccount(generatePrivateKey());
const session = privateKeyToAccount(generatePrivateKey());

const channel = (signer: Address) => ({ signer, sender: sender.address }) as PayerChannel;

/** The parts of a payer's context that decide who signs. */
const ctx = (parts: {
  account?: unknown;
  walletClient?: unknown;
  sessionSigner?: unknown;
}): PayerContext =>
  ({
    sender: sender.address,
    sessionSigner: parts.sessionSigner,
    options: { account: parts.account ?? sender.address, walletClient: parts.walletClient },
  }) as unknown as PayerContext;

describe("signsLocally: which signatures may start before their reservation", () => {
  it("a session key and a private-key account sign in memory", () => {
    expect(signsLocally(ctx({ sessionSigner: session }), channel(session.address))).toBe(true);
    expect(signsLocally(ctx({ account: sender }), channel(sender.address))).toBe(true);
  });

  it("a wallet, a custom account (a device) or a key this payer does not hold do not", () => {
    const walletClient = createWalletClient({ transport: http("http://127.0.0.1:1") });
    expect(signsLocally(ctx({ walletClient }), channel(sender.address))).toBe(false);
    const device = toAccount({
      address: sender.address,
      signMessage: () => Promise.reject(new Error("asks its owner")),
      signTransaction: () => Promise.reject(new Error("asks its owner")),
      signTypedData: () => Promise.reject(new Error("asks its owner")),
    });
    expect(signsLocally(ctx({ account: device }), channel(sender.address))).toBe(false);
    expect(signsLocally(ctx({ sessionSigner: session }), channel(sender.address))).toBe(false);
    expect(signsLocally(ctx({ account: sender }), channel(session.address))).toBe(false);
  });
});
