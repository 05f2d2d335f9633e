import { issueNonce } from "@/lib/auth/siwe";
import { errorResponse } from "@/lib/errors";

// Never prerendered at build: every call must issue a new nonce.
export const dynamic = "force-dynamic";

/** A fresh single-use SIWE nonce (valid 10 minutes). */
// GET /api/1/auth/nonce
export async function GET(): Promise<Response> {
  try {
    const { nonce } = await issueNonce();
    return Response.json({ nonce }, { headers: { "Cache-Control": "no-store" } });
  } catch (err) {
    return errorResponse(err);
  }
}
