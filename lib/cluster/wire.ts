/**
 * JSON for values that cross between instances through the database: bigint amounts are kept
 * exact (`{ "$bigint": "123" }`) and dates survive (`{ "$date": "…" }`).
 */

/** Serialises a value with its bigints and dates. */
export function toWire(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
    const raw = this[key];
    if (typeof raw === "bigint") return { $bigint: raw.toString() };
    if (raw instanceof Date) return { $date: raw.toISOString() };
    return v;
  });
}

/** Reads what {@link toWire} wrote. */
export function fromWire<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 1 && typeof o.$bigint === "string") return BigInt(o.$bigint);
      if (keys.length === 1 && typeof o.$date === "string") return new Date(o.$date);
    }
    return v;
  }) as T;
}
