/**
 * EIP-3009 authorizations of relayed opens and top-ups: the type and its hash (USDC's), the nonce
 * derivations as the contract computes them (checked byte by byte against hand-built encodings),
 * and sign/recover/verify round trips, including every value a relayer could change.
 */
import { describe, expect, it } from "vitest";
import {
  concat,
  hashTypedData,
  keccak256,
  pad,
  toHex,
  zeroAddress,
  type Address,
  type Hex,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  authorizationVrs,
  channelKey,
  openAuthorizationMessage,
  openAuthorizationNonce,
  randomSalt,
  RECEIVE_WITH_AUTHORIZATION_TYPE_STRING,
  recoverReceiveAuthorizationSigner,
  signOpenAuthorization,
  signReceiveAuthorization,
  signTopUpAuthorization,
  tokenDomain,
  topUpAuthorizationMessage,
  topUpAuthorizationNonce,
  verifyOpenAuthorization,
  verifyTopUpAuthorization,
  type OpenAuthorization,
  type TopUpAuthorization,
} from "@/lib/protocol";
import { CHAIN_ID, CONTRACT, malformedSignatures, receiver, sender } from "./fixtures";

const TOKEN = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const domain = tokenDomain({ name: "Demo Dollar", version: "2", chainId: CHAIN_ID, token: TOKEN });
const session = privateKeyToAccount(generatePrivateKey());
const SALT: Hex = `0x${"ab".repeat(32)}`;

const buildOpen = (o: Partial<OpenAuthorization> = {}): OpenAuthorization => ({
  sender: sender.address,
  receiver: receiver.address,
  deposit: 5_000_000n,
  signer: session.address,
  salt: SALT,
  validAfter: 0n,
  validBefore: 1_900_000_000n,
  ...o,
});
const buildTopUp = (o: Partial<TopUpAuthorization> = {}): TopUpAuthorization => ({
  sender: sender.address,
  receiver: receiver.address,
  openBlockNumber: 1234,
  amount: 2_000_000n,
  salt: SALT,
  validAfter: 0n,
  validBefore: 1_900_000_000n,
  ...o,
});

/** A 32-byte word of an address or a bytes32, as abi.encode lays it out. */
const word = (h: Hex) => pad(h, { size: 32 });

describe("ReceiveWithAuthorization", () => {
  it("has USDC's type hash", () => {
    expect(keccak256(toHex(RECEIVE_WITH_AUTHORIZATION_TYPE_STRING))).toBe(
      "0xd099cc98ef71107a616c4f0f941f04c322d8e254fe26b3c6668db87aae413de8",
    );
  });

  it("tokenDomain checksums the token", () => {
    expect(
      tokenDomain({ name: "X", version: "1", chainId: 1, token: TOKEN.toLowerCase() })
        .verifyingContract,
    ).toBe(TOKEN);
  });
});

describe("nonce derivations", () => {
  it("open: keccak256(abi.encode(receiver, signer, salt))", () => {
    const expected = keccak256(concat([word(receiver.address), word(session.address), SALT]));
    expect(openAuthorizationNonce(buildOpen())).toBe(expected);
  });

  it("open: address(0) and the sender's address as signer give different nonces", () => {
    expect(openAuthorizationNonce(buildOpen({ signer: zeroAddress }))).not.toBe(
      openAuthorizationNonce(buildOpen({ signer: sender.address })),
    );
  });

  it("channel key: keccak256(sender ‖ receiver ‖ uint32 openBlockNumber), packed", () => {
    const packed = concat([sender.address, receiver.address, toHex(1234, { size: 4 })]);
    expect(channelKey(buildTopUp())).toBe(keccak256(packed));
  });

  it("top-up: keccak256(abi.encode(key, salt))", () => {
    const key = channelKey(buildTopUp());
    expect(topUpAuthorizationNonce(buildTopUp())).toBe(keccak256(concat([key, SALT])));
    expect(topUpAuthorizationNonce(buildTopUp({ openBlockNumber: 1235 }))).not.toBe(
      topUpAuthorizationNonce(buildTopUp()),
    );
  });

  it("randomSalt gives distinct 32-byte values", () => {
    const a = randomSalt();
    expect(a).toMatch(/^0x[0-9a-f]{64}$/);
    expect(randomSalt()).not.toBe(a);
  });
});

describe("messages", () => {
  it("an open pays the contract the deposit under the derived nonce", () => {
    expect(openAuthorizationMessage(CONTRACT, buildOpen())).toEqual({
      from: sender.address,
      to: CONTRACT,
      value: 5_000_000n,
      validAfter: 0n,
      validBefore: 1_900_000_000n,
      nonce: openAuthorizationNonce(buildOpen()),
    });
  });

  it("a top-up pays the contract the amount under the channel's nonce", () => {
    const m = topUpAuthorizationMessage(CONTRACT, buildTopUp());
    expect(m.value).toBe(2_000_000n);
    expect(m.nonce).toBe(topUpAuthorizationNonce(buildTopUp()));
  });
});

describe("sign / recover / verify", () => {
  it("an open authorization round-trips and recovers to the sender", async () => {
    const signature = await signOpenAuthorization({
      account: sender,
      domain,
      contract: CONTRACT,
      authorization: buildOpen(),
    });
    expect(signature).toMatch(/^0x[0-9a-f]{128}(1b|1c)$/);
    expect(await verifyOpenAuthorization(domain, CONTRACT, buildOpen(), signature)).toBe(true);
    const { v, r, s } = authorizationVrs(signature);
    expect([27, 28]).toContain(v);
    expect(`0x${r.slice(2)}${s.slice(2)}${v.toString(16)}`).toBe(signature);
  });

  it("signs the EIP-712 digest of the token's domain", async () => {
    const message = openAuthorizationMessage(CONTRACT, buildOpen());
    const signature = await signReceiveAuthorization({ account: sender, domain, message });
    const digest = hashTypedData({
      domain,
      types: {
        ReceiveWithAuthorization: [
          { name: "from", type: "address" },
          { name: "to", type: "address" },
          { name: "value", type: "uint256" },
          { name: "validAfter", type: "uint256" },
          { name: "validBefore", type: "uint256" },
          { name: "nonce", type: "bytes32" },
        ],
      },
      primaryType: "ReceiveWithAuthorization",
      message,
    });
    expect(signature).toBe(await sender.sign({ hash: digest }));
  });

  it.each([
    ["another receiver", { receiver: session.address }],
    ["another signer", { signer: zeroAddress }],
    ["another deposit", { deposit: 5_000_001n }],
    ["another salt", { salt: `0x${"cd".repeat(32)}` as Hex }],
    ["another validBefore", { validBefore: 1_900_000_001n }],
    ["another validAfter", { validAfter: 1n }],
    ["another sender", { sender: receiver.address }],
  ] as const)("an open with %s does not verify", async (_, change) => {
    const signature = await signOpenAuthorization({
      account: sender,
      domain,
      contract: CONTRACT,
      authorization: buildOpen(),
    });
    expect(await verifyOpenAuthorization(domain, CONTRACT, buildOpen(change), signature)).toBe(
      false,
    );
  });

  it("an open for another contract, token, version or chain does not verify", async () => {
    const signature = await signOpenAuthorization({
      account: sender,
      domain,
      contract: CONTRACT,
      authorization: buildOpen(),
    });
    expect(await verifyOpenAuthorization(domain, TOKEN, buildOpen(), signature)).toBe(false);
    for (const other of [
      { ...domain, verifyingContract: CONTRACT as Address },
      { ...domain, version: "1" },
      { ...domain, chainId: 1 },
      { ...domain, name: "USD Coin" },
    ])
      expect(await verifyOpenAuthorization(other, CONTRACT, buildOpen(), signature)).toBe(false);
  });

  it("a top-up authorization verifies for its channel only", async () => {
    const signature = await signTopUpAuthorization({
      account: sender,
      domain,
      contract: CONTRACT,
      authorization: buildTopUp(),
    });
    expect(await verifyTopUpAuthorization(domain, CONTRACT, buildTopUp(), signature)).toBe(true);
    for (const change of [{ openBlockNumber: 1235 }, { receiver: session.address }, { amount: 1n }])
      expect(await verifyTopUpAuthorization(domain, CONTRACT, buildTopUp(change), signature)).toBe(
        false,
      );
  });

  it("malformed signatures recover to nobody", async () => {
    const message = openAuthorizationMessage(CONTRACT, buildOpen());
    const valid = await signReceiveAuthorization({ account: sender, domain, message });
    expect(await recoverReceiveAuthorizationSigner(domain, message, valid)).toBe(sender.address);
    for (const bad of malformedSignatures(valid))
      expect(await recoverReceiveAuthorizationSigner(domain, message, bad.signature)).toBeNull();
    expect(() => authorizationVrs("0x1234")).toThrow(TypeError);
  });
});
