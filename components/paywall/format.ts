/** Token amounts for people: base units ↔ "1.5 TKN". */
import { formatUnits, parseUnits } from "viem";
import type { SiteTerms } from "./types";

type TokenTerms = Pick<SiteTerms, "tokenDecimals" | "tokenSymbol">;

/** `amount` base units as "1.5 TKN". */
export function tokens(amount: bigint | string, terms: TokenTerms): string {
  return `${formatUnits(BigInt(amount), terms.tokenDecimals)} ${terms.tokenSymbol}`;
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
