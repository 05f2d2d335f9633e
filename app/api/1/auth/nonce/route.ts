import { connection } from "next/server";
import { issueNonce } from "@/lib/auth/siwe";
import { errorResponse } from "@/lib/errors";

/** A fresh single-use SIWE nonce (valid 10 minutes). */
// GET /api/1/auth/nonce
export async function GET(): Promise<Response> {
  try {
    await connection(); // never prerendered: every call issues a new nonce
    const { nonce } = await issueNonce();
    return Response.json({ nonce }, { headers: { "Cache-Control": "no-store" } });
  } catch (err) {
    return errorResponse(err);
  }
}
