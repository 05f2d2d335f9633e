"use client";
import { useRouter } from "next/navigation";
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
      (_t, w) => ({ ok: true, text: `Withdrew ${formatToken(w.amount)}`, txHash: w.txHash }),
      name,
    );
    router.refresh();
  }

  async function close() {
    await log.runEach(
      "Closing",
      [target],
      () => props.closeChannel(key),
      (_t, c) => ({
        ok: true,
        text: `Settled at ${formatToken(c.balance)}: receiver got ${formatToken(c.receiverTokens)}, sender refunded ${formatToken(c.refund)}`,
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
          onClick={close}
          disabled={log.busy || settled}
          data-testid="close-one"
        >
          Close cooperatively
        </button>
      </div>
      <p className="muted channel-hint">
        Closing settles the channel on chain at its last accepted balance and stops its payments.
      </p>
      <ActionLog progress={log.progress} lines={log.lines} />
    </section>
  );
}
