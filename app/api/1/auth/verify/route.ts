import { isOperatorAddress } from "@/lib/auth/caller";
import { assertSameOrigin } from "@/lib/auth/origin";
import { createSessionCookie, sessionSecret } from "@/lib/auth/session";
import { signInRequestSchema, verifySignIn } from "@/lib/auth/siwe";
import { parseInput, readJsonBody } from "@/lib/api/params";
import { errorResponse } from "@/lib/errors";

/** Signs in with a SIWE message and its signature; sets the `rdn_session` cookie. */
// POST /api/1/auth/verify
export async function POST(req: Request): Promise<Response> {
  try {
    assertSameOrigin(req);
    sessionSecret(); // 503 before a nonce is spent when sign-in is disabled
    const body = parseInput(signInRequestSchema, await readJsonBody(req));
    const address = await verifySignIn(body);
    const cookie = await createSessionCookie(address);
    return Response.json(
      { address, operator: isOperatorAddress(address) },
      { headers: { "Set-Cookie": cookie, "Cache-Control": "no-store" } },
    );
  } catch (err) {
    return errorResponse(err);
  }
}
