/** Test data for the payer core: channels and terms with overridable fields. */
import type { Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { PayerChannel } from "@/lib/protocol/client";
import { ANVIL_KEYS } from "../../../scripts/lib/anvil-keys";

export const senderAccount = privateKeyToAccount(ANVIL_KEYS[1]!);
export const sessionAccount = privateKeyToAccount(ANVIL_KEYS[2]!);
export const otherAccount = privateKeyToAccount(ANVIL_KEYS[3]!);
export const receiver: Address = privateKeyToAccount(ANVIL_KEYS[0]!).address;
export const contract: Address = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
export const otherContract: Address = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
export const token: Address = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
export const chainId = 31337;

/** An open channel from the sender to the receiver with deposit 100 and balance 0. */
export function buildChannel(overrides: Partial<PayerChannel> = {}): PayerChannel {
  return {
    siteOrigin: "http://site.test",
    chainId,
    contract,
    token,
    receiver,
    sender: senderAccount.address,
    signer: senderAccount.address,
    openBlock: 10,
    deposit: 100n,
    balance: 0n,
    signature: null,
    state: "open",
    ...overrides,
  };
}

/** The payment target of the sender paying `price` to the receiver. */
export function buildTarget(price: bigint, signers: Address[] = [senderAccount.address]) {
  return { chainId, contract, receiver, sender: senderAccount.address, signers, price };
}
