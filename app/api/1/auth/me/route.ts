import { getCaller } from "@/lib/auth/caller";
import { errorResponse } from "@/lib/errors";

/** Who the request is authenticated as: `{ kind, address, operator }`. */
// GET /api/1/auth/me
export async function GET(req: Request): Promise<Response> {
  try {
    const caller = await getCaller(req);
    const address = caller.kind === "anonymous" ? null : (caller.address ?? null);
    return Response.json(
      { kind: caller.kind, address, operator: caller.kind === "operator" },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (err) {
    return errorResponse(err);
  }
}
