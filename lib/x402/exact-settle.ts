/**
 * The leader's side of an x402 `exact` payment: the site is its own facilitator. `@x402/evm`'s
 * exact facilitator verifies the EIP-3009 authorization and submits `transferWithAuthorization`;
 * its signer here is the receiver, whose transactions go through the receiver's queue
 * (lib/chain/tx-queue.ts), so the settlement never races a dispute or a relay for a nonce. The
 * mined transfer is recorded as a one-off payment with its gas.
 */
import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import type { FacilitatorEvmSigner } from "@x402/evm";
import { ExactEvmScheme } from "@x402/evm/exact/facilitator";
import {
  encodeFunctionData,
  getAddress,
  type Abi,
  type Address,
  type Hex,
  type TransactionReceipt,
} from "viem";
import { chainConfig, type ChainConfig } from "@/lib/chain/config";
import { txQueue } from "@/lib/chain/tx-queue";
import { minReceiverEth } from "@/lib/chain/receiver-eth";
import { db } from "@/lib/db/client";
import type { OneOffPayment } from "@/lib/db/generated/client";
import { env } from "@/lib/env";
import { eip3009TokenAbi } from "@/lib/protocol/authorization";
import { relayLimits } from "@/lib/relay/policy";
import { relayGasSince } from "@/lib/relay/submit";

/** What the leader is asked to settle. */
export interface ExactSettlement {
  payload: PaymentPayload;
  /** This site's requirement for the resource (never the payer's copy). */
  requirements: PaymentRequirements;
  /** The resource name the payment is recorded under. */
  resource: string;
}

/** A settlement's outcome: the transfer mined, or why nothing was bought. */
export type ExactSettleOutcome =
  | { success: true; transaction: Hex; payer: Address; network: string; gasUsed: bigint }
  | { success: false; errorReason: string; transaction: string; payer?: string };

/** How long a transfer the answer gave up on is still watched, to record it once mined. */
const LATE_RECEIPT_TIMEOUT_MS = 3_600_000;
/** Gas a `transferWithAuthorization` may take, with headroom (it uses about 60,000). */
const TRANSFER_GAS = 100_000n;
const DAY_MS = 86_400_000;

const globalForExact = globalThis as unknown as {
  exactInFlight?: Set<string>;
  /** Transfers sent whose receipt the answer did not wait for, by `payer:nonce`. */
  exactPending?: Map<string, Hex>;
};

/**
 * The facilitator signer over the receiver's clients. Writes go through the receiver's queue;
 * `receipts` collects what was mined (its gas is recorded with the payment).
 */
function receiverSigner(
  cfg: ChainConfig,
  receipts: Map<Hex, TransactionReceipt>,
  sentHashes: Hex[],
): FacilitatorEvmSigner {
  const { publicClient, receiver } = cfg;
  const send = async (to: Address, data: Hex): Promise<Hex> => {
    const sent = await txQueue(cfg).send({ to, data });
    if (sent.type !== "sent")
      throw new Error(
        `not sent: ${sent.type === "aborted" ? "aborted" : sent.error}`.slice(0, 300),
      );
    sentHashes.push(sent.tx.hash);
    return sent.tx.hash;
  };
  return {
    getAddresses: () => [receiver.address],
    readContract: (args) =>
      publicClient.readContract(args as Parameters<typeof publicClient.readContract>[0]),
    verifyTypedData: (args) =>
      publicClient.verifyTypedData(args as Parameters<typeof publicClient.verifyTypedData>[0]),
    writeContract: (args) => {
      const data = encodeFunctionData({
        abi: args.abi as Abi,
        functionName: args.functionName,
        args: args.args,
      });
      return send(args.address, args.dataSuffix ? `${data}${args.dataSuffix.slice(2)}` : data);
    },
    sendTransaction: (args) => send(args.to, args.data),
    waitForTransactionReceipt: async ({ hash }) => {
      const receipt = await publicClient.waitForTransactionReceipt({
        hash,
        pollingInterval: 250,
        timeout: env().X402_EXACT_WAIT_SECONDS * 1000,
      });
      receipts.set(hash, receipt);
      return receipt;
    },
    getCode: ({ address }) => publicClient.getCode({ address }),
  };
}

/** The authorization's `from` and `nonce`, when the payload is an EIP-3009 one. */
function authorizationOf(payload: PaymentPayload): { from: Address; nonce: Hex } | undefined {
  const auth = (payload.payload as { authorization?: { from?: unknown; nonce?: unknown } })
    .authorization;
  if (typeof auth?.from !== "string" || typeof auth.nonce !== "string") return undefined;
  try {
    return { from: getAddress(auth.from), nonce: auth.nonce.toLowerCase() as Hex };
  } catch {
    return undefined;
  }
}

/**
 * The facilitator's reason, made precise where its own diagnosis needs Multicall3 (absent from a
 * local chain): a failed simulation of an authorization whose nonce is used is a replay.
 */
async function explain(
  cfg: ChainConfig,
  auth: { from: Address; nonce: Hex },
  reason: string | undefined,
): Promise<string> {
  if (reason !== "invalid_exact_evm_transaction_simulation_failed")
    return reason ?? "invalid_payment";
  const used = await cfg.publicClient
    .readContract({
      address: cfg.deployment.token,
      abi: eip3009TokenAbi,
      functionName: "authorizationState",
      args: [auth.from, auth.nonce],
    })
    .catch(() => false);
  return used ? "invalid_exact_evm_nonce_already_used" : reason;
}

/**
 * Why the receiver cannot pay this settlement's gas now, or undefined when it can. The receiver
 * pays the gas of every `exact` payment, which may cost more than a small price brings: these
 * transfers share the relay's daily gas budget (RELAY_DAILY_GAS_BUDGET_WEI, counted with the
 * relays of the last 24 hours) and never take the receiver's ETH below the dispute reserve.
 */
async function gasRefusal(cfg: ChainConfig): Promise<string | undefined> {
  const since = new Date(Date.now() - DAY_MS);
  const [relays, oneOffs, fees, eth, minimum] = await Promise.all([
    relayGasSince(since),
    db().oneOffPayment.findMany({ where: { createdAt: { gt: since } }, select: { gasCost: true } }),
    txQueue(cfg).marketFees(),
    cfg.publicClient.getBalance({ address: cfg.receiver.address }),
    minReceiverEth(cfg),
  ]);
  const cap = env().MAX_FEE_PER_GAS_WEI;
  const maxCost = TRANSFER_GAS * (fees.maxFeePerGas < cap ? fees.maxFeePerGas : cap);
  const spent = oneOffs.reduce((sum, r) => sum + BigInt(r.gasCost), relays);
  if (spent + maxCost > relayLimits(cfg).dailyGasBudget) return "gas_budget_spent";
  if (eth < minimum + maxCost) return "receiver_eth_reserve";
  return undefined;
}

/**
 * Verifies and settles one `exact` payment as the receiver (leader work) and records it once
 * mined. A refusal sends nothing; an authorization already being settled here is refused (its
 * second transaction could only revert).
 */
export async function settleExact(input: ExactSettlement): Promise<ExactSettleOutcome> {
  const { payload, requirements, resource } = input;
  const auth = authorizationOf(payload);
  if (!auth) return { success: false, errorReason: "unsupported_payload_type", transaction: "" };
  const key = `${auth.from}:${auth.nonce}`;
  const inFlight = (globalForExact.exactInFlight ??= new Set());
  if (inFlight.has(key))
    return {
      success: false,
      errorReason: "authorization_in_settlement",
      transaction: "",
      payer: auth.from,
    };
  inFlight.add(key);
  try {
    const cfg = await chainConfig();
    // The same authorization again: served once if its transfer was mined after its answer gave
    // up (the payer paid and got nothing); any other replay buys nothing.
    const recorded = await db().oneOffPayment.findUnique({
      where: { payer_nonce: { payer: auth.from, nonce: auth.nonce } },
    });
    if (recorded) return deliverLate(recorded, input);
    const pending = globalForExact.exactPending?.get(key);
    if (pending)
      return {
        success: false,
        errorReason: "settlement_pending",
        transaction: pending,
        payer: auth.from,
      };
    const receipts = new Map<Hex, TransactionReceipt>();
    const sentHashes: Hex[] = [];
    const scheme = new ExactEvmScheme(receiverSigner(cfg, receipts, sentHashes));
    // Verified here with a simulation, so a transfer that would revert (nonce used, funds short)
    // is refused before any gas is spent.
    const verified = await scheme.verify(payload, requirements);
    if (!verified.isValid)
      return {
        success: false,
        errorReason: await explain(cfg, auth, verified.invalidReason),
        transaction: "",
        payer: verified.payer,
      };
    const refusal = await gasRefusal(cfg);
    if (refusal) return { success: false, errorReason: refusal, transaction: "", payer: auth.from };
    const settled = await scheme.settle(payload, requirements);
    // Sent, but not mined within X402_EXACT_WAIT_SECONDS: watched on, and recorded once mined.
    const unmined = sentHashes.find((h) => !receipts.has(h));
    if (!settled.success && unmined) {
      watchLateTransfer(cfg, unmined, key, {
        kind: "x402-exact",
        resource,
        amount: requirements.amount,
        payer: auth.from,
        nonce: auth.nonce,
        network: settled.network,
      });
      return {
        success: false,
        errorReason: "settlement_pending",
        transaction: unmined,
        payer: auth.from,
      };
    }
    if (!settled.success)
      return {
        success: false,
        errorReason: settled.errorReason ?? "settlement_failed",
        transaction: settled.transaction,
        payer: settled.payer,
      };
    const hash = settled.transaction as Hex;
    const receipt = receipts.get(hash) ?? (await cfg.publicClient.getTransactionReceipt({ hash }));
    await db().oneOffPayment.create({
      data: {
        kind: "x402-exact",
        resource,
        amount: requirements.amount,
        payer: auth.from,
        nonce: auth.nonce,
        txHash: hash,
        network: settled.network,
        gasUsed: receipt.gasUsed.toString(),
        gasCost: (receipt.gasUsed * receipt.effectiveGasPrice).toString(),
      },
    });
    return {
      success: true,
      transaction: hash,
      payer: auth.from,
      network: settled.network,
      gasUsed: receipt.gasUsed,
    };
  } finally {
    inFlight.delete(key);
  }
}

/**
 * A recorded authorization sent again: served once (as a success naming its transaction) when
 * its payer was never served and it is for the same resource and price; otherwise a replay.
 */
async function deliverLate(
  row: OneOffPayment,
  input: ExactSettlement,
): Promise<ExactSettleOutcome> {
  const replay = {
    success: false as const,
    errorReason: "invalid_exact_evm_nonce_already_used",
    transaction: "",
    payer: row.payer,
  };
  if (row.delivered || row.resource !== input.resource || row.amount !== input.requirements.amount)
    return replay;
  // Conditional: of two requests racing with the same signature, one is served.
  const { count } = await db().oneOffPayment.updateMany({
    where: { id: row.id, delivered: false },
    data: { delivered: true },
  });
  if (count !== 1) return replay;
  return {
    success: true,
    transaction: row.txHash as Hex,
    payer: getAddress(row.payer),
    network: row.network,
    gasUsed: BigInt(row.gasUsed),
  };
}

/**
 * Waits (up to an hour, in the background) for a transfer whose answer gave up, and records it
 * undelivered once mined successfully. A process that stops before then leaves it unrecorded:
 * the transfer is still on chain, named in the 402 the payer got.
 */
function watchLateTransfer(
  cfg: ChainConfig,
  hash: Hex,
  key: string,
  row: {
    kind: string;
    resource: string;
    amount: string;
    payer: Address;
    nonce: Hex;
    network: string;
  },
): void {
  const pending = (globalForExact.exactPending ??= new Map());
  pending.set(key, hash);
  void cfg.publicClient
    .waitForTransactionReceipt({ hash, pollingInterval: 1000, timeout: LATE_RECEIPT_TIMEOUT_MS })
    .then(async (receipt) => {
      if (receipt.status !== "success") return;
      await db().oneOffPayment.create({
        data: {
          ...row,
          txHash: hash,
          gasUsed: receipt.gasUsed.toString(),
          gasCost: (receipt.gasUsed * receipt.effectiveGasPrice).toString(),
          delivered: false,
        },
      });
    })
    .catch((err: unknown) => {
      console.error(`x402 exact: transfer ${hash} not recorded:`, err);
    })
    .finally(() => pending.delete(key));
}
