import { apiRoute } from "@/lib/api/route";
import { issueNonce } from "@/lib/auth/siwe";

// Never prerendered at build: every call must issue a new nonce.
export const dynamic = "force-dynamic";

/** A fresh single-use SIWE nonce (valid 10 minutes; stateless, so issuing one stores nothing). */
// GET /api/1/auth/nonce
export const GET = apiRoute({ auth: "none", headers: { "Cache-Control": "no-store" } }, () => {
  const { nonce, expiresAt } = issueNonce();
  return { nonce, expires_at: expiresAt.toISOString() };
});
