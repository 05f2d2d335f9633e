import type { Metadata } from "next";
import { ChannelBulkActions } from "@/components/admin/channels/channel-bulk-actions-client";
import { ChannelFilters } from "@/components/admin/channels/channel-filters-client";
import { ChannelsPagination, ChannelsTable } from "@/components/admin/channels/channels-table";
import { channelListQuerySchema, listChannelPage } from "@/lib/admin/channels";
import { parseInput } from "@/lib/api/params";
import { requireOperatorPage } from "@/lib/auth/server";
import { BadRequestError } from "@/lib/errors";
import {
  closeChannelAction,
  closeTargetsAction,
  syncAction,
  withdrawChannelAction,
  withdrawTargetsAction,
} from "./actions";
import { displayUnit } from "@/lib/chain/token-info";

export const metadata: Metadata = { title: "Channels" };

type SearchParams = Record<string, string | string[] | undefined>;

/** The first value of a query parameter; an empty one counts as absent. */
function param(sp: SearchParams, key: string): string | undefined {
  const v = Array.isArray(sp[key]) ? sp[key][0] : sp[key];
  return v === "" ? undefined : v;
}

// GET /admin/channels — the receiver's channels: state filter, sender search, pages, bulk actions
export default async function ChannelsPage(props: { searchParams: Promise<SearchParams> }) {
  await requireOperatorPage("/admin/channels");
  const sp = await props.searchParams;
  const raw = { status: param(sp, "status"), q: param(sp, "q"), page: param(sp, "page") };
  let query;
  try {
    query = parseInput(channelListQuerySchema, raw);
  } catch (err) {
    if (!(err instanceof BadRequestError)) throw err;
    return (
      <>
        <h1>Channels</h1>
        <ChannelFilters status="open" q={raw.q ?? ""} />
        <p
          className="admin-alert admin-alert-danger"
          role="alert"
          data-testid="channels-query-error"
        >
          {err.message}
        </p>
      </>
    );
  }
  const unit = await displayUnit();
  const list = await listChannelPage({ status: query.status, search: query.q, page: query.page });
  const href = (page: number) => {
    const p = new URLSearchParams();
    if (query.status !== "open") p.set("status", query.status);
    if (raw.q) p.set("q", raw.q);
    if (page > 1) p.set("page", String(page));
    const s = p.toString();
    return s ? `/admin/channels?${s}` : "/admin/channels";
  };
  return (
    <>
      <h1>Channels</h1>
      <ChannelBulkActions
        withdrawChannel={withdrawChannelAction}
        closeChannel={closeChannelAction}
        withdrawTargets={withdrawTargetsAction}
        closeTargets={closeTargetsAction}
        sync={syncAction}
        unit={unit}
      />
      <section className="admin-card">
        <ChannelFilters status={query.status} q={raw.q ?? ""} />
        <ChannelsTable rows={list.rows} unit={unit} />
        <ChannelsPagination
          page={list.page}
          pageCount={list.pageCount}
          total={list.total}
          href={href}
        />
      </section>
    </>
  );
}
