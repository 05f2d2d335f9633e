import type { Address } from "viem";
import type { ChannelStore, ChannelView, PaymentCommit } from "@/lib/protocol/paywall";
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

/** Most channels one process keeps (the oldest kept is forgotten first). */
const MAX_KEPT_CHANNELS = 50_000;

/**
 * `store` keeping each usable channel (confirmed, open, no closing signature handed out) in the
 * process, as its last commit here left it: a payment on a channel this instance paid last costs
 * one write and no read. A kept view may be stale (another instance's payment, a top-up, a close
 * signed or seen on chain); that is safe because
 * - the commit's conditional write checks the balance, the state and the closing signature, and
 *   a commit that does not apply forgets the view (the payment is decided again on a fresh read);
 * - processPayment decides every outcome other than a commit again on a fresh read
 *   (`keepsChannels`): a stale deposit or balance never refuses, retries or syncs anything.
 * The deposit only grows and the signer never changes, so a kept view never lets a payment past
 * the deposit.
 */
export function keepingChannelStore(store: ChannelStore): ChannelStore {
  const kept = new Map<string, ChannelView>();
  const keyById = new Map<number, string>();
  const keyOf = (sender: Address, openBlock: number) => `${sender.toLowerCase()}:${openBlock}`;
  const forget = (key: string) => {
    const view = kept.get(key);
    if (view) keyById.delete(view.id);
    kept.delete(key);
  };
  const keep = (key: string, view: ChannelView) => {
    forget(key);
    if (kept.size >= MAX_KEPT_CHANNELS) forget(kept.keys().next().value!);
    kept.set(key, view);
    keyById.set(view.id, key);
  };
  const usable = (v: ChannelView) =>
    v.state === "open" && !v.closeSigned && v.confirmationsMissing === 0;
  return {
    keepsChannels: true,
    async getChannel(sender, openBlock, opts) {
      const key = keyOf(sender, openBlock);
      if (!opts?.fresh) {
        const view = kept.get(key);
        if (view) return view;
      }
      const view = await store.getChannel(sender, openBlock, { fresh: true });
      if (view && usable(view)) keep(key, view);
      else forget(key);
      return view;
    },
    async commitPayment(commit: PaymentCommit) {
      const key = keyById.get(commit.channelId);
      let applied: boolean;
      try {
        applied = await store.commitPayment(commit);
      } catch (err) {
        if (key) forget(key);
        throw err;
      }
      const view = key ? kept.get(key) : undefined;
      if (!key || !view) return applied;
      if (applied && view.balance === commit.previousBalance) {
        keep(key, {
          ...view,
          balance: commit.balance,
          signature: commit.signature,
          lastResource: commit.resource,
          lastPaidAt: Date.now(),
        });
      } else {
        forget(key);
      }
      return applied;
    },
  };
}
