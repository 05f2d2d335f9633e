"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { formatToken } from "@/lib/format";
import { ActionLog, useActionLog } from "./action-log-client";
import {
  shortAddress,
  type BulkActionProps,
  type ChannelKeyInput,
  type ChannelTargetView,
} from "./channel-view";
import "./channels.css";

const keyOf = (t: ChannelTargetView): ChannelKeyInput => ({
  sender: t.sender,
  open_block: String(t.openBlock),
});
const nameOf = (t: ChannelTargetView) => `${shortAddress(t.sender)} @ ${t.openBlock}`;

/** Withdraw all, close all (after a confirmation) and sync now, with progress and results. */
export function ChannelBulkActions(props: BulkActionProps) {
  const { unit } = props;
  const router = useRouter();
  const log = useActionLog();
  const [confirming, setConfirming] = useState<ChannelTargetView[] | null>(null);

  async function withdrawAll() {
    setConfirming(null);
    log.setBusy(true);
    log.setLines([]);
    log.setProgress("Looking for channels that owe something…");
    const targets = await props.withdrawTargets({});
    if (!targets.ok) {
      log.setProgress(null);
      log.setLines([{ ok: false, text: targets.error }]);
      log.setBusy(false);
      return;
    }
    if (targets.value.length === 0) {
      log.setProgress("Nothing to withdraw: no open channel owes anything.");
      log.setBusy(false);
      return;
    }
    await log.runEach(
      "Withdrawing",
      targets.value,
      (t) => props.withdrawChannel(keyOf(t)),
      (t, w) => ({
        ok: true,
        text: `${nameOf(t)}: withdrew ${formatToken(w.amount, unit)}`,
        txHash: w.txHash,
      }),
      nameOf,
    );
    router.refresh();
  }

  async function askCloseAll() {
    log.setLines([]);
    log.setProgress(null);
    const targets = await props.closeTargets({});
    if (!targets.ok) return log.setLines([{ ok: false, text: targets.error }]);
    if (targets.value.length === 0) return log.setProgress("No open channel to close.");
    setConfirming(targets.value);
  }

  async function closeAll(targets: ChannelTargetView[]) {
    setConfirming(null);
    await log.runEach(
      "Closing",
      targets,
      (t) => props.closeChannel(keyOf(t)),
      (t, c) => ({
        ok: true,
        text: `${nameOf(t)}: settled at ${formatToken(c.balance, unit)}, receiver got ${formatToken(c.receiverTokens, unit)}, sender refunded ${formatToken(c.refund, unit)}`,
        txHash: c.txHash,
      }),
      nameOf,
    );
    router.refresh();
  }

  async function syncNow() {
    setConfirming(null);
    log.setBusy(true);
    log.setLines([]);
    log.setProgress("Syncing…");
    const res = await props.sync({});
    log.setBusy(false);
    if (!res.ok) {
      log.setProgress(null);
      log.setLines([{ ok: false, text: `sync: ${res.error}` }]);
      return;
    }
    const s = res.value;
    log.setProgress(null);
    log.setLines([
      {
        ok: true,
        text: `Synced to block ${s.syncedBlock} (head ${s.headBlock}): ${s.events} new event${s.events === 1 ? "" : "s"}`,
      },
      ...s.disputes.map((d) => ({
        ok: true as const,
        text: `dispute ${shortAddress(d.sender)} @ ${d.openBlock}: ${d.outcome}`,
        txHash: d.txHash,
      })),
    ]);
    router.refresh();
  }

  return (
    <section className="admin-card" aria-label="Actions on all channels">
      <div className="admin-toolbar">
        <button
          type="button"
          className="admin-button admin-button-primary"
          onClick={withdrawAll}
          disabled={log.busy}
          data-testid="withdraw-all"
        >
          Withdraw all
        </button>
        <button
          type="button"
          className="admin-button admin-button-danger"
          onClick={askCloseAll}
          disabled={log.busy}
          data-testid="close-all"
        >
          Close all open channels…
        </button>
        <button
          type="button"
          className="admin-button"
          onClick={syncNow}
          disabled={log.busy}
          data-testid="sync-now"
        >
          Sync now
        </button>
      </div>
      {confirming && (
        <div
          className="admin-alert admin-alert-danger"
          role="alertdialog"
          aria-label="Confirm close all"
        >
          <p>
            Close {confirming.length} open channel{confirming.length === 1 ? "" : "s"} cooperatively
            at their last accepted balance (
            {formatToken(
              confirming.reduce((s, t) => s + t.amount, 0n),
              unit,
            )}{" "}
            in total)? They accept no payment from then on. Channels nothing was paid on cannot be
            closed by the receiver and are reported as such.
          </p>
          <div className="admin-toolbar">
            <button
              type="button"
              className="admin-button admin-button-danger"
              onClick={() => closeAll(confirming)}
              data-testid="close-all-confirm"
            >
              Close {confirming.length} channel{confirming.length === 1 ? "" : "s"}
            </button>
            <button type="button" className="admin-button" onClick={() => setConfirming(null)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      <ActionLog progress={log.progress} lines={log.lines} />
    </section>
  );
}
