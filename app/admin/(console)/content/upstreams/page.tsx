import type { Metadata } from "next";
import { ContentNav } from "@/components/admin/content/content-nav";
import { UpstreamsEditor } from "@/components/admin/content/upstreams-client";
import { listUpstreams } from "@/lib/admin/upstreams";
import { requireOperatorPage } from "@/lib/auth/server";
import { env } from "@/lib/env";
import { formatToken, formatTokenInput } from "@/lib/format";
import { upstreamPrice } from "@/lib/paywall/upstream-price";
import { tokenUnit } from "@/lib/chain/token-info";
import { createUpstreamAction, deleteUpstreamAction, updateUpstreamAction } from "../actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Upstreams" };

// GET /admin/content/upstreams — paywalled upstream prefixes: add, change URL and price, delete
export default async function UpstreamsPage() {
  await requireOperatorPage("/admin/content/upstreams");
  const rows = await listUpstreams();
  const e = env();
  const unit = await tokenUnit();
  return (
    <>
      <h1>Paywalled upstreams</h1>
      <ContentNav current="/admin/content/upstreams" />
      <p className="muted">
        A request under a prefix is fetched from the upstream URL (the rest of its path and its
        query appended) once paid. Changes apply within a second.
      </p>
      {e.UPSTREAM_URL && (
        <p className="admin-alert" data-testid="upstream-env">
          Also configured in the environment: <code>{e.UPSTREAM_PREFIX}</code> →{" "}
          <code>{e.UPSTREAM_URL}</code> at {formatToken(await upstreamPrice(), unit)}.
        </p>
      )}
      <UpstreamsEditor
        rows={rows.map((u) => ({
          prefix: u.prefix,
          url: u.url,
          price: u.price,
          priceTokens: formatTokenInput(u.price, unit),
        }))}
        unit={unit}
        create={createUpstreamAction}
        update={updateUpstreamAction}
        remove={deleteUpstreamAction}
      />
    </>
  );
}
