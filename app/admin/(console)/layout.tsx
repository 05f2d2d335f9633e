import type { Metadata } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { AdminNav } from "@/components/admin/admin-nav-client";
import { SignOutButton } from "@/components/admin/sign-out-button-client";
import { requireOperatorPage } from "@/lib/auth/server";
import { REQUEST_PATH_HEADER } from "@/lib/paywall/article-gate";
import "@/components/admin/admin.css";

// Rendered per request: its scripts carry the CSP nonce proxy.ts makes for it.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "Admin", template: "%s · Admin · Paychan Press" },
  robots: { index: false },
};

// The admin console: every page below also checks the operator itself (a layout is not re-rendered
// on client navigation, so it cannot be the only guard).
export default async function AdminLayout({ children }: { children: ReactNode }) {
  // The page asked for (set by proxy.ts), so sign-in leads back to it.
  const asked = (await headers()).get(REQUEST_PATH_HEADER);
  const operator = await requireOperatorPage(asked?.startsWith("/admin") ? asked : "/admin");
  return (
    <div className="admin-shell" data-testid="admin-shell">
      <aside className="admin-side">
        <AdminNav />
        <div className="admin-who">
          <span className="muted">Signed in as</span>
          <code data-testid="admin-address">{operator.address ?? "API token"}</code>
          <SignOutButton />
        </div>
      </aside>
      <div className="admin-main">{children}</div>
    </div>
  );
}
