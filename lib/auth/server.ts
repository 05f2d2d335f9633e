/**
 * Authentication inside React Server Components and server actions, where there is no Request:
 * the session cookie read through `next/headers`. The bearer API token is not accepted here: it
 * is for the `/api/1` routes (scripts), not for the console's pages and actions.
 */
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { authorize, callerFrom, type Caller, type OperatorCaller } from "./caller";
import { SESSION_COOKIE } from "./session";

/** Where the admin pages send a caller who is not signed in as an operator. */
export const SIGN_IN_PATH = "/admin/sign-in";

/** The caller of the current server component render or server action (by its session only). */
export async function currentCaller(): Promise<Caller> {
  const cookieStore = await cookies();
  return callerFrom({ session: cookieStore.get(SESSION_COOKIE)?.value });
}

/**
 * The operator viewing an admin page. Anybody else is redirected to the sign-in page, which says
 * why (`?reason=forbidden` for a signed-in reader) and comes back to `next` after signing in.
 *
 * @example
 * export default async function Page() {
 *   const operator = await requireOperatorPage("/admin/channels");
 *   …
 * }
 */
export async function requireOperatorPage(next: string): Promise<OperatorCaller> {
  const caller = await currentCaller();
  if (caller.kind === "operator") return caller;
  const params = new URLSearchParams({ next });
  if (caller.kind === "user") params.set("reason", "forbidden");
  redirect(`${SIGN_IN_PATH}?${params}`);
}

/**
 * The current caller if it is the operator (for server actions).
 *
 * @throws {@link BadRequestError} 401 when not authenticated, 403 when signed in as someone else
 */
export async function requireOperatorCaller(): Promise<OperatorCaller> {
  const caller = await currentCaller();
  authorize(caller, { kind: "operator" });
  return caller as OperatorCaller;
}
