/**
 * Signing and verifying BalanceProofs and ClosingProofs with viem. Browser-safe reference
 * implementation; the server's hot path uses `fast-verify.ts` (native secp256k1), which the tests
 * hold to the same results.
 */
import {
  recoverTypedDataAddress,
  type Account,
  type Address,
  type Hex,
  type LocalAccount,
  type WalletClient,
} from "viem";
import {
  balanceProofTypes,
  closeRequestTypes,
  closingProofTypes,
  type ChannelDomain,
  type CloseRequestMessage,
  type ProofMessage,
} from "./eip712";
import { normalizeSignature, parseSignatureHex, type SignatureRejection } from "./signature";

/**
 * Who signs a proof: a viem `LocalAccount` (private key, session key, CLI), or a `WalletClient`,
 * whose JSON-RPC account signs through `eth_signTypedData_v4` (browser wallet, unlocked anvil account).
 * `account` overrides the wallet client's own account.
 */
export type ProofSignerSource =
  | { account: LocalAccount; walletClient?: undefined }
  | { walletClient: WalletClient; account?: Account | Address };

/** Arguments of {@link signBalanceProof} and {@link signClosingProof}. */
export type SignProofParameters = ProofSignerSource & {
  domain: ChannelDomain;
  message: ProofMessage;
};

/** Thrown when a wallet returns a signature that cannot be brought into the protocol format (a wallet bug). */
export class InvalidWalletSignatureError extends Error {
  override readonly name = "InvalidWalletSignatureError" as const;
  readonly reason: SignatureRejection;
  constructor(reason: SignatureRejection, signature: string) {
    super(
      `wallet returned a signature the protocol cannot use (${reason}): ${signature.slice(0, 140)}`,
    );
    this.reason = reason;
  }
}

type ProofTypes = typeof balanceProofTypes | typeof closingProofTypes;

/**
 * Signs typed data with a local account or through a wallet client, and brings the signature into
 * the protocol format (viem's signers already return low-s with v ∈ {27, 28}; some hardware
 * wallets answer v ∈ {0, 1}).
 *
 * @param what - names the caller in the error when the wallet client has no account
 */
export async function signTyped(
  source: ProofSignerSource,
  typedData: Parameters<LocalAccount["signTypedData"]>[0],
  what: string,
): Promise<Hex> {
  let raw: Hex;
  if (source.walletClient) {
    const account = source.account ?? source.walletClient.account;
    if (!account)
      throw new TypeError(`${what}: the wallet client has no account and none was given`);
    raw = await source.walletClient.signTypedData({ ...typedData, account } as Parameters<
      WalletClient["signTypedData"]
    >[0]);
  } else {
    raw = await source.account.signTypedData(typedData);
  }
  const normalized = normalizeSignature(raw);
  if (!normalized.ok) throw new InvalidWalletSignatureError(normalized.reason, raw);
  return normalized.signature;
}

function signProof(
  params: SignProofParameters,
  types: ProofTypes,
  primaryType: "BalanceProof" | "ClosingProof",
): Promise<Hex> {
  const { domain, message } = params;
  return signTyped(params, { domain, types, primaryType, message }, "signProof");
}

/**
 * Signs a BalanceProof: "the sender owes the receiver `balance` in total on this channel".
 *
 * @returns a 65-byte `r ‖ s ‖ v` hex signature with `v ∈ {27, 28}` and low `s`
 * @example
 * const sig = await signBalanceProof({ account: privateKeyToAccount(key), domain, message });
 * const sig2 = await signBalanceProof({ walletClient, domain, message }); // eth_signTypedData_v4
 */
export function signBalanceProof(params: SignProofParameters): Promise<Hex> {
  return signProof(params, balanceProofTypes, "BalanceProof");
}

/**
 * Signs a ClosingProof (the receiver's consent to a cooperative close at `balance`).
 *
 * @returns a 65-byte `r ‖ s ‖ v` hex signature with `v ∈ {27, 28}` and low `s`
 */
export function signClosingProof(params: SignProofParameters): Promise<Hex> {
  return signProof(params, closingProofTypes, "ClosingProof");
}

async function recoverProofSigner(
  domain: ChannelDomain,
  message: ProofMessage,
  signature: string,
  types: ProofTypes,
  primaryType: "BalanceProof" | "ClosingProof",
): Promise<Address | null> {
  const parsed = parseSignatureHex(signature);
  if (!parsed.ok) return null;
  try {
    return await recoverTypedDataAddress({
      domain,
      types: types as typeof balanceProofTypes,
      primaryType: primaryType as "BalanceProof",
      message,
      signature: signature as Hex,
    });
  } catch {
    // r not on the curve, or a message that does not fit its types (bad address, out of range)
    return null;
  }
}

/**
 * Recovers the address that signed a BalanceProof.
 *
 * @param signature - untrusted hex; rejected unless 65 bytes with `v ∈ {27, 28}` and low `s`
 * @returns the checksummed signer, or `null` for a malformed signature or message
 */
export function recoverBalanceProofSigner(
  domain: ChannelDomain,
  message: ProofMessage,
  signature: string,
): Promise<Address | null> {
  return recoverProofSigner(domain, message, signature, balanceProofTypes, "BalanceProof");
}

/**
 * Recovers the address that signed a ClosingProof.
 *
 * @returns the checksummed signer, or `null` for a malformed signature or message
 */
export function recoverClosingProofSigner(
  domain: ChannelDomain,
  message: ProofMessage,
  signature: string,
): Promise<Address | null> {
  return recoverProofSigner(domain, message, signature, closingProofTypes, "ClosingProof");
}

/** Whether `signature` is a valid BalanceProof over `message` by `expectedSigner` (any case). */
export async function verifyBalanceProof(
  domain: ChannelDomain,
  message: ProofMessage,
  signature: string,
  expectedSigner: Address,
): Promise<boolean> {
  const signer = await recoverBalanceProofSigner(domain, message, signature);
  return signer !== null && signer.toLowerCase() === expectedSigner.toLowerCase();
}

/** Whether `signature` is a valid ClosingProof over `message` by `expectedSigner` (any case). */
export async function verifyClosingProof(
  domain: ChannelDomain,
  message: ProofMessage,
  signature: string,
  expectedSigner: Address,
): Promise<boolean> {
  const signer = await recoverClosingProofSigner(domain, message, signature);
  return signer !== null && signer.toLowerCase() === expectedSigner.toLowerCase();
}

/** Arguments of {@link signCloseRequest}. */
export type SignCloseRequestParameters = ProofSignerSource & {
  domain: ChannelDomain;
  message: CloseRequestMessage;
};

/**
 * Signs a CloseRequest: the sender (or the channel's signer) asks the site for its closing
 * signature at `balance`, once (`nonce`) and until `expires`.
 *
 * @returns a 65-byte `r ‖ s ‖ v` hex signature with `v ∈ {27, 28}` and low `s`
 * @example
 * const nonce = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
 * const expires = BigInt(Math.floor(Date.now() / 1000) + 300);
 * const signature = await signCloseRequest({
 *   account, domain, message: { sender, receiver, openBlockNumber, balance, nonce, expires },
 * });
 */
export function signCloseRequest(params: SignCloseRequestParameters): Promise<Hex> {
  const { domain, message } = params;
  return signTyped(
    params,
    { domain, types: closeRequestTypes, primaryType: "CloseRequest", message },
    "signCloseRequest",
  );
}

/**
 * Recovers the address that signed a CloseRequest.
 *
 * @param signature - untrusted hex; rejected unless 65 bytes with `v ∈ {27, 28}` and low `s`
 * @returns the checksummed signer, or `null` for a malformed signature or message
 */
export async function recoverCloseRequestSigner(
  domain: ChannelDomain,
  message: CloseRequestMessage,
  signature: string,
): Promise<Address | null> {
  if (!parseSignatureHex(signature).ok) return null;
  try {
    return await recoverTypedDataAddress({
      domain,
      types: closeRequestTypes,
      primaryType: "CloseRequest",
      message,
      signature: signature as Hex,
    });
  } catch {
    return null;
  }
}
