"use client";
import { useState } from "react";

/** Signs out (clears the session cookie) and goes to the sign-in page. */
export function SignOutButton() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function signOut() {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch("/api/1/auth/logout", { method: "POST" });
      if (!res.ok) throw new Error(`sign-out failed (HTTP ${res.status})`);
      // A full load, not the client router: nothing of the console stays in the router's cache.
      // eslint-disable-next-line @next/next/no-location-assign-relative-destination
      window.location.assign("/admin/sign-in?reason=signed-out");
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  }
  return (
    <>
      <button
        type="button"
        className="admin-button"
        onClick={signOut}
        disabled={busy}
        data-testid="sign-out"
      >
        {busy ? "Signing out…" : "Sign out"}
      </button>
      {error && (
        <p role="alert" className="admin-error">
          {error}
        </p>
      )}
    </>
  );
}
