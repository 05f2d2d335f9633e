/** The paywall's errors in words: which limit stopped an automatic payment, and a declined prompt. */
import { describe, expect, it } from "vitest";
import { explainError } from "@/components/paywall/explain-error";
import { PayerError } from "@/lib/protocol/client/errors";

const overPolicy = (details: Record<string, unknown>) =>
  new PayerError("over-policy", "refused", { details });

describe("explainError (paywall)", () => {
  it.each([
    [{ autopay: "over-cap" }, /would pass your spending cap/],
    [{ autopay: "over-max" }, /above your auto-pay maximum for one article/],
    [{ autopay: "disabled" }, /Auto-pay is off in this browser/],
    [{ needs: "top-up" }, /top it up/],
  ])("over-policy %o", (details, expected) => {
    expect(explainError(overPolicy(details))).toMatch(expected);
  });

  it("says the reader declined, whatever the wallet's error wraps", () => {
    const declined = new Error("wrapped", { cause: { code: 4001 } });
    expect(explainError(declined)).toBe(
      "You declined the request in your wallet. Nothing was sent.",
    );
  });
});
