import type { AlertProps } from "./types";

/** The dashboard's alerts, most severe first; "no alerts" when all is well. */
export function AlertList({ alerts }: { alerts: readonly AlertProps[] }) {
  const sorted = [...alerts].sort(
    (a, b) => Number(b.severity === "danger") - Number(a.severity === "danger"),
  );
  return (
    <section className="admin-card" aria-labelledby="alerts-heading" data-testid="alerts">
      <h2 id="alerts-heading">Alerts</h2>
      {sorted.length === 0 ? (
        <p className="admin-ok" data-testid="no-alerts">
          No alerts.
        </p>
      ) : (
        <ul className="dashboard-alerts">
          {sorted.map((a) => (
            <li
              key={a.key}
              role={a.severity === "danger" ? "alert" : "status"}
              className={`admin-alert admin-alert-${a.severity}`}
              data-testid={`alert-${a.kind}`}
            >
              {a.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
