"use client";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatUnits } from "viem";
import { isDollarToken, type TokenUnit } from "@/lib/format";
import type { SeriesPointProps } from "./types";

/**
 * The revenue series as a bar chart. Amounts are drawn as token numbers (a chart needs floats);
 * the exact sums are in the table beside it.
 */
export function RevenueChart({
  points,
  unit,
}: {
  points: readonly SeriesPointProps[];
  unit: TokenUnit;
}) {
  const dollars = isDollarToken(unit.symbol);
  const data = points.map((p) => ({
    label: p.label,
    revenue: Number(formatUnits(p.amount, unit.decimals)),
    payments: p.payments,
  }));
  return (
    <div className="dashboard-chart" aria-hidden="true">
      <ResponsiveContainer width="100%" height={240} initialDimension={{ width: 640, height: 240 }}>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" tick={{ fontSize: 11 }} minTickGap={12} />
          <YAxis tick={{ fontSize: 11 }} width={64} />
          <Tooltip
            formatter={(value) => [
              dollars ? `$${String(value)}` : `${String(value)} ${unit.symbol}`,
              "Revenue",
            ]}
            labelFormatter={(label) => String(label)}
          />
          <Bar dataKey="revenue" fill="var(--accent, #4b4bd6)" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
