import { randomArticleSlug } from "@/lib/content/catalog";
import { errorResponse } from "@/lib/errors";

// A new draw on every request: never prerendered, never kept by anybody.
export const dynamic = "force-dynamic";

/**
 * A random published article: a 307 to `/articles/<slug>`, which the article gate then prices as
 * any visit (this route itself is free). The front page when there are no articles yet.
 */
// GET /random
export async function GET(): Promise<Response> {
  try {
    const slug = await randomArticleSlug();
    return new Response(null, {
      status: 307,
      headers: {
        // Relative: the browser resolves it against the address it asked for (the server may
        // know itself by another host name: lib/paywall/rewrite-url.ts).
        Location: slug ? `/articles/${slug}` : "/",
        "Cache-Control": "no-store",
      },
    });
  } catch (err) {
    return errorResponse(err);
  }
}
