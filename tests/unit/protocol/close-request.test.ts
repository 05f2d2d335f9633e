import { describe, expect, it } from "vitest";
import { concat, domainSeparator, keccak256, stringToHex, type Hex } from "viem";
import {
  CLOSE_REQUEST_TYPE_STRING,
  closeRequestDigest,
  closeRequestTypes,
  recoverBalanceProofSigner,
  recoverCloseRequestSigner,
  recoverClosingProofSigner,
  signCloseRequest,
  type CloseRequestMessage,
} from "@/lib/protocol";
import { buildDomain, buildMessage, domain, highSTwin, receiver, sender } from "./fixtures";

/** The fixed CloseRequest vector: the fixed proof message plus a nonce and an expiry. */
function buildCloseRequest(overrides: Partial<CloseRequestMessage> = {}): CloseRequestMessage {
  return {
    ...buildMessage(),
    nonce: `0x${"5a".repeat(32)}`,
    expires: 1_800_000_000n,
    ...overrides,
  };
}

/** Pinned outputs for `buildCloseRequest()` under the fixed domain. A change is a protocol change. */
const PINNED = {
  typeHash: "0x095ec3c028482acfe3b52692d4fcddf09ee1fdfd5a8270cdb0de331bc5ec8d81",
  digest: "0xa2d2bf15d8ffb8b4ff72b231fca66000cb451a67979d3118332d25700c912b19",
  /** Signed by the sender (anvil account 0). */
  signature:
    "0x3f250b4cdd8323c4f8a94097b6a020eee52bf40f5dc799350bebe3278d89575d772b2f44ca85e54abb47e329424bb1de573ff0b6322624be5408f75896a22b9b1c",
} as const;

describe("CloseRequest type", () => {
  it("has the documented type string and pinned type hash", () => {
    expect(CLOSE_REQUEST_TYPE_STRING).toBe(
      "CloseRequest(address sender,address receiver,uint32 openBlockNumber,uint192 balance,bytes32 nonce,uint64 expires)",
    );
    const fields = closeRequestTypes.CloseRequest.map((f) => `${f.type} ${f.name}`).join(",");
    expect(`CloseRequest(${fields})`).toBe(CLOSE_REQUEST_TYPE_STRING);
    expect(keccak256(stringToHex(CLOSE_REQUEST_TYPE_STRING))).toBe(PINNED.typeHash);
  });

  it("digest is keccak256(0x1901 ‖ domainSeparator ‖ structHash) with manual packing", () => {
    const m = buildCloseRequest();
    const word = (v: bigint | string) =>
      `0x${(typeof v === "bigint" ? v.toString(16) : v.replace(/^0x/, "")).padStart(64, "0")}` as Hex;
    const structHash = keccak256(
      concat([
        PINNED.typeHash,
        word(m.sender.toLowerCase()),
        word(m.receiver.toLowerCase()),
        word(BigInt(m.openBlockNumber)),
        word(m.balance),
        m.nonce,
        word(m.expires),
      ]),
    );
    const digest = keccak256(concat(["0x1901", domainSeparator({ domain }), structHash]));
    expect(closeRequestDigest(domain, m)).toBe(digest);
    expect(digest).toBe(PINNED.digest);
  });
});

describe("signCloseRequest / recoverCloseRequestSigner", () => {
  it("produce the pinned signature and recover the signer", async () => {
    const signature = await signCloseRequest({
      account: sender,
      domain,
      message: buildCloseRequest(),
    });
    expect(signature).toBe(PINNED.signature);
    expect(await recoverCloseRequestSigner(domain, buildCloseRequest(), signature)).toBe(
      sender.address,
    );
  });

  it.each<[string, Partial<CloseRequestMessage>]>([
    ["nonce", { nonce: `0x${"5b".repeat(32)}` }],
    ["expires", { expires: 1_800_000_001n }],
    ["balance", { balance: 1n }],
    ["openBlockNumber", { openBlockNumber: 1 }],
    ["receiver", { receiver: sender.address }],
  ])("a changed %s recovers someone else", async (_field, change) => {
    const signer = await recoverCloseRequestSigner(
      domain,
      buildCloseRequest(change),
      PINNED.signature,
    );
    expect(signer).not.toBe(sender.address);
  });

  it("another deployment's domain recovers someone else", async () => {
    const other = buildDomain({ contract: receiver.address });
    expect(await recoverCloseRequestSigner(other, buildCloseRequest(), PINNED.signature)).not.toBe(
      sender.address,
    );
  });

  it("rejects a high-s twin and malformed hex with null", async () => {
    const m = buildCloseRequest();
    expect(await recoverCloseRequestSigner(domain, m, highSTwin(PINNED.signature))).toBeNull();
    expect(await recoverCloseRequestSigner(domain, m, "0x1234")).toBeNull();
    expect(await recoverCloseRequestSigner(domain, m, "nothex")).toBeNull();
  });

  it("is never a BalanceProof or ClosingProof for the contract", async () => {
    const m = buildMessage();
    expect(await recoverBalanceProofSigner(domain, m, PINNED.signature)).not.toBe(sender.address);
    expect(await recoverClosingProofSigner(domain, m, PINNED.signature)).not.toBe(sender.address);
  });
});
