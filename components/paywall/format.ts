/** Token amounts for people: base units ↔ "$0.05" (a dollar token) or "1.5 TKN". */
import { formatUnits, parseUnits } from "viem";
import { formatToken, inputUnit } from "@/lib/format";
import type { SiteTerms } from "./types";

type TokenTerms = Pick<SiteTerms, "tokenDecimals" | "tokenSymbol">;

/** `amount` base units for people: "$0.05" for a dollar token, else "1.5 TKN" (`formatToken`). */
export function tokens(amount: bigint | string, terms: TokenTerms): string {
  return formatToken(amount, { symbol: terms.tokenSymbol, decimals: terms.tokenDecimals });
}

/** The unit amount inputs are typed in: "USD" for a dollar token, else the token's symbol. */
export function amountUnit(terms: TokenTerms): string {
  return inputUnit({ symbol: terms.tokenSymbol, decimals: terms.tokenDecimals });
}

/** `amount` base units as a decimal number of tokens ("1.5"), for inputs. */
export function tokenInput(amount: bigint | string, terms: TokenTerms): string {
  return formatUnits(BigInt(amount), terms.tokenDecimals);
}

/** A token amount typed by the reader ("1.5") in base units; undefined when it is not a number ≥ 0. */
export function parseTokenInput(value: string, terms: TokenTerms): bigint | undefined {
  const v = value.trim();
  if (!/^[0-9]+(\.[0-9]*)?$|^\.[0-9]+$/.test(v)) return undefined;
  try {
    return parseUnits(v, terms.tokenDecimals);
  } catch {
    return undefined;
  }
}
