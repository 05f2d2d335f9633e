import { apiRoute } from "@/lib/api/route";
import { clearSessionCookie } from "@/lib/auth/session";

/** Clears the session cookie. */
// POST /api/1/auth/logout
export const POST = apiRoute({ auth: "none" }, () =>
  Response.json({ ok: true }, { headers: { "Set-Cookie": clearSessionCookie() } }),
);
