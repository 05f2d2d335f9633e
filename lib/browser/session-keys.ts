/**
 * Session keys: private keys made in this browser that sign balance proofs without wallet prompts
 * (auto-pay). A channel names its session key as its signer when it is opened; the key stays in
 * this browser's IndexedDB, under its address, and never leaves it.
 */
import { getAddress, type Address, type Hex, type LocalAccount } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { getAll, getOne, putOne, STORES } from "./idb";

/** A session key as stored. */
export interface StoredSessionKey {
  address: Address;
  privateKey: Hex;
  /** The wallet address the key signs for. */
  sender: Address;
  /** When it was made (ms since the epoch). */
  createdAt: number;
}

/**
 * Makes a new session key for `sender` and stores it.
 *
 * @returns the key as a viem account (the channel's `sessionSigner`)
 */
export async function createSessionKey(sender: Address): Promise<LocalAccount> {
  const privateKey = generatePrivateKey();
  const account = privateKeyToAccount(privateKey);
  await putSessionKey({
    address: account.address,
    privateKey,
    sender: getAddress(sender),
    createdAt: Date.now(),
  });
  return account;
}

/** Stores a session key (replacing one with the same address). */
export async function putSessionKey(key: StoredSessionKey): Promise<void> {
  await putOne(STORES.sessionKeys, { ...key, address: getAddress(key.address) });
}

/** Accounts already made from a stored key (deriving the public key costs milliseconds). */
const accounts = new Map<Hex, LocalAccount>();

/** The session key with this address as an account, or undefined when this browser lacks it. */
export async function getSessionKey(address: Address): Promise<LocalAccount | undefined> {
  const stored = await getOne<StoredSessionKey>(STORES.sessionKeys, getAddress(address));
  return stored && sessionAccount(stored);
}

/** A stored session key as a viem account (made once per key). */
export function sessionAccount(stored: StoredSessionKey): LocalAccount {
  let account = accounts.get(stored.privateKey);
  if (!account) {
    account = privateKeyToAccount(stored.privateKey);
    accounts.set(stored.privateKey, account);
  }
  return account;
}

/** Every session key this browser holds (optionally only those of one sender). */
export async function listSessionKeys(sender?: Address): Promise<StoredSessionKey[]> {
  const all = await getAll<StoredSessionKey>(STORES.sessionKeys);
  return sender === undefined
    ? all
    : all.filter((k) => k.sender.toLowerCase() === sender.toLowerCase());
}
