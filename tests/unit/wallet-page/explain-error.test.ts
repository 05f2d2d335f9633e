import { describe, expect, it } from "vitest";
import { InsufficientFundsError, TransactionExecutionError, UserRejectedRequestError } from "viem";
import {
  explainError,
  isUserRejection,
  SiteApiError,
} from "@/components/wallet-page/explain-error";
import { PayerError } from "@/lib/protocol/client";

describe("explainError", () => {
  it("recognises a rejection in the wallet at any depth", () => {
    const rejected = new UserRejectedRequestError(new Error("User rejected the request."));
    const wrapped = new PayerError("transaction-failed", "topUp failed: User rejected.", {
      cause: rejected,
    });
    expect(isUserRejection(wrapped)).toBe(true);
    expect(explainError(wrapped)).toBe(
      "You rejected the request in your wallet: nothing was sent.",
    );
    expect(isUserRejection(Object.assign(new Error("x"), { code: 4001 }))).toBe(true);
    expect(isUserRejection(new Error("execution reverted"))).toBe(false);
  });

  it("explains missing ETH from the payer's check and from the node's answer", () => {
    expect(explainError(new PayerError("no-eth", "The sender has 0 wei."))).toMatch(
      /^Your account does not have enough ETH .*\(The sender has 0 wei\.\)$/,
    );
    const nodeSaid = new TransactionExecutionError(new InsufficientFundsError(), {
      account: undefined,
    } as never);
    expect(explainError(nodeSaid)).toMatch(/not have enough ETH/);
  });

  it("says the site, not its origin, when a cooperative close fails", () => {
    const origin = "http://127.0.0.1:3000";
    expect(
      explainError(
        new PayerError("payment-refused", `${origin} refused to close (409): stale balance`),
        origin,
      ),
    ).toBe("The site refused to close (409): stale balance");
    expect(
      explainError(
        new PayerError("tampered-proof", `${origin}'s closing signature is not by the receiver.`),
        origin,
      ),
    ).toBe("The site's closing signature is not by the receiver.");
    expect(
      explainError(
        new PayerError("site-unreachable", `${origin} did not answer the close request.`),
        origin,
      ),
    ).toBe("The site did not answer: check your connection and try again.");
    // Another origin (a relay, an RPC node) is a fact worth keeping.
    expect(explainError(new Error("https://rpc.example refused"), origin)).toBe(
      "https://rpc.example refused",
    );
  });

  it.each([
    ["wrong-chain", /switch to the site's network/],
    ["challenge-period", /challenge period is not over/],
    ["no-tokens", /not hold enough tokens/],
  ] as const)("explains the payer's %s", (code, text) => {
    expect(explainError(new PayerError(code, "details"))).toMatch(text);
  });

  it("explains the site's answers by status", () => {
    expect(explainError(new SiteApiError(401, "sign-in failed: nonce used"))).toBe(
      "The site did not accept the sign-in: sign-in failed: nonce used",
    );
    expect(explainError(new SiteApiError(503, "sign-in is disabled"))).toMatch(/cannot answer/);
    expect(explainError(new TypeError("Failed to fetch"))).toMatch(/did not answer/);
    expect(explainError("plain")).toBe("plain");
  });
});
