import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInLoader } from "@/components/admin/sign-in/sign-in-loader-client";
import { currentCaller } from "@/lib/auth/server";
import { AppError } from "@/lib/errors";
import { siteTerms } from "@/lib/paywall/site-terms";
import "@/components/admin/admin.css";

// Rendered per request: its scripts carry the CSP nonce proxy.ts makes for it.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Operator sign-in", robots: { index: false } };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** Only paths of the admin console are followed after sign-in (never another site). */
function safeNext(value: string | string[] | undefined): string {
  const next = typeof value === "string" ? value : "";
  return /^\/admin(\/[A-Za-z0-9._~\-/%]*)?(\?[^#]*)?$/.test(next) &&
    !next.startsWith("/admin/sign-in")
    ? next
    : "/admin";
}

// GET /admin/sign-in — connect the receiver's (or an admin's) wallet and sign in with Ethereum
export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const next = safeNext(params.next);
  const caller = await currentCaller();
  if (caller.kind === "operator") redirect(next);

  let terms;
  try {
    terms = await siteTerms();
  } catch (err) {
    if (!(err instanceof AppError && err.expose)) throw err;
    return (
      <section className="admin-card admin-signin" role="alert" data-testid="sign-in-error">
        <h1>Sign-in is unavailable</h1>
        <p>The site cannot load its chain configuration, so no wallet can sign in right now.</p>
        <p className="muted">{err.message}</p>
      </section>
    );
  }
  const reason =
    caller.kind === "user"
      ? { kind: "forbidden" as const, address: caller.address }
      : params.reason === "signed-out"
        ? { kind: "signed-out" as const }
        : undefined;
  return (
    <section className="admin-card admin-signin">
      <h1>Operator sign-in</h1>
      <p>
        The admin pages are for the site&apos;s operator: connect the receiver&apos;s wallet (or a
        configured admin address) and sign the Sign-In with Ethereum message. Signing costs nothing
        and sends no transaction.
      </p>
      <SignInLoader terms={terms} next={next} reason={reason} />
    </section>
  );
}
