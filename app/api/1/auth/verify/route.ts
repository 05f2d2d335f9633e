import { apiRoute } from "@/lib/api/route";
import { isOperatorAddress } from "@/lib/auth/caller";
import { createSessionCookie, sessionSecret } from "@/lib/auth/session";
import { signInRequestSchema, verifySignIn } from "@/lib/auth/siwe";

/** Signs in with a SIWE message and its signature; sets the `rdn_session` cookie. */
// POST /api/1/auth/verify
export const POST = apiRoute({ auth: "none", body: signInRequestSchema }, async ({ body }) => {
  sessionSecret(); // 503 before a nonce is spent when sign-in is disabled
  const address = await verifySignIn(body);
  const cookie = await createSessionCookie(address);
  return Response.json(
    { address, operator: isOperatorAddress(address) },
    { headers: { "Set-Cookie": cookie, "Cache-Control": "no-store" } },
  );
});
