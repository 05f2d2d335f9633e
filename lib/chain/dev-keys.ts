import { isAddressEqual, type Address } from "viem";
import { mnemonicToAccount } from "viem/accounts";

/** The public mnemonic behind anvil's and Hardhat's default accounts. */
const DEV_MNEMONIC = "test test test test test test test test test test test junk";
/** How many of its accounts are treated as well known (Hardhat prints 20, anvil 10). */
const DEV_ACCOUNTS = 20;

let known: Address[] | undefined;

/** Addresses of the well-known development accounts, whose private keys everybody has. */
export function devAddresses(): Address[] {
  known ??= Array.from(
    { length: DEV_ACCOUNTS },
    (_, i) => mnemonicToAccount(DEV_MNEMONIC, { addressIndex: i }).address,
  );
  return known;
}

/** Whether `address` belongs to a well-known development key (never safe on a real chain). */
export function isDevAddress(address: Address): boolean {
  return devAddresses().some((a) => isAddressEqual(a, address));
}
