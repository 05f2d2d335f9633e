/**
 * The period of the authors' revenue page and its CSV export: `?from=YYYY-MM-DD&to=YYYY-MM-DD`,
 * UTC days, `to` excluded. Without them: this month so far (from the 1st to the end of today).
 */
import { z } from "zod";

const DAY_MS = 86_400_000;

/** A UTC day as `YYYY-MM-DD`. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The default period: the first of the current UTC month until tomorrow (today included). */
export function thisMonthSoFar(now = new Date()): { from: string; to: string } {
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const tomorrow = new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1),
  );
  return { from: utcDay(first), to: utcDay(tomorrow) };
}

const daySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date as YYYY-MM-DD")
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && utcDay(d) === s;
  }, "must be a real calendar date");

/** The longest period one report covers (keeps the query bounded). */
const MAX_DAYS = 3700;

/** A parsed period: the days as given and the instants [from, to). */
export interface RevenuePeriod {
  fromDay: string;
  toDay: string;
  from: Date;
  to: Date;
}

/** `?from=&to=` of the authors' revenue page and CSV route; both default to this month so far. */
export const revenuePeriodSchema = z
  .object({
    from: daySchema.optional(),
    to: daySchema.optional(),
  })
  .transform((q, ctx): RevenuePeriod => {
    const fallback = thisMonthSoFar();
    const fromDay = q.from ?? fallback.from;
    const toDay = q.to ?? fallback.to;
    const from = new Date(`${fromDay}T00:00:00Z`);
    const to = new Date(`${toDay}T00:00:00Z`);
    if (to.getTime() <= from.getTime()) {
      ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from" });
    } else if (to.getTime() - from.getTime() > MAX_DAYS * DAY_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["to"],
        message: `must be within ${MAX_DAYS} days of from`,
      });
    }
    return { fromDay, toDay, from, to };
  });
