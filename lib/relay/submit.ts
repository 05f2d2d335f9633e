/**
 * The leader's side of a relay: the policy's shared limits (per sender and per IP in any hour,
 * gas in any 24 hours, the receiver's ETH reserve for disputes) are checked and the relay's row
 * reserved under one lock of the process, so concurrent requests cannot all pass the same check;
 * then the transaction goes through the receiver's queue and the request waits for its receipt.
 * A refusal sends nothing and records nothing.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  HttpRequestError,
  TimeoutError,
  WaitForTransactionReceiptTimeoutError,
  decodeErrorResult,
  parseEventLogs,
  type Address,
  type Hex,
  type TransactionReceipt,
} from "viem";
import { demoDollarAbi, microTransferChannelsAbi } from "@/lib/chain/abi";
import { chainConfig, type ChainConfig } from "@/lib/chain/config";
import { minReceiverEth } from "@/lib/chain/receiver-eth";
import { errorText, notFound, txQueue } from "@/lib/chain/tx-queue";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { AppError, BadGatewayError, BadRequestError } from "@/lib/errors";
import { effectiveSigner, type RelayCall, type RelayKind } from "./check";
import { FAUCET_LIMITS, relayLimits } from "./policy";

/** What the leader is asked to run. */
export type RelaySubmission = RelayCall & { clientIp: string };

/** A relay whose transaction was mined, or is still waiting after RELAY_WAIT_SECONDS. */
export type RelayOutcome =
  | {
      state: "mined";
      kind: RelayKind;
      txHash: Hex;
      sender: Address;
      receiver: Address;
      openBlock: number;
      /** The channel's effective signer (open), or null. */
      signer: Address | null;
      /** As in {@link RelayCall}. */
      amount: bigint;
      /** open, top-up: the channel's deposit after the transaction; close: before it. */
      deposit: bigint;
      gasUsed: bigint;
    }
  | { state: "pending"; txHash: Hex };

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Gas headroom the queue adds over the estimate (tx-queue.ts): the reservation covers it. */
const GAS_HEADROOM_PERCENT = 120n;

const globalForRelay = globalThis as unknown as { relayLock?: Promise<unknown> };

/** Runs `job` after every reservation queued before it in this process (the leader's). */
function exclusive<T>(job: () => Promise<T>): Promise<T> {
  const result = (globalForRelay.relayLock ?? Promise.resolve()).then(job);
  globalForRelay.relayLock = result.catch(() => undefined);
  return result;
}

const errorsAbi = [
  ...microTransferChannelsAbi.filter((e) => e.type === "error"),
  ...demoDollarAbi.filter((e) => e.type === "error"),
];

/** The custom error's name in a revert, when one can be read. */
function revertName(err: unknown): string | undefined {
  if (!(err instanceof BaseError)) return undefined;
  const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
  if (reverted instanceof ContractFunctionRevertedError) return reverted.data?.errorName;
  const data = (
    err.walk((e) => typeof (e as { data?: unknown }).data === "string") as
      { data?: Hex } | undefined
  )?.data;
  if (!data) return undefined;
  try {
    return decodeErrorResult({ abi: errorsAbi, data }).errorName;
  } catch {
    return undefined;
  }
}

/**
 * Estimates the call as the receiver against the pending block: against `latest`, whose
 * `block.number` is that block's own, a second open of the same sender and receiver right after
 * the first would meet it (ChannelExists). A revert is the client's 409; nothing is sent.
 */
async function estimate(cfg: ChainConfig, call: RelayCall): Promise<bigint> {
  try {
    return await cfg.publicClient.estimateGas({
      account: cfg.receiver,
      to: call.to,
      data: call.data,
      blockTag: "pending",
    });
  } catch (err) {
    if (
      err instanceof BaseError &&
      err.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError)
    )
      throw new BadGatewayError("the chain RPC failed; nothing was relayed", err);
    const name = revertName(err) ?? errorText(err);
    const what = {
      open: "authorization",
      topup: "authorization",
      close: "close",
      faucet: "faucet",
    };
    throw new BadRequestError(`${what[call.kind]}: the contract refuses it (${name})`, 409);
  }
}

/** The rates of `input`'s kind: the faucet's own, or the relay's (opens, top-ups, closes). */
async function checkRates(cfg: ChainConfig, input: RelaySubmission, now: number): Promise<void> {
  if (input.kind === "faucet") {
    const recent = await db().relay.count({
      where: {
        kind: "faucet",
        sender: input.sender,
        createdAt: { gt: new Date(now - FAUCET_LIMITS.perAddressWindowSeconds * 1000) },
      },
    });
    if (recent > 0)
      throw new BadRequestError(
        `rate: ${input.sender} got test tokens less than ${FAUCET_LIMITS.perAddressWindowSeconds / 60} minutes ago; try again later`,
        429,
        { retry_after: FAUCET_LIMITS.perAddressWindowSeconds },
      );
    const byIp = await db().relay.count({
      where: {
        kind: "faucet",
        clientIp: input.clientIp,
        createdAt: { gt: new Date(now - HOUR_MS) },
      },
    });
    if (byIp >= FAUCET_LIMITS.perIpPerHour)
      throw new BadRequestError(
        `rate: your address got test tokens ${byIp} times in the last hour, the most this site grants per client`,
        429,
        { retry_after: 3600 },
      );
    return;
  }
  const limits = relayLimits(cfg);
  const hourAgo = new Date(now - HOUR_MS);
  const bySender = await db().relay.count({
    where: { sender: input.sender, kind: { not: "faucet" }, createdAt: { gt: hourAgo } },
  });
  if (bySender >= limits.perSenderPerHour)
    throw new BadRequestError(
      `rate: ${input.sender} had ${bySender} relays in the last hour, the most this site relays per sender (RELAY_MAX_PER_SENDER_PER_HOUR=${limits.perSenderPerHour})`,
      429,
      { retry_after: 3600 },
    );
  const byIp = await db().relay.count({
    where: { clientIp: input.clientIp, kind: { not: "faucet" }, createdAt: { gt: hourAgo } },
  });
  if (byIp >= limits.perIpPerHour)
    throw new BadRequestError(
      `rate: your address had ${byIp} relays in the last hour, the most this site relays per client (RELAY_MAX_PER_IP_PER_HOUR=${limits.perIpPerHour})`,
      429,
      { retry_after: 3600 },
    );
}

/** Rates, the gas budget of every kind together, and the receiver's ETH reserve. */
async function checkLimits(
  cfg: ChainConfig,
  input: RelaySubmission,
  maxCost: bigint,
): Promise<void> {
  const now = Date.now();
  await checkRates(cfg, input, now);
  const { dailyGasBudget } = relayLimits(cfg);
  await settlePending(cfg, new Date(now - DAY_MS));
  const spent = await relayGasSince(new Date(now - DAY_MS));
  if (spent + maxCost > dailyGasBudget)
    throw new AppError(
      `relay: the gas budget is spent (${spent} of ${dailyGasBudget} wei in the last 24 hours, this relay may cost ${maxCost}); ${input.kind === "faucet" ? "try later" : "send the transaction yourself or try later"}`,
      { status: 503, expose: true },
    );
  const [eth, minimum] = await Promise.all([
    cfg.publicClient.getBalance({ address: cfg.receiver.address }),
    minReceiverEth(cfg),
  ]).catch((err: unknown) => {
    throw new BadGatewayError("the chain RPC failed; nothing was relayed", err);
  });
  if (eth < minimum + maxCost)
    throw new AppError(
      `relay: the receiver's ETH (${eth} wei) would fall below the ${minimum} wei it keeps for disputes; relaying is paused until it is funded`,
      { status: 503, expose: true },
    );
}

/** Wei the relays created after `since` spent (a pending one counts its maximum). */
export async function relayGasSince(since: Date): Promise<bigint> {
  const rows = await db().relay.findMany({
    where: { createdAt: { gt: since } },
    select: { gasCost: true },
  });
  return rows.reduce((sum, r) => sum + BigInt(r.gasCost), 0n);
}

/** The gas estimate and the most the relay may cost (estimate + the queue's headroom, fee cap). */
async function costOf(
  cfg: ChainConfig,
  input: RelayCall,
): Promise<{ gas: bigint; maxCost: bigint }> {
  const gas = await estimate(cfg, input);
  const fees = await txQueue(cfg)
    .marketFees()
    .catch((err: unknown) => {
      throw new BadGatewayError("the chain RPC failed; nothing was relayed", err);
    });
  const cap = env().MAX_FEE_PER_GAS_WEI;
  const maxCost =
    ((gas * GAS_HEADROOM_PERCENT) / 100n) * (fees.maxFeePerGas < cap ? fees.maxFeePerGas : cap);
  return { gas, maxCost };
}

/**
 * Everything the leader will check, checked ahead without reserving: the contract accepts the
 * call, and the rates, budget and reserve allow it. A relayed close runs this before it marks the
 * channel, so a refusal leaves the channel as it was (the leader checks again when it reserves).
 *
 * @throws like {@link submitRelay}
 */
export async function preflightRelay(input: RelaySubmission): Promise<void> {
  const cfg = await chainConfig();
  const { maxCost } = await costOf(cfg, input);
  await checkLimits(cfg, input, maxCost);
}

/** Checks the limits, then writes the row that reserves the relay's gas. */
async function reserve(cfg: ChainConfig, input: RelaySubmission, maxCost: bigint): Promise<number> {
  await checkLimits(cfg, input, maxCost);
  try {
    const row = await db().relay.create({
      data: {
        kind: input.kind,
        sender: input.sender,
        receiver: input.receiver,
        signer: input.signer,
        openBlock: input.openBlock,
        amount: input.amount.toString(),
        nonce: input.nonce,
        clientIp: input.clientIp,
        gasCost: maxCost.toString(),
      },
    });
    return row.id;
  } catch (err) {
    if ((err as { code?: string }).code === "P2002") {
      if (input.kind === "close")
        throw new BadRequestError("channel: the site already relayed a close of it", 409);
      throw new BadRequestError("salt: this authorization is already being relayed", 409, {
        nonce: input.nonce,
      });
    }
    throw err;
  }
}

/** Records a mined relay's gas and outcome. */
export async function recordReceipt(
  row: { id: number; kind: string },
  receipt: TransactionReceipt,
): Promise<void> {
  const opened = receipt.status === "success" && row.kind === "open";
  await db().relay.update({
    where: { id: row.id },
    data: {
      state: receipt.status === "success" ? "mined" : "reverted",
      gasUsed: receipt.gasUsed.toString(),
      gasCost: (receipt.gasUsed * receipt.effectiveGasPrice).toString(),
      ...(opened ? { openBlock: Number(receipt.blockNumber) } : {}),
    },
  });
}

/**
 * Records the receipts of relays still pending (answered 202 and never polled), so the budget
 * counts what they spent rather than their maximum. A few per call; the rest on later calls.
 */
async function settlePending(cfg: ChainConfig, since: Date): Promise<void> {
  const pending = await db().relay.findMany({
    where: { state: "pending", txHash: { not: null }, createdAt: { gt: since } },
    orderBy: { id: "asc" },
    take: 8,
  });
  for (const row of pending) {
    const receipt = await cfg.publicClient
      .getTransactionReceipt({ hash: row.txHash as Hex })
      .catch(() => null);
    if (receipt) await recordReceipt(row, receipt);
  }
}

/** What a mined relay did, from its receipt's events. */
async function outcomeOf(
  cfg: ChainConfig,
  input: RelaySubmission,
  receipt: TransactionReceipt,
): Promise<RelayOutcome> {
  const common = {
    state: "mined" as const,
    kind: input.kind,
    txHash: receipt.transactionHash,
    sender: input.sender,
    receiver: input.receiver,
    amount: input.amount,
    gasUsed: receipt.gasUsed,
  };
  if (input.kind === "open") {
    const [created] = parseEventLogs({
      abi: microTransferChannelsAbi,
      eventName: "ChannelCreated",
      logs: receipt.logs,
    });
    return {
      ...common,
      openBlock: created?.args.openBlockNumber ?? Number(receipt.blockNumber),
      signer: created?.args.signer ?? effectiveSigner(input.sender, input.signer),
      deposit: created?.args.deposit ?? input.amount,
    };
  }
  if (input.kind === "close") {
    const [settled] = parseEventLogs({
      abi: microTransferChannelsAbi,
      eventName: "ChannelSettled",
      logs: receipt.logs,
    });
    return {
      ...common,
      openBlock: input.openBlock!,
      signer: null,
      amount: settled?.args.balance ?? input.amount,
      deposit: input.deposit ?? 0n,
    };
  }
  if (input.kind === "faucet")
    return { ...common, openBlock: Number(receipt.blockNumber), signer: null, deposit: 0n };
  const info = await cfg.publicClient.readContract({
    address: cfg.deployment.contract,
    abi: microTransferChannelsAbi,
    functionName: "getChannelInfo",
    args: [input.sender, input.receiver, input.openBlock!],
    blockNumber: receipt.blockNumber,
  });
  return { ...common, openBlock: input.openBlock!, signer: null, deposit: info[1] };
}

/**
 * Submits a checked relay as the receiver (leader work) and waits for it to be mined.
 *
 * @throws 429 (rates), 503 (gas budget, receiver's ETH), 409 (the contract refuses it, or the
 *   transaction reverted), 502 (RPC or broadcast failure)
 */
export async function submitRelay(input: RelaySubmission): Promise<RelayOutcome> {
  const cfg = await chainConfig();
  const queue = txQueue(cfg);
  const { gas, maxCost } = await costOf(cfg, input);
  return exclusive(async () => {
    const id = await reserve(cfg, input, maxCost);
    const sent = await queue.send(
      { to: input.to, data: input.data, gasEstimate: gas },
      {
        beforeBroadcast: async (tx) => {
          await db().relay.update({ where: { id }, data: { txHash: tx.hash } });
          return true;
        },
      },
    );
    if (sent.type !== "sent") {
      // Never broadcast: nothing is spent. Broadcast but refused: keep the reservation, the node
      // may still hold it.
      if (sent.type === "aborted" || !sent.tx) await db().relay.delete({ where: { id } });
      else await db().relay.update({ where: { id }, data: { state: "failed" } });
      const why = sent.type === "aborted" ? "aborted" : sent.error;
      if (sent.type === "no-eth")
        throw new AppError(`relay: the receiver cannot pay the gas (${why})`, {
          status: 503,
          expose: true,
        });
      throw new BadGatewayError(`relay: the transaction was not sent (${why})`);
    }
    return { id, hash: sent.tx.hash };
  }).then(async ({ id, hash }) => {
    let receipt: TransactionReceipt;
    try {
      receipt = await cfg.publicClient.waitForTransactionReceipt({
        hash,
        pollingInterval: 250,
        timeout: relayLimits(cfg).waitSeconds * 1000,
      });
    } catch (err) {
      if (err instanceof WaitForTransactionReceiptTimeoutError)
        return { state: "pending", txHash: hash };
      throw new BadGatewayError(`relay: ${hash} was sent; its receipt could not be read`, err);
    }
    await recordReceipt({ id, kind: input.kind }, receipt);
    if (receipt.status !== "success")
      throw new BadRequestError(`relay: the transaction ${hash} reverted on chain`, 409, {
        tx_hash: hash,
      });
    return outcomeOf(cfg, input, receipt);
  });
}

/** A relay as the status route shows it; a pending one is looked up on chain first. */
export async function relayByTxHash(txHash: Hex) {
  const row = await db().relay.findFirst({ where: { txHash } });
  if (!row) return null;
  if (row.state !== "pending") return row;
  const cfg = await chainConfig();
  const receipt = await cfg.publicClient
    .getTransactionReceipt({ hash: txHash })
    .catch(notFound)
    .catch((err: unknown) => {
      throw new BadGatewayError("the chain RPC failed", err);
    });
  if (!receipt) return row;
  await recordReceipt(row, receipt);
  return db().relay.findUniqueOrThrow({ where: { id: row.id } });
}
