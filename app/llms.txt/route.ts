import { listPrices, llmsText } from "@/lib/api/prices";
import { env } from "@/lib/env";
import { errorResponse } from "@/lib/errors";

// Written from the live deployment and price list, never prerendered at build.
export const dynamic = "force-dynamic";

/** What the site sells and how a program pays for it, for language-model agents (llmstxt.org). */
// GET /llms.txt
export async function GET(): Promise<Response> {
  try {
    const text = llmsText(await listPrices(), env().SITE_URL);
    return new Response(text, {
      headers: {
        "Content-Type": "text/plain; charset=utf-8",
        "Cache-Control": "public, max-age=60",
      },
    });
  } catch (err) {
    return errorResponse(err);
  }
}
