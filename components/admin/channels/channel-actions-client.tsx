"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { formatToken } from "@/lib/format";
import { ActionLog, useActionLog } from "./action-log-client";
import type { ChannelActionProps, ChannelTargetView } from "./channel-view";
import "./channels.css";

/** Withdraw and close buttons of one channel, with progress and the result. */
export function ChannelActions(
  props: ChannelActionProps & { sender: string; openBlock: number; state: string },
) {
  const router = useRouter();
  const log = useActionLog();
  // Closing settles the channel on chain for good: it takes a second, deliberate click.
  const [confirming, setConfirming] = useState(false);
  const target: ChannelTargetView = {
    sender: props.sender,
    openBlock: props.openBlock,
    amount: 0n,
  };
  const key = { sender: props.sender, open_block: String(props.openBlock) };
  const name = () => `channel ${props.openBlock}`;

  async function withdraw() {
    await log.runEach(
      "Withdrawing",
      [target],
      () => props.withdrawChannel(key),
      (_t, w) => ({
        ok: true,
        text: `Withdrew ${formatToken(w.amount, props.unit)}`,
        txHash: w.txHash,
      }),
      name,
    );
    router.refresh();
  }

  async function close() {
    setConfirming(false);
    await log.runEach(
      "Closing",
      [target],
      () => props.closeChannel(key),
      (_t, c) => ({
        ok: true,
        text: `Settled at ${formatToken(c.balance, props.unit)}: receiver got ${formatToken(c.receiverTokens, props.unit)}, sender refunded ${formatToken(c.refund, props.unit)}`,
        txHash: c.txHash,
      }),
      name,
    );
    router.refresh();
  }

  const settled = props.state === "settled";
  return (
    <section className="admin-card" aria-label="Channel actions">
      <div className="admin-toolbar">
        <button
          type="button"
          className="admin-button admin-button-primary"
          onClick={withdraw}
          disabled={log.busy || props.state !== "open"}
          data-testid="withdraw-one"
        >
          Withdraw unclaimed
        </button>
        <button
          type="button"
          className="admin-button admin-button-danger"
          onClick={() => setConfirming(true)}
          disabled={log.busy || settled || confirming}
          data-testid="close-one"
        >
          Close cooperatively…
        </button>
      </div>
      {confirming && (
        <div className="admin-alert admin-alert-warn" role="alertdialog" aria-label="Confirm close">
          <p>
            Settle this channel on chain now? The receiver is paid the unclaimed balance, the sender
            gets the rest of the deposit back, and the channel accepts no more payments.
          </p>
          <div className="admin-toolbar">
            <button
              type="button"
              className="admin-button admin-button-danger"
              onClick={close}
              data-testid="close-one-confirm"
            >
              Close the channel
            </button>
            <button type="button" className="admin-button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      <p className="muted channel-hint">
        Closing settles the channel on chain at its last accepted balance and stops its payments.
      </p>
      <ActionLog progress={log.progress} lines={log.lines} />
    </section>
  );
}
