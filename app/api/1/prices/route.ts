import { listPrices } from "@/lib/api/prices";
import { errorResponse } from "@/lib/errors";

// Read from the database on each request (articles change), never prerendered at build.
export const dynamic = "force-dynamic";

/** Every paid resource with its price, and the deployment to pay on (public, no auth). */
// GET /api/1/prices
export async function GET(): Promise<Response> {
  try {
    return Response.json(await listPrices(), {
      headers: { "Cache-Control": "public, max-age=60" },
    });
  } catch (err) {
    return errorResponse(err);
  }
}
