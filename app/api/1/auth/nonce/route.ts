import { issueNonce } from "@/lib/auth/siwe";
import { errorResponse } from "@/lib/errors";

// Never prerendered at build: every call must issue a new nonce.
export const dynamic = "force-dynamic";

/** A fresh single-use SIWE nonce (valid 10 minutes; stateless, so issuing one stores nothing). */
// GET /api/1/auth/nonce
export async function GET(): Promise<Response> {
  try {
    const { nonce, expiresAt } = issueNonce();
    return Response.json(
      { nonce, expires_at: expiresAt.toISOString() },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (err) {
    return errorResponse(err);
  }
}
