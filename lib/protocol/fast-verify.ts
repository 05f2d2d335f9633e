/**
 * SERVER-ONLY. Do not import from browser code or from `lib/protocol/index.ts`: it loads the native
 * `secp256k1` addon (list it in next.config `serverExternalPackages`) and uses Node's `Buffer`.
 *
 * The fast path the paywall runs on every paid request: ~30× the throughput of viem's pure-JS
 * `recoverTypedDataAddress` (see scripts/bench-verify.ts). The domain separator and type hashes are
 * computed once per verifier; each call packs the 5×32-byte struct encoding into a preallocated
 * buffer, hashes it, and recovers the public key natively. Results equal `proofs.ts` (tested on fixed
 * and randomized vectors), including the strict signature rules of `signature.ts`.
 */
import createKeccakHash from "keccak";
import secp256k1 from "secp256k1";
import {
  checksumAddress,
  domainSeparator,
  keccak256 as viemKeccak256,
  stringToBytes,
  type Address,
  type Hex,
} from "viem";
import { channelDomain, PROOF_TYPE_STRINGS, type ProofKind, type ProofMessage } from "./eip712";

/** A verifier bound to one channel-contract deployment. */
export type ProofVerifier = {
  /** The EIP-712 domain separator of the deployment. */
  readonly domainSeparator: Hex;
  /** Signer of a BalanceProof, checksummed; `null` for a malformed signature or message. */
  recoverBalanceProofSigner(message: ProofMessage, signature: string): Address | null;
  /** Signer of a ClosingProof, checksummed; `null` for a malformed signature or message. */
  recoverClosingProofSigner(message: ProofMessage, signature: string): Address | null;
  /** Whether `signature` is a BalanceProof over `message` by `expectedSigner` (any case). */
  verifyBalanceProof(message: ProofMessage, signature: string, expectedSigner: string): boolean;
  /** Whether `signature` is a ClosingProof over `message` by `expectedSigner` (any case). */
  verifyClosingProof(message: ProofMessage, signature: string, expectedSigner: string): boolean;
};

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
const SIGNATURE_RE = /^0x[0-9a-fA-F]{130}$/;
/** n / 2 as 32 big-endian bytes, for a byte-wise low-s check. */
const HALF_N = Buffer.from(
  "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0",
  "hex",
);
const MAX_UINT32 = 0xffffffff;
const MAX_UINT192 = (1n << 192n) - 1n;
/** Bound of the per-verifier public key → address memo (cleared when full; ~150 bytes an entry). */
const ADDRESS_CACHE_SIZE = 10_000;

const typeHash = (kind: ProofKind) =>
  Buffer.from(viemKeccak256(stringToBytes(PROOF_TYPE_STRINGS[kind]), "bytes"));

/** The sponge state under the `keccak` addon's hash objects (native, or its JS fallback). */
interface KeccakState {
  initialize(rate: number, capacity: number): void;
  absorb(data: Buffer): void;
  squeeze(length: number): Buffer;
}

/**
 * Keccak-256 of `data` on one reused sponge state. The addon's `createKeccakHash` builds a stream
 * object per hash, which costs more than the hash itself on the payment path; its state is the
 * same native code (keccak-256: rate 1088, capacity 512, Keccak padding applied by `squeeze`).
 * Falls back to a hash object per call if the state is not where it is expected.
 */
const keccak256: (data: Buffer) => Buffer = (() => {
  const state = (createKeccakHash("keccak256") as unknown as { _state?: Partial<KeccakState> })
    ._state;
  if (
    typeof state?.initialize !== "function" ||
    typeof state.absorb !== "function" ||
    typeof state.squeeze !== "function"
  ) {
    return (data: Buffer) => createKeccakHash("keccak256").update(data).digest();
  }
  const s = state as KeccakState;
  return (data: Buffer) => {
    s.initialize(1088, 512);
    s.absorb(data);
    return s.squeeze(32);
  };
})();

/**
 * Creates the server's fast proof verifier for one deployment.
 *
 * @param params.chainId - chain of the contract
 * @param params.contract - the `MicroTransferChannels` address (any case)
 * @example
 * const verifier = createProofVerifier({ chainId: 31337, contract });
 * const signer = verifier.recoverBalanceProofSigner({ sender, receiver, openBlockNumber, balance }, sigHex);
 */
export function createProofVerifier(params: {
  chainId: number;
  contract: Address | string;
}): ProofVerifier {
  const domain = channelDomain(params);
  const separator = domainSeparator({ domain });
  const typeHashes: Record<ProofKind, Buffer> = {
    BalanceProof: typeHash("BalanceProof"),
    ClosingProof: typeHash("ClosingProof"),
  };

  // Scratch buffers, reused by every call: the functions below are synchronous, so calls never overlap.
  const struct = Buffer.alloc(5 * 32); // typeHash ‖ sender ‖ receiver ‖ uint32 ‖ uint192
  const digestInput = Buffer.alloc(2 + 32 + 32); // 0x1901 ‖ domainSeparator ‖ structHash
  digestInput[0] = 0x19;
  digestInput[1] = 0x01;
  digestInput.write(separator.slice(2), 2, 32, "hex");
  const sig = Buffer.alloc(65);
  const sig64 = sig.subarray(0, 64);
  const pubkey = new Uint8Array(65);
  const pubkeyXYBuffer = Buffer.from(pubkey.buffer, pubkey.byteOffset + 1, 64);
  const addressByPubkey = new Map<string, Address>();

  function recover(kind: ProofKind, message: ProofMessage, signature: string): Address | null {
    // Signature: same rules as parseSignatureHex (65 bytes, v ∈ {27, 28}, 0 < s ≤ n/2; r checked natively).
    if (typeof signature !== "string" || !SIGNATURE_RE.test(signature)) return null;
    sig.write(signature.slice(2), 0, 65, "hex");
    const v = sig[64];
    if (v !== 27 && v !== 28) return null;
    if (Buffer.compare(sig.subarray(32, 64), HALF_N) > 0) return null;

    // Message: reject what viem's hashTypedData would reject.
    const { sender, receiver, openBlockNumber, balance } = message;
    if (typeof sender !== "string" || !ADDRESS_RE.test(sender)) return null;
    if (typeof receiver !== "string" || !ADDRESS_RE.test(receiver)) return null;
    if (!Number.isInteger(openBlockNumber) || openBlockNumber < 0 || openBlockNumber > MAX_UINT32)
      return null;
    if (typeof balance !== "bigint" || balance < 0n || balance > MAX_UINT192) return null;

    typeHashes[kind].copy(struct, 0);
    struct.fill(0, 32, 160);
    struct.write(sender.slice(2), 32 + 12, 20, "hex");
    struct.write(receiver.slice(2), 64 + 12, 20, "hex");
    struct.writeUInt32BE(openBlockNumber, 96 + 28);
    // uint192 occupies the low 24 bytes of the last word: three 64-bit limbs.
    struct.writeBigUInt64BE(balance >> 128n, 128 + 8);
    struct.writeBigUInt64BE((balance >> 64n) & 0xffffffffffffffffn, 128 + 16);
    struct.writeBigUInt64BE(balance & 0xffffffffffffffffn, 128 + 24);
    // Native keccak (the `keccak` addon): ~4 µs a hash against ~18 µs in pure JS.
    keccak256(struct).copy(digestInput, 34);
    const digest = keccak256(digestInput);

    try {
      secp256k1.ecdsaRecover(sig64, v - 27, digest, false, pubkey);
    } catch {
      return null; // r or s zero or ≥ n, or r not the x of a curve point
    }
    // Payers repeat (a channel pays many times), so remember public key → address and skip a keccak.
    const key = pubkeyXYBuffer.toString("base64");
    let address = addressByPubkey.get(key);
    if (address === undefined) {
      const hash = keccak256(pubkeyXYBuffer);
      address = checksumAddress(
        `0x${Buffer.from(hash.buffer, hash.byteOffset + 12, 20).toString("hex")}`,
      );
      if (addressByPubkey.size >= ADDRESS_CACHE_SIZE) addressByPubkey.clear();
      addressByPubkey.set(key, address);
    }
    return address;
  }

  return {
    domainSeparator: separator,
    recoverBalanceProofSigner: (message, signature) => recover("BalanceProof", message, signature),
    recoverClosingProofSigner: (message, signature) => recover("ClosingProof", message, signature),
    verifyBalanceProof(message, signature, expectedSigner) {
      const signer = recover("BalanceProof", message, signature);
      return signer !== null && signer.toLowerCase() === expectedSigner.toLowerCase();
    },
    verifyClosingProof(message, signature, expectedSigner) {
      const signer = recover("ClosingProof", message, signature);
      return signer !== null && signer.toLowerCase() === expectedSigner.toLowerCase();
    },
  };
}
