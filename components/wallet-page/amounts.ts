/** Token amounts typed by the reader: token units (`1.5`) to base units, with a reason when not. */
import { parseUnits } from "viem";

/** The amount in base units, or why the text is not a usable amount. */
export type ParsedAmount = { ok: true; value: bigint } | { ok: false; reason: string };

/**
 * Parses a positive amount in token units (`"2"`, `"0.25"`, `" 1,5 "` is refused: a dot only).
 *
 * @example parseTokenAmount("1.5", 18) // { ok: true, value: 1500000000000000000n }
 */
export function parseTokenAmount(text: string, decimals: number): ParsedAmount {
  const t = text.trim();
  if (t === "") return { ok: false, reason: "Enter an amount." };
  if (!/^\d+(\.\d+)?$/.test(t) && !/^\.\d+$/.test(t)) {
    return { ok: false, reason: "Enter an amount in token units, like 2 or 0.5." };
  }
  const fraction = t.split(".")[1] ?? "";
  if (fraction.length > decimals) {
    return {
      ok: false,
      reason: `The token has ${decimals} decimals: use at most ${decimals} digits after the point.`,
    };
  }
  const value = parseUnits(t.startsWith(".") ? `0${t}` : t, decimals);
  if (value <= 0n) return { ok: false, reason: "Enter an amount above zero." };
  if (value >= 2n ** 192n) return { ok: false, reason: "That amount is too large." };
  return { ok: true, value };
}
