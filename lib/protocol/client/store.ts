/**
 * Channel stores: the in-memory one, and the JSON form of a channel shared by every persistent
 * store (a file for the CLI, localStorage in the browser).
 */
import { z } from "zod";
import { addressSchema, channelStateSchema, signatureSchema, uint192Schema } from "../wire";
import { sameChannel, type PayerChannel, type PayerChannelStore } from "./types";

/** A channel as stored in JSON: amounts as decimal strings. */
export const storedChannelSchema = z.object({
  siteOrigin: z.string().optional(),
  chainId: z.number().int().positive(),
  contract: addressSchema,
  token: addressSchema,
  receiver: addressSchema,
  sender: addressSchema,
  signer: addressSchema,
  openBlock: z.number().int().positive(),
  deposit: uint192Schema,
  balance: uint192Schema,
  signature: signatureSchema.nullable(),
  state: channelStateSchema,
  settleBlock: z.number().int().nonnegative().optional(),
  siteRefused: z.boolean().optional(),
  signerUnavailable: z.literal(true).optional(),
});

/** The JSON document of a persistent store. */
export const storedChannelsSchema = z.object({
  version: z.literal(1),
  channels: z.array(storedChannelSchema),
});

/** A channel as JSON (bigints as decimal strings). */
export function channelToJson(c: PayerChannel): z.input<typeof storedChannelSchema> {
  return { ...c, deposit: c.deposit.toString(), balance: c.balance.toString() };
}

/** Replaces `channel` in `list` (same chainId, contract, sender, receiver, openBlock) or appends it. */
export function upsertChannel(list: PayerChannel[], channel: PayerChannel): PayerChannel[] {
  const i = list.findIndex((c) => sameChannel(c, channel));
  if (i < 0) return [...list, { ...channel }];
  const next = [...list];
  next[i] = { ...channel };
  return next;
}

/**
 * A store that lives as long as the process (tests, short scripts). Channels are lost with it, so
 * use a persistent store for real deposits.
 *
 * @example
 * const payer = createPayer({ account, publicClient, store: memoryChannelStore() });
 */
export function memoryChannelStore(initial: PayerChannel[] = []): PayerChannelStore {
  let channels = initial.map((c) => ({ ...c }));
  return {
    async list() {
      return channels.map((c) => ({ ...c }));
    },
    async put(channel) {
      channels = upsertChannel(channels, channel);
    },
    async remove(channel) {
      channels = channels.filter((c) => !sameChannel(c, channel));
    },
  };
}
