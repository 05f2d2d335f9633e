/**
 * The wrapper of every server action. Actions are public endpoints (anybody can POST to them with
 * the action's id), so each one checks authorisation itself, parses its input with zod, and
 * answers errors as values through the one error translator: the client shows `error` and never
 * sees a stack.
 */
import { z } from "zod";
import { parseInput } from "@/lib/api/params";
import { translateError, type ErrorCode, type ErrorStatus } from "@/lib/errors";
import type { OperatorCaller } from "./caller";
import { requireOperatorCaller } from "./server";

/** What an action answers: its value, or the translated error. */
export type ActionResult<T> =
  { ok: true; value: T } | { ok: false; status: ErrorStatus; code: ErrorCode; error: string };

/**
 * An operator-only server action: the caller must be signed in as an operator (401/403
 * otherwise), then `input` is parsed with `schema` (400 naming the field), then `run` runs.
 * Export the result from a `"use server"` module.
 *
 * @example
 * "use server";
 * export const withdrawChannelAction = operatorAction(channelKeySchema, (key) => withdrawOne(key));
 */
export function operatorAction<S extends z.ZodType, T>(
  schema: S,
  run: (input: z.output<S>, caller: OperatorCaller) => Promise<T> | T,
): (input: z.input<S>) => Promise<ActionResult<T>> {
  return async (input) => {
    try {
      const caller = await requireOperatorCaller();
      const parsed = parseInput(schema, input);
      return { ok: true, value: await run(parsed, caller) };
    } catch (err) {
      // redirect() and notFound() work by throwing: let Next handle them.
      if (isNextSignal(err)) throw err;
      const t = translateError(err);
      return { ok: false, status: t.status, code: t.code, error: t.error };
    }
  };
}

function isNextSignal(err: unknown): boolean {
  const digest = (err as { digest?: unknown } | null)?.digest;
  return (
    typeof digest === "string" && /^NEXT_(REDIRECT|HTTP_ERROR_FALLBACK|NOT_FOUND)/.test(digest)
  );
}
