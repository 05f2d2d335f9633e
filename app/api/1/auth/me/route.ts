import { apiRoute } from "@/lib/api/route";

/** Who the request is authenticated as: `{ kind, address, operator }`. */
// GET /api/1/auth/me
export const GET = apiRoute(
  { auth: "none", headers: { "Cache-Control": "no-store" } },
  ({ caller }) => ({
    kind: caller.kind,
    address: caller.kind === "anonymous" ? null : (caller.address ?? null),
    operator: caller.kind === "operator",
  }),
);
