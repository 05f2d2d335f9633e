import { describe, expect, it } from "vitest";
import { domainSeparator, hashTypedData, keccak256, stringToHex } from "viem";
import {
  balanceProofDigest,
  balanceProofTypes,
  channelDomain,
  closingProofDigest,
  closingProofTypes,
  EIP712_DOMAIN_NAME,
  PROOF_TYPE_STRINGS,
} from "@/lib/protocol";
import { buildMessage, CHAIN_ID, CONTRACT, domain, PINNED } from "./fixtures";

describe("channelDomain", () => {
  it("builds the PROTOCOL.md domain with a checksummed contract", () => {
    expect(channelDomain({ chainId: CHAIN_ID, contract: CONTRACT.toLowerCase() })).toEqual({
      name: "MicroTransferChannels",
      version: "1",
      chainId: 31337,
      verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    });
    expect(EIP712_DOMAIN_NAME).toBe("MicroTransferChannels");
  });

  it("throws on a contract that is not an address (configuration bug)", () => {
    expect(() => channelDomain({ chainId: 1, contract: "0x1234" })).toThrow();
  });

  it("has the pinned domain separator", () => {
    expect(domainSeparator({ domain })).toBe(PINNED.domainSeparator);
  });
});

describe("proof types", () => {
  it("match the PROTOCOL.md type strings and pinned type hashes", () => {
    expect(PROOF_TYPE_STRINGS.BalanceProof).toBe(
      "BalanceProof(address sender,address receiver,uint32 openBlockNumber,uint192 balance)",
    );
    expect(keccak256(stringToHex(PROOF_TYPE_STRINGS.BalanceProof))).toBe(
      PINNED.balanceProofTypeHash,
    );
    expect(keccak256(stringToHex(PROOF_TYPE_STRINGS.ClosingProof))).toBe(
      PINNED.closingProofTypeHash,
    );
    const fields = balanceProofTypes.BalanceProof.map((f) => `${f.type} ${f.name}`).join(",");
    expect(`BalanceProof(${fields})`).toBe(PROOF_TYPE_STRINGS.BalanceProof);
    expect(closingProofTypes.ClosingProof).toEqual(balanceProofTypes.BalanceProof);
  });
});

describe("digests", () => {
  it("are pinned for the fixed vector", () => {
    expect(balanceProofDigest(domain, buildMessage())).toBe(PINNED.balanceProofDigest);
    expect(closingProofDigest(domain, buildMessage())).toBe(PINNED.closingProofDigest);
  });

  it("equal the EIP-712 formula keccak256(0x1901 ‖ domainSeparator ‖ structHash) with manual packing", () => {
    const m = buildMessage();
    const word = (hex: string) => hex.replace(/^0x/, "").toLowerCase().padStart(64, "0");
    const struct =
      `0x${word(PINNED.balanceProofTypeHash)}${word(m.sender)}${word(m.receiver)}${word(
        m.openBlockNumber.toString(16),
      )}${word(m.balance.toString(16))}` as const;
    expect(keccak256(`0x1901${word(PINNED.domainSeparator)}${word(keccak256(struct))}`)).toBe(
      PINNED.balanceProofDigest,
    );
  });

  it("differ between the two proof kinds and change with every field", () => {
    const base = balanceProofDigest(domain, buildMessage());
    expect(closingProofDigest(domain, buildMessage())).not.toBe(base);
    const variants = [
      buildMessage({ balance: buildMessage().balance + 1n }),
      buildMessage({ openBlockNumber: 1234568 }),
      buildMessage({ receiver: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" }),
      buildMessage({ sender: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" }),
    ];
    for (const m of variants) expect(balanceProofDigest(domain, m)).not.toBe(base);
    expect(
      balanceProofDigest(channelDomain({ chainId: 1, contract: CONTRACT }), buildMessage()),
    ).not.toBe(base);
  });

  it("ignore the case of addresses", () => {
    const m = buildMessage();
    const lower = { ...m, sender: m.sender.toLowerCase() as typeof m.sender };
    expect(balanceProofDigest(domain, lower)).toBe(PINNED.balanceProofDigest);
  });

  it.each([
    ["balance = 2^192", { balance: 1n << 192n }],
    ["negative balance", { balance: -1n }],
    ["openBlockNumber = 2^32", { openBlockNumber: 2 ** 32 }],
  ])("reject out-of-range fields: %s", (_name, overrides) => {
    expect(() => balanceProofDigest(domain, buildMessage(overrides))).toThrow();
  });

  it("accept the extreme values of uint32 and uint192", () => {
    const m = buildMessage({ balance: (1n << 192n) - 1n, openBlockNumber: 2 ** 32 - 1 });
    expect(balanceProofDigest(domain, m)).toBe(
      hashTypedData({ domain, types: balanceProofTypes, primaryType: "BalanceProof", message: m }),
    );
  });
});
