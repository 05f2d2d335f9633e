"use server";
/**
 * Server actions of `/admin/channels`: withdraw and close channels as the receiver, and sync.
 * Each checks the operator itself (operatorAction) and answers errors as values. What sends the
 * receiver's transactions runs on the leader (onLeader), whichever instance got the request.
 */
import { z } from "zod";
import { channelKeySchema, closeTargets, withdrawTargets } from "@/lib/admin/channel-actions";
import { operatorAction } from "@/lib/auth/action";
import { onLeader } from "@/lib/cluster/leader-tasks";

const noInput = z.object({}).strict();

/** Withdraws what one channel owes: `{ sender, open_block }` → amount and tx hash. */
export const withdrawChannelAction = operatorAction(channelKeySchema, (key) =>
  onLeader("withdrawOne", { sender: key.sender, openBlock: key.open_block }),
);

/** The channels a "withdraw all" visits, read when it starts. */
export const withdrawTargetsAction = operatorAction(noInput, () => withdrawTargets());

/** Closes one channel cooperatively at its last accepted balance. */
export const closeChannelAction = operatorAction(channelKeySchema, (key) =>
  onLeader("closeOne", { sender: key.sender, openBlock: key.open_block }),
);

/** The channels a "close all" visits: every open one. */
export const closeTargetsAction = operatorAction(noInput, () => closeTargets());

/** Runs one indexer and watchtower pass now. */
export const syncAction = operatorAction(noInput, () => onLeader("syncNow", {}));
