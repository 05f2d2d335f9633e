import type { Metadata } from "next";
import { loadSettings } from "@/lib/admin/settings";
import { requireOperatorPage } from "@/lib/auth/server";

export const metadata: Metadata = { title: "Settings" };

// GET /admin/settings — what the site runs with, read-only, each value with its source
export default async function SettingsPage() {
  await requireOperatorPage("/admin/settings");
  const { settings, chainError } = await loadSettings();
  return (
    <>
      <h1>Settings</h1>
      <p className="muted">
        Read-only. Change a value in the server&apos;s environment (or the deployment file) and
        restart; docs/operations.md lists every variable.
      </p>
      {chainError && (
        <p
          className="admin-alert admin-alert-danger"
          role="alert"
          data-testid="settings-chain-error"
        >
          The chain cannot be read, so the chain, contract and receiver are not shown: {chainError}
        </p>
      )}
      <section className="admin-card">
        <table className="admin-table" data-testid="settings-table">
          <thead>
            <tr>
              <th>Setting</th>
              <th>Value</th>
              <th>Source</th>
              <th>Meaning</th>
            </tr>
          </thead>
          <tbody>
            {settings.map((s) => (
              <tr key={s.key} data-testid={`setting-${s.key}`}>
                <td>{s.label}</td>
                <td>
                  <code data-testid="setting-value">{s.value}</code>
                </td>
                <td data-testid="setting-source">
                  <span className="admin-badge">{s.source}</span>
                  {s.variable && (
                    <>
                      {" "}
                      <code className="muted">{s.variable}</code>
                    </>
                  )}
                </td>
                <td className="muted">{s.help}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
