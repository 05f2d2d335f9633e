import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ChannelActions } from "@/components/admin/channels/channel-actions-client";
import {
  ChannelEvents,
  ChannelPayments,
  ChannelSummary,
} from "@/components/admin/channels/channel-detail";
import { channelDetailQuerySchema, getChannelDetail } from "@/lib/admin/channels";
import { channelParamsSchema } from "@/lib/api/params";
import { requireOperatorPage } from "@/lib/auth/server";
import { closeChannelAction, withdrawChannelAction } from "../../actions";
import { displayUnit } from "@/lib/chain/token-info";

export const metadata: Metadata = { title: "Channel" };

type Params = { sender: string; openBlock: string };
type SearchParams = Record<string, string | string[] | undefined>;

// GET /admin/channels/:sender/:openBlock — one channel: amounts, payments, chain events, actions
export default async function ChannelPage(props: {
  params: Promise<Params>;
  searchParams: Promise<SearchParams>;
}) {
  const { sender: rawSender, openBlock: rawBlock } = await props.params;
  await requireOperatorPage(
    `/admin/channels/${encodeURIComponent(rawSender)}/${encodeURIComponent(rawBlock)}`,
  );
  const key = channelParamsSchema.safeParse({ sender: rawSender, open_block: rawBlock });
  if (!key.success) notFound();
  const sp = await props.searchParams;
  const before = Array.isArray(sp.before) ? sp.before[0] : sp.before;
  const query = channelDetailQuerySchema.safeParse({ before: before || undefined });
  if (!query.success) notFound();

  const { sender, open_block: openBlock } = key.data;
  const unit = await displayUnit();
  const detail = await getChannelDetail(sender, openBlock, { before: query.data.before });
  if (!detail) notFound();
  const { channel, payments, events } = detail;
  const base = `/admin/channels/${sender}/${openBlock}`;

  return (
    <>
      <p>
        <Link href="/admin/channels">← Channels</Link>
      </p>
      <h1>
        Channel <code>{sender}</code> @ {openBlock}
      </h1>
      <ChannelSummary c={channel} unit={unit} />
      <ChannelActions
        sender={sender}
        openBlock={openBlock}
        state={channel.state}
        withdrawChannel={withdrawChannelAction}
        closeChannel={closeChannelAction}
        unit={unit}
      />
      <ChannelPayments
        payments={payments.payments}
        unit={unit}
        olderHref={payments.nextBefore === null ? null : `${base}?before=${payments.nextBefore}`}
        newestHref={query.data.before === undefined ? null : base}
      />
      <ChannelEvents events={events} unit={unit} />
    </>
  );
}
