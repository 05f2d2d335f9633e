import type { ChannelStore } from "@/lib/protocol/paywall";
import { sqliteChannelStore } from "./channel-store";
import { postgresChannelStore } from "./channel-store-pg";
import { dbKind } from "./sql";

/**
 * The paywall's {@link ChannelStore} for the configured database (SQLite or PostgreSQL, the same
 * semantics). `confirmations` is read on each call.
 */
export function channelStore(confirmations: () => number): ChannelStore {
  return (dbKind() === "postgres" ? postgresChannelStore : sqliteChannelStore)(confirmations);
}
