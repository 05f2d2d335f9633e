/** Shapes the content pages pass from the server to their client components (browser-safe). */

/** What a server action answers: its value, or an error message to show. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/** A server action as a client component calls it. */
export type Action<I, T> = (input: I) => Promise<Result<T>>;

/** The article form's fields as typed (the price in tokens, e.g. "0.25"). */
export interface ArticleFormValues {
  slug: string;
  title: string;
  teaser: string;
  author: string;
  category: string;
  price: string;
  body: string;
  published: boolean;
}

/** The outcome of the last action, shown above the form or table. */
export type Message = { kind: "ok" | "error"; text: string } | null;

/** The message for an action's result: `ok` describes the value. */
export function messageOf<T>(result: Result<T>, ok: (value: T) => string): Message {
  return result.ok ? { kind: "ok", text: ok(result.value) } : { kind: "error", text: result.error };
}

/** The data-testid suffix of an upstream prefix: `/docs/v2` → `docs-v2`. */
export function prefixTestId(prefix: string): string {
  return prefix.replace(/^\//, "").replace(/\//g, "-");
}

/** Slugs whose `/admin/content/<slug>` is another admin page: edited under `/edit/<slug>`. */
const SHADOWED = new Set(["new", "media", "upstreams", "edit"]);

/** The edit page of an article. */
export function editHref(slug: string): string {
  return SHADOWED.has(slug) ? `/admin/content/edit/${slug}` : `/admin/content/${slug}`;
}
