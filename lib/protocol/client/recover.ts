/**
 * Recovering channels from the chain when the store lost them (new machine, deleted state file,
 * cleared browser storage): the sender's `ChannelCreated` events to a receiver, kept when
 * `getChannelInfo` still knows the channel (open or closing), so an unspent deposit is never
 * stranded and no second channel is opened beside a forgotten one.
 */
import { isAddressEqual, type Address } from "viem";
import { payerChannelsAbi } from "./abi";
import { readChannel, type OnChainChannel } from "./chain";
import { PayerError } from "./errors";
import type { PayerContext } from "./payer-context";
import { sameChannel, type PayerChannel } from "./types";

/** Blocks per `eth_getLogs` call (many RPC providers cap the range). */
export const RECOVERY_CHUNK_BLOCKS = 50_000n;

/** What to recover: the sender's channels on `contract` to `receiver`. */
export interface RecoverTarget {
  contract: Address;
  receiver: Address;
  /** The token the contract escrows; read from the contract when absent. */
  token?: Address;
  /** The chain; the RPC node's when absent. */
  chainId?: number;
  /** Recorded on recovered channels (the site they pay), when known. */
  siteOrigin?: string;
}

/** A `ChannelCreated` event of the sender, as recovery needs it. */
export interface CreatedEvent {
  openBlock: number;
  deposit: bigint;
  signer: Address;
}

/**
 * The store entries recovery adds or updates (pure): one per event whose channel still exists
 * on chain (`infos[i]` non-null) and is not in `known` (balance 0, no signature, deposit and state
 * from chain, signer from the event, flagged `signerUnavailable` when the payer holds no key for
 * it); plus the known channels flagged `signerUnavailable` whose signer the payer now holds
 * (unflagged).
 *
 * @param infos - `getChannelInfo` of each event's channel, in the order of `events`.
 */
export function recoveredChannels(
  events: readonly CreatedEvent[],
  infos: readonly (OnChainChannel | null)[],
  known: readonly PayerChannel[],
  p: {
    chainId: number;
    contract: Address;
    token: Address;
    receiver: Address;
    sender: Address;
    signers: readonly Address[];
    siteOrigin?: string;
  },
): PayerChannel[] {
  const out: PayerChannel[] = [];
  const holds = (signer: Address) => p.signers.some((s) => isAddressEqual(s, signer));
  events.forEach((e, i) => {
    const info = infos[i];
    if (!info) return; // settled (deleted) or never existed
    const channel: PayerChannel = {
      ...(p.siteOrigin === undefined ? {} : { siteOrigin: p.siteOrigin }),
      chainId: p.chainId,
      contract: p.contract,
      token: p.token,
      receiver: p.receiver,
      sender: p.sender,
      signer: e.signer,
      openBlock: e.openBlock,
      deposit: info.deposit,
      balance: 0n,
      signature: null,
      balanceUnknown: true,
      state: info.settleBlock === 0 ? "open" : "closing",
      ...(info.settleBlock === 0 ? {} : { settleBlock: info.settleBlock }),
      ...(holds(e.signer) ? {} : { signerUnavailable: true as const }),
    };
    const stored = known.find((c) => sameChannel(c, channel));
    if (!stored) {
      if (!out.some((c) => sameChannel(c, channel))) out.push(channel);
    } else if (stored.signerUnavailable && holds(stored.signer)) {
      const unflagged = { ...stored };
      delete unflagged.signerUnavailable;
      out.push(unflagged);
    }
  });
  return out;
}

/**
 * Reads the sender's `ChannelCreated` events to `target.receiver` on `target.contract` (from
 * `options.fromBlock`, default 0, in chunks of {@link RECOVERY_CHUNK_BLOCKS}), keeps the channels
 * `getChannelInfo` still knows, and stores those the store does not know (see
 * {@link recoveredChannels}).
 *
 * @returns the channels it stored
 * @throws {PayerError} "recovery-failed" when the RPC node cannot be read
 */
export async function recoverChannels(
  ctx: PayerContext,
  target: RecoverTarget,
): Promise<PayerChannel[]> {
  const { publicClient, sender } = ctx;
  const { contract, receiver } = target;
  let added: PayerChannel[];
  try {
    const chainId = target.chainId ?? (await ctx.chainContext()).chain.id;
    const head = await publicClient.getBlockNumber();
    const events: CreatedEvent[] = [];
    for (let from = ctx.options.fromBlock ?? 0n; from <= head; from += RECOVERY_CHUNK_BLOCKS) {
      const to =
        from + RECOVERY_CHUNK_BLOCKS - 1n < head ? from + RECOVERY_CHUNK_BLOCKS - 1n : head;
      const logs = await publicClient.getContractEvents({
        address: contract,
        abi: payerChannelsAbi,
        eventName: "ChannelCreated",
        args: { sender, receiver },
        fromBlock: from,
        toBlock: to,
        strict: true,
      });
      for (const log of logs) {
        // The node filtered by topic; check again (a node or proxy may not have).
        if (
          !isAddressEqual(log.args.sender, sender) ||
          !isAddressEqual(log.args.receiver, receiver)
        )
          continue;
        events.push({
          openBlock: log.args.openBlockNumber,
          deposit: log.args.deposit,
          signer: log.args.signer,
        });
      }
    }
    const infos = await Promise.all(
      events.map((e) => readChannel(ctx, contract, { sender, receiver, openBlock: e.openBlock })),
    );
    const token =
      target.token ??
      (events.length === 0
        ? contract // unused: nothing to record
        : await publicClient.readContract({
            address: contract,
            abi: payerChannelsAbi,
            functionName: "token",
          }));
    added = recoveredChannels(events, infos, await ctx.store.list(), {
      chainId,
      contract,
      token,
      receiver,
      sender,
      signers: ctx.signers,
      siteOrigin: target.siteOrigin,
    });
  } catch (cause) {
    if (cause instanceof PayerError) throw cause;
    throw new PayerError(
      "recovery-failed",
      `Could not read the channels of ${sender} to ${receiver} on ${contract} from the chain.`,
      { cause },
    );
  }
  for (const channel of added) {
    await ctx.save(channel);
    ctx.emit({ type: "channel-recovered", channel });
  }
  return added;
}
