/**
 * Channel stores: the in-memory one, and the JSON form of a channel shared by every persistent
 * store (a file for the CLI, localStorage in the browser).
 */
import { z } from "zod";
import { addressSchema, channelStateSchema, signatureSchema, uint192Schema } from "../wire";
import {
  chargeOf,
  highestSigned,
  sameChannel,
  type PayerChannel,
  type PayerChannelStore,
} from "./types";

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
  signed: uint192Schema.optional(),
  state: channelStateSchema,
  settleBlock: z.number().int().nonnegative().optional(),
  siteRefused: z.boolean().optional(),
  signerUnavailable: z.literal(true).optional(),
  balanceUnknown: z.literal(true).optional(),
});

/** The JSON document of a persistent store. */
export const storedChannelsSchema = z.object({
  version: z.literal(1),
  channels: z.array(storedChannelSchema),
});

/** A channel as JSON (bigints as decimal strings). */
export function channelToJson(c: PayerChannel): z.input<typeof storedChannelSchema> {
  const { signed, ...rest } = c;
  const json = { ...rest, deposit: c.deposit.toString(), balance: c.balance.toString() };
  return signed === undefined ? json : { ...json, signed: signed.toString() };
}

/**
 * `channel` as it replaces `stored` (the same channel): the highest signed balance never goes
 * down, so a write from a stale copy cannot undo a reservation.
 */
export function mergeSigned(stored: PayerChannel | undefined, channel: PayerChannel): PayerChannel {
  const highest = stored ? highestSigned(stored) : 0n;
  const signed = highestSigned(channel) > highest ? highestSigned(channel) : highest;
  return signed > channel.balance ? { ...channel, signed } : withoutSigned(channel);
}

function withoutSigned(channel: PayerChannel): PayerChannel {
  const copy = { ...channel };
  delete copy.signed;
  return copy;
}

/**
 * Replaces `channel` in `list` (same chainId, contract, sender, receiver, openBlock) or appends it;
 * its highest signed balance is kept (see {@link mergeSigned}).
 */
export function upsertChannel(list: PayerChannel[], channel: PayerChannel): PayerChannel[] {
  const i = list.findIndex((c) => sameChannel(c, channel));
  if (i < 0) return [...list, mergeSigned(undefined, channel)];
  const next = [...list];
  next[i] = mergeSigned(list[i], channel);
  return next;
}

/**
 * The reservation of {@link PayerChannelStore.reserve} over a list (the stores that hold one):
 * the new list and the charge, or the error `allow` returned (the list unchanged).
 */
export function reserveInList(
  list: PayerChannel[],
  channel: PayerChannel,
  balance: bigint,
  allow: (charge: bigint) => Error | undefined,
): { list: PayerChannel[]; charge: bigint } | { error: Error } {
  const stored = list.find((c) => sameChannel(c, channel)) ?? channel;
  const charge = chargeOf(stored, balance);
  const error = allow(charge);
  if (error) return { error };
  if (charge === 0n && list.some((c) => sameChannel(c, channel))) return { list, charge };
  return {
    list: upsertChannel(list, { ...stored, signed: highestSigned(stored) + charge }),
    charge,
  };
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
    async reserve(channel, balance, allow) {
      const result = reserveInList(channels, channel, balance, allow);
      if ("error" in result) throw result.error;
      channels = result.list;
      return result.charge;
    },
  };
}
