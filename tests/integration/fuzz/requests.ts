/**
 * Request builders for the paywall fuzzer: what a request carries (RDN-* values, delivered as
 * headers or cookies) and the malformed values the protocol must answer with 409.
 */
import type { Rng } from "./prng";

/** The RDN-* request values of one request; a field left undefined is not sent. */
export interface Values {
  sender?: string;
  openBlock?: string;
  balance?: string;
  /** Send the balance as `RDN-Balance` (the alias) instead of `RDN-Sender-Balance`. */
  alias?: boolean;
  signature?: string;
  payment?: string;
  receiver?: string;
  contract?: string;
}

export const NAMES = {
  sender: "RDN-Sender-Address",
  openBlock: "RDN-Open-Block",
  balance: "RDN-Sender-Balance",
  alias: "RDN-Balance",
  signature: "RDN-Balance-Signature",
  payment: "RDN-Payment",
  receiver: "RDN-Receiver-Address",
  contract: "RDN-Contract-Address",
} as const;

/** The fields of a request's values that are sent as headers, in the order requests list them. */
export const FIELDS = [
  "sender",
  "openBlock",
  "balance",
  "signature",
  "payment",
  "receiver",
  "contract",
] as const;

export type Field = (typeof FIELDS)[number];

/** Header name of a field as the request sends it. */
export function nameOf(field: Field, v: Values): string {
  return field === "balance" && v.alias ? NAMES.alias : NAMES[field];
}

/** The (name, value) pairs of a request's values, in a random order. */
export function entries(v: Values, rng: Rng): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const field of FIELDS) {
    const value = v[field];
    if (value !== undefined) out.push([nameOf(field, v), value]);
  }
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A header name in a random letter case (header names are case-insensitive). */
export function randomCase(name: string, rng: Rng): string {
  if (rng.chance(0.7)) return name;
  return [...name].map((c) => (rng.chance(0.5) ? c.toUpperCase() : c.toLowerCase())).join("");
}

/** A Cookie header carrying the values (a browser navigation). */
export function cookieHeader(pairs: Array<[string, string]>): string {
  return pairs.map(([k, v]) => `${k}=${v}`).join("; ");
}

const HEX = "0123456789abcdef";

/** Values that are malformed for a field: the server must answer 409 naming its header. */
export function malformedValue(field: Field, rng: Rng): string {
  const huge = (c: string) => c.repeat(20_000 + rng.int(50_000));
  switch (field) {
    case "sender":
    case "receiver":
    case "contract":
      return rng.pick([
        () => `0x${rng.hex(19)}`,
        () => `0x${rng.hex(20)}0`,
        () => `0x${rng.hex(21)}`,
        () => rng.hex(20),
        () => `0x${rng.hex(19)}zz`,
        () => `0x${rng.hex(20)} 0x${rng.hex(20)}`,
        () => "receiver",
        () => "0x",
        () => `0x${huge("a")}`,
        () => huge("%"),
      ])();
    case "openBlock":
      return rng.pick([
        () => "0",
        () => "-1",
        () => "4294967296",
        () => (2n ** 64n).toString(),
        () => "1.5",
        () => "1e3",
        () => "0x10",
        () => "+7",
        () => "7 7",
        () => "abc",
        () => "9".repeat(81),
        () => huge("1"),
      ])();
    case "balance":
    case "payment":
      return rng.pick([
        () => "-5",
        () => "1.5",
        () => "1e18",
        () => "0x05",
        () => "+5",
        () => "5 5",
        () => "five",
        () => (2n ** 192n).toString(),
        () => (2n ** 192n + BigInt(rng.int(1000))).toString(),
        () => "9".repeat(81),
        () => huge("9"),
        () => "NaN",
      ])();
    case "signature":
      return rng.pick([
        () => `0x${rng.hex(64)}`,
        () => `0x${rng.hex(65)}0`,
        () => `0x${rng.hex(66)}`,
        () => rng.hex(65),
        () => `0X${rng.hex(65)}`,
        () => `0x${rng.hex(64)}zz`,
        () => "0xdead",
        () => `0x${huge(HEX[rng.int(16)]!)}`,
        () => "signature",
      ])();
  }
}
