import { assertSameOrigin } from "@/lib/auth/origin";
import { clearSessionCookie } from "@/lib/auth/session";
import { errorResponse } from "@/lib/errors";

/** Clears the session cookie. */
// POST /api/1/auth/logout
export async function POST(req: Request): Promise<Response> {
  try {
    assertSameOrigin(req);
    return Response.json({ ok: true }, { headers: { "Set-Cookie": clearSessionCookie() } });
  } catch (err) {
    return errorResponse(err);
  }
}
