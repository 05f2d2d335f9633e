import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { getAddress, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { randomBytes, randomInt } from "node:crypto";
import {
  channelDomain,
  recoverBalanceProofSigner,
  recoverClosingProofSigner,
  signBalanceProof,
  signClosingProof,
  type ProofMessage,
} from "@/lib/protocol";
import { createProofVerifier } from "@/lib/protocol/fast-verify";
import {
  buildDomain,
  buildMessage,
  CHAIN_ID,
  CONTRACT,
  domain,
  malformedSignatures,
  PINNED,
  receiver,
  sender,
} from "./fixtures";

const verifier = createProofVerifier({ chainId: CHAIN_ID, contract: CONTRACT });
const message = buildMessage();

describe("fast-verify setup", () => {
  it("loads the native secp256k1 addon (not the pure-JS fallback)", () => {
    const require = createRequire(import.meta.url);
    expect(() => require("secp256k1/bindings")).not.toThrow();
  });

  it("precomputes the pinned domain separator", () => {
    expect(verifier.domainSeparator).toBe(PINNED.domainSeparator);
    expect(
      createProofVerifier({ chainId: CHAIN_ID, contract: CONTRACT.toLowerCase() }).domainSeparator,
    ).toBe(PINNED.domainSeparator);
  });
});

describe("fixed vectors", () => {
  it("recovers the pinned signers, checksummed", () => {
    expect(verifier.recoverBalanceProofSigner(message, PINNED.balanceProofSignature)).toBe(
      sender.address,
    );
    expect(verifier.recoverClosingProofSigner(message, PINNED.closingProofSignature)).toBe(
      receiver.address,
    );
    expect(
      verifier.verifyBalanceProof(
        message,
        PINNED.balanceProofSignature,
        sender.address.toLowerCase(),
      ),
    ).toBe(true);
    expect(
      verifier.verifyClosingProof(message, PINNED.closingProofSignature, receiver.address),
    ).toBe(true);
  });

  it("accepts lower-case addresses in the message and upper-case hex in the signature", () => {
    const lower = { ...message, sender: message.sender.toLowerCase() as Address };
    const upperSig = `0x${PINNED.balanceProofSignature.slice(2).toUpperCase()}`;
    expect(verifier.recoverBalanceProofSigner(lower, upperSig)).toBe(sender.address);
  });

  it("never mixes the proof kinds", () => {
    expect(
      verifier.verifyBalanceProof(message, PINNED.closingProofSignature, receiver.address),
    ).toBe(false);
    expect(verifier.verifyClosingProof(message, PINNED.balanceProofSignature, sender.address)).toBe(
      false,
    );
  });

  it("handles the extreme values of uint32 and uint192", async () => {
    for (const m of [
      buildMessage({ balance: 0n, openBlockNumber: 0 }),
      buildMessage({ balance: (1n << 192n) - 1n, openBlockNumber: 2 ** 32 - 1 }),
      buildMessage({ balance: (1n << 128n) + (1n << 64n) + 1n }),
    ]) {
      const sig = await signBalanceProof({ account: sender, domain, message: m });
      expect(verifier.recoverBalanceProofSigner(m, sig)).toBe(sender.address);
    }
  });
});

describe("rejections agree with the viem path", () => {
  it.each(malformedSignatures(PINNED.balanceProofSignature))(
    "$name → null",
    async ({ signature }) => {
      expect(verifier.recoverBalanceProofSigner(message, signature)).toBeNull();
      expect(await recoverBalanceProofSigner(domain, message, signature)).toBeNull();
      expect(verifier.verifyBalanceProof(message, signature, sender.address)).toBe(false);
    },
  );

  it("r not on the curve → null", () => {
    const sig = `0x${5n.toString(16).padStart(64, "0")}${PINNED.balanceProofSignature.slice(66)}`;
    expect(verifier.recoverBalanceProofSigner(message, sig)).toBeNull();
  });

  it.each([
    ["balance = 2^192", { balance: 1n << 192n }],
    ["negative balance", { balance: -1n }],
    ["balance as number", { balance: 5 as unknown as bigint }],
    ["openBlockNumber = 2^32", { openBlockNumber: 2 ** 32 }],
    ["openBlockNumber = -1", { openBlockNumber: -1 }],
    ["openBlockNumber = 1.5", { openBlockNumber: 1.5 }],
    ["short sender", { sender: "0x1234" as Address }],
    ["non-hex receiver", { receiver: `0x${"z".repeat(40)}` as Address }],
  ])("malformed message: %s → null", (_name, overrides) => {
    expect(
      verifier.recoverBalanceProofSigner(buildMessage(overrides), PINNED.balanceProofSignature),
    ).toBeNull();
  });

  it.each([
    ["another balance", domain, buildMessage({ balance: message.balance + 1n })],
    [
      "another receiver",
      domain,
      buildMessage({ receiver: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" }),
    ],
    [
      "another contract",
      buildDomain({ contract: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512" }),
      message,
    ],
    ["another chainId", buildDomain({ chainId: 1 }), message],
  ])("signature for %s recovers a different address, like viem", async (_name, d, m) => {
    const v = createProofVerifier({ chainId: d.chainId, contract: d.verifyingContract });
    const fast = v.recoverBalanceProofSigner(m, PINNED.balanceProofSignature);
    expect(fast).not.toBeNull();
    expect(fast).not.toBe(sender.address);
    expect(fast).toBe(await recoverBalanceProofSigner(d, m, PINNED.balanceProofSignature));
  });
});

describe("randomized vectors agree with viem", () => {
  const randomAddress = (): Address => getAddress(`0x${randomBytes(20).toString("hex")}`);
  const randomUint192 = (): bigint => {
    const pick = randomInt(4);
    if (pick === 0) return (1n << 192n) - 1n;
    if (pick === 1) return BigInt(randomInt(1_000_000));
    return BigInt(`0x${randomBytes(24).toString("hex")}`);
  };

  it("≥ 200 random keys, domains and messages, both proof kinds", async () => {
    const domains = Array.from({ length: 4 }, (_, i) =>
      channelDomain({
        chainId: i === 0 ? CHAIN_ID : randomInt(1, 2 ** 31),
        contract: randomAddress(),
      }),
    );
    const verifiers = domains.map((d) =>
      createProofVerifier({ chainId: d.chainId, contract: d.verifyingContract }),
    );
    let checked = 0;
    for (let i = 0; i < 220; i++) {
      const account = privateKeyToAccount(generatePrivateKey());
      const k = i % domains.length;
      const d = domains[k]!;
      const v = verifiers[k]!;
      const m: ProofMessage = {
        sender: randomAddress(),
        receiver: randomAddress(),
        openBlockNumber: randomInt(2 ** 32 - 1) + (i % 2),
        balance: randomUint192(),
      };
      const closing = i % 3 === 0;
      const sig: Hex = closing
        ? await signClosingProof({ account, domain: d, message: m })
        : await signBalanceProof({ account, domain: d, message: m });
      const viemSigner = closing
        ? await recoverClosingProofSigner(d, m, sig)
        : await recoverBalanceProofSigner(d, m, sig);
      const fastSigner = closing
        ? v.recoverClosingProofSigner(m, sig)
        : v.recoverBalanceProofSigner(m, sig);
      expect(viemSigner).toBe(account.address);
      expect(fastSigner).toBe(account.address);
      // The same signature over a neighbouring balance recovers the same wrong address on both paths.
      const other = { ...m, balance: m.balance === 0n ? 1n : m.balance - 1n };
      const viemOther = closing
        ? await recoverClosingProofSigner(d, other, sig)
        : await recoverBalanceProofSigner(d, other, sig);
      const fastOther = closing
        ? v.recoverClosingProofSigner(other, sig)
        : v.recoverBalanceProofSigner(other, sig);
      expect(fastOther).toBe(viemOther);
      expect(fastOther).not.toBe(account.address);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(200);
  });
});
