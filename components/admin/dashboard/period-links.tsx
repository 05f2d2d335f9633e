import Link from "next/link";

const PERIODS = [
  { period: "day", label: "By day" },
  { period: "week", label: "By week" },
  { period: "month", label: "By month" },
] as const;

/** Links that redraw the revenue series by day, ISO week or month (`?period=`). */
export function PeriodLinks({ current }: { current: "day" | "week" | "month" }) {
  return (
    <nav className="admin-toolbar" aria-label="Revenue period">
      {PERIODS.map(({ period, label }) => (
        <Link
          key={period}
          href={`/admin?period=${period}`}
          className={period === current ? "admin-button admin-button-primary" : "admin-button"}
          aria-current={period === current ? "page" : undefined}
          data-testid={`revenue-period-${period}`}
          scroll={false}
        >
          {label}
        </Link>
      ))}
    </nav>
  );
}
