import { describe, expect, it } from "vitest";
import { recoverTypedDataAddress, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  balanceProofTypes,
  recoverBalanceProofSigner,
  recoverClosingProofSigner,
  signBalanceProof,
  signClosingProof,
  verifyBalanceProof,
  verifyClosingProof,
} from "@/lib/protocol";
import {
  buildDomain,
  buildMessage,
  domain,
  highSTwin,
  malformedSignatures,
  PINNED,
  receiver,
  sender,
} from "./fixtures";

const message = buildMessage();

describe("signBalanceProof / signClosingProof", () => {
  it("produce the pinned signatures (RFC 6979, deterministic)", async () => {
    expect(await signBalanceProof({ account: sender, domain, message })).toBe(
      PINNED.balanceProofSignature,
    );
    expect(await signClosingProof({ account: receiver, domain, message })).toBe(
      PINNED.closingProofSignature,
    );
  });

  it("round-trip: the signer is recovered and verified", async () => {
    for (let i = 0; i < 5; i++) {
      const account = privateKeyToAccount(generatePrivateKey());
      const m = buildMessage({ balance: BigInt(i) * 10n ** 17n, openBlockNumber: i + 1 });
      const balanceSig = await signBalanceProof({ account, domain, message: m });
      const closingSig = await signClosingProof({ account, domain, message: m });
      expect(await recoverBalanceProofSigner(domain, m, balanceSig)).toBe(account.address);
      expect(await recoverClosingProofSigner(domain, m, closingSig)).toBe(account.address);
      expect(await verifyBalanceProof(domain, m, balanceSig, account.address)).toBe(true);
      expect(await verifyClosingProof(domain, m, closingSig, account.address)).toBe(true);
    }
  });

  it("verify ignores the case of the expected signer", async () => {
    const lower = sender.address.toLowerCase() as Hex;
    expect(await verifyBalanceProof(domain, message, PINNED.balanceProofSignature, lower)).toBe(
      true,
    );
    expect(
      await verifyBalanceProof(domain, message, PINNED.balanceProofSignature, receiver.address),
    ).toBe(false);
  });
});

describe("recovery rejects malformed signatures", () => {
  it.each(malformedSignatures(PINNED.balanceProofSignature))(
    "$name → null",
    async ({ signature }) => {
      expect(await recoverBalanceProofSigner(domain, message, signature)).toBeNull();
      expect(await verifyBalanceProof(domain, message, signature, sender.address)).toBe(false);
    },
  );

  it("the high-s twin is a real signature by the same key, rejected only by the low-s rule", async () => {
    // Proves the rejection above is not vacuous: viem alone would accept the malleated signature.
    const twin = highSTwin(PINNED.balanceProofSignature);
    const viemSigner = await recoverTypedDataAddress({
      domain,
      types: balanceProofTypes,
      primaryType: "BalanceProof",
      message,
      signature: twin,
    });
    expect(viemSigner).toBe(sender.address);
    expect(await recoverBalanceProofSigner(domain, message, twin)).toBeNull();
  });

  it("r that is not the x of a curve point → null, not a throw", async () => {
    const sig = `0x${5n.toString(16).padStart(64, "0")}${PINNED.balanceProofSignature.slice(66)}`;
    expect(await recoverBalanceProofSigner(domain, message, sig)).toBeNull();
  });

  it("a message that does not fit its types → null", async () => {
    const bad = buildMessage({ balance: 1n << 192n });
    expect(await recoverBalanceProofSigner(domain, bad, PINNED.balanceProofSignature)).toBeNull();
  });
});

describe("a signature over something else recovers someone else", () => {
  const sig = PINNED.balanceProofSignature;
  it.each([
    ["another balance", domain, buildMessage({ balance: message.balance + 1n })],
    [
      "another receiver",
      domain,
      buildMessage({ receiver: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" }),
    ],
    [
      "another openBlockNumber",
      domain,
      buildMessage({ openBlockNumber: message.openBlockNumber - 1 }),
    ],
    [
      "another contract",
      buildDomain({ contract: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512" }),
      message,
    ],
    ["another chainId", buildDomain({ chainId: 1 }), message],
  ])("%s", async (_name, d, m) => {
    const signer = await recoverBalanceProofSigner(d, m, sig);
    expect(signer).not.toBeNull();
    expect(signer).not.toBe(sender.address);
    expect(await verifyBalanceProof(d, m, sig, sender.address)).toBe(false);
  });

  it("a ClosingProof never verifies as a BalanceProof, nor the reverse", async () => {
    const closing = await signClosingProof({ account: sender, domain, message });
    expect(await recoverClosingProofSigner(domain, message, closing)).toBe(sender.address);
    expect(await verifyBalanceProof(domain, message, closing, sender.address)).toBe(false);
    expect(
      await verifyClosingProof(domain, message, PINNED.balanceProofSignature, sender.address),
    ).toBe(false);
  });
});
