"use server";
/**
 * Server actions of `/admin/channels`: withdraw and close channels as the receiver, and sync.
 * Each checks the operator itself (operatorAction) and answers errors as values.
 */
import { z } from "zod";
import {
  channelKeySchema,
  closeOne,
  closeTargets,
  syncNow,
  withdrawOne,
  withdrawTargets,
} from "@/lib/admin/channel-actions";
import { operatorAction } from "@/lib/auth/action";

const noInput = z.object({}).strict();

/** Withdraws what one channel owes: `{ sender, open_block }` → amount and tx hash. */
export const withdrawChannelAction = operatorAction(channelKeySchema, (key) =>
  withdrawOne({ sender: key.sender, openBlock: key.open_block }),
);

/** The channels a "withdraw all" visits, read when it starts. */
export const withdrawTargetsAction = operatorAction(noInput, () => withdrawTargets());

/** Closes one channel cooperatively at its last accepted balance. */
export const closeChannelAction = operatorAction(channelKeySchema, (key) =>
  closeOne({ sender: key.sender, openBlock: key.open_block }),
);

/** The channels a "close all" visits: every open one. */
export const closeTargetsAction = operatorAction(noInput, () => closeTargets());

/** Runs one indexer and watchtower pass now. */
export const syncAction = operatorAction(noInput, () => syncNow());
