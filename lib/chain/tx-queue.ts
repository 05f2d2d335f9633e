/**
 * The receiver's transaction queue: every transaction the receiver signs (disputes, withdrawals,
 * operator actions) is built, given a nonce, signed and broadcast here, one at a time, so two of
 * them never pick the same nonce. The node's pending nonce is the source of truth; the nonces
 * this process handed out cover a node that lags behind its own pool. Right before a transaction
 * leaves, the queue asks whether this instance still leads (lib/cluster/leadership.ts): one that
 * lost the leader lock sends nothing, so two instances never send as the receiver at once.
 */
import {
  BaseError,
  Eip1559FeesNotSupportedError,
  InsufficientFundsError,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
  keccak256,
  type Address,
  type Hex,
} from "viem";
import { confirmLeadership } from "@/lib/cluster/leadership";
import { env } from "@/lib/env";
import type { ChainConfig } from "./config";

/** Fees in wei per gas. On a chain without a base fee `maxFeePerGas` is the legacy gas price. */
export interface TxFees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

/** A transaction to send as the receiver. */
export interface TxRequest {
  to: Address;
  data: Hex;
  /** Reuse this nonce (a replacement); without it the queue hands out the next free one. */
  nonce?: number;
  /** Fees; without them the market's. Either way capped at MAX_FEE_PER_GAS_WEI. */
  fees?: TxFees;
  /**
   * The caller's gas estimate (the queue adds its headroom). Without it the queue estimates
   * against the latest block, where `block.number` is that block's: a call whose effect depends
   * on the block it lands in (opening a channel) is estimated by its caller against `pending`.
   */
  gasEstimate?: bigint;
}

/** A signed transaction (its hash is known before it is broadcast). */
export interface SignedTx {
  hash: Hex;
  nonce: number;
  fees: TxFees;
  gas: bigint;
}

/** What became of a send. Failures after signing carry the transaction they concern. */
export type SendResult =
  | { type: "sent"; tx: SignedTx }
  | { type: "aborted"; tx: SignedTx }
  | { type: "no-eth"; error: string; tx?: SignedTx }
  | { type: "failed"; error: string; tx?: SignedTx; nonceConflict?: boolean };

/** Hooks of one send. */
export interface SendOptions {
  /**
   * Called with the signed transaction before it leaves, inside the queue: persist what a restart
   * needs (hash, nonce, fees). Returning false aborts the send; the nonce stays free.
   */
  beforeBroadcast?: (tx: SignedTx) => Promise<boolean>;
}

/** Gas headroom over the node's estimate (state may change before inclusion). */
const GAS_HEADROOM_PERCENT = 120n;
/** How many handed-out nonces are remembered. */
const REMEMBERED = 64;

/** Why a send was refused by the fence. */
export const NOT_LEADER_ERROR =
  "not sent: this instance does not hold the leader lock (another instance leads, or its " +
  "connection to the database was lost)";

/** Whether `err` means the receiver cannot pay for gas. */
export function isInsufficientFunds(err: unknown): boolean {
  if (err instanceof BaseError && err.walk((e) => e instanceof InsufficientFundsError)) return true;
  return /insufficient funds|not enough (funds|balance)|exceeds balance/i.test(
    err instanceof Error ? err.message : String(err),
  );
}

/** Short, single-line text of an error (for logs and stored error fields). */
export function errorText(err: unknown): string {
  const text =
    err instanceof BaseError ? err.shortMessage : err instanceof Error ? err.message : String(err);
  return text.split("\n")[0]!.slice(0, 300);
}

const fullText = (err: unknown) =>
  err instanceof BaseError
    ? `${err.shortMessage} ${err.details ?? ""} ${err.message}`
    : err instanceof Error
      ? err.message
      : String(err);

/** The node already holds this very transaction: it is out. */
const isAlreadyKnown = (err: unknown) => /already known|known transaction/i.test(fullText(err));
/** The nonce is taken (mined, or held by a transaction the new one does not outbid). */
const isNonceConflict = (err: unknown) =>
  /nonce too low|nonce has already been used|replacement transaction underpriced|underpriced replacement|replacement fee too low/i.test(
    fullText(err),
  );

/** Only "the node does not know it" means not found; an RPC failure must not look like a drop. */
export function notFound(err: unknown): null {
  if (err instanceof TransactionReceiptNotFoundError || err instanceof TransactionNotFoundError)
    return null;
  throw err;
}

/** The receiver's queue for one chain (see the module comment). */
export class TxQueue {
  private tail: Promise<unknown> = Promise.resolve();
  /** Next nonce this process would hand out, and what it sent at each recent nonce. */
  private next: number | undefined;
  private readonly sent = new Map<number, Hex>();
  private legacy: boolean | undefined;

  /**
   * @param fence asked right before each transaction leaves (before `beforeBroadcast`): false
   *   refuses the send, nothing is broadcast or recorded and the nonce stays free
   */
  constructor(
    private cfg: ChainConfig,
    private readonly fence: () => Promise<boolean>,
  ) {}

  /** Uses the clients of a reloaded configuration (same chain, RPC and receiver). */
  use(cfg: ChainConfig): this {
    this.cfg = cfg;
    return this;
  }

  /** Runs `job` after every job queued before it (one at a time). */
  private run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** The account's mined nonce: nonces below it are spent. */
  async minedNonce(): Promise<number> {
    const { publicClient, receiver } = this.cfg;
    return publicClient.getTransactionCount({ address: receiver.address, blockTag: "latest" });
  }

  /** The fees the node suggests now (EIP-1559, or the gas price on a chain without base fee). */
  async marketFees(): Promise<TxFees> {
    const { publicClient } = this.cfg;
    if (this.legacy !== true) {
      try {
        const fees = await publicClient.estimateFeesPerGas({ type: "eip1559" });
        this.legacy = false;
        return fees;
      } catch (err) {
        if (!(err instanceof Eip1559FeesNotSupportedError)) throw err;
        this.legacy = true;
      }
    }
    const gasPrice = await publicClient.getGasPrice();
    return { maxFeePerGas: gasPrice, maxPriorityFeePerGas: gasPrice };
  }

  /**
   * The next nonce: the node's pending count, unless this process already handed out higher ones
   * that the node still knows (it may lag). A handed-out nonce whose transaction the node no
   * longer knows (dropped, reorged away) is a gap: it is handed out again.
   */
  private async allocate(): Promise<number> {
    const { publicClient, receiver } = this.cfg;
    const pending = await publicClient.getTransactionCount({
      address: receiver.address,
      blockTag: "pending",
    });
    if (this.next === undefined || this.next <= pending) return pending;
    const atGap = this.sent.get(pending);
    const known =
      atGap !== undefined &&
      (await publicClient.getTransaction({ hash: atGap }).catch(notFound)) !== null;
    if (known) return this.next;
    for (const n of [...this.sent.keys()]) if (n >= pending) this.sent.delete(n);
    this.next = pending;
    return pending;
  }

  private remember(nonce: number, hash: Hex): void {
    this.sent.set(nonce, hash);
    this.next = Math.max(this.next ?? 0, nonce + 1);
    for (const n of this.sent.keys()) {
      if (this.sent.size <= REMEMBERED) break;
      this.sent.delete(n);
    }
  }

  /** Forget the handed-out nonces: the next send starts from the node's pending count. */
  forget(): void {
    this.next = undefined;
    this.sent.clear();
  }

  /**
   * Estimates gas, checks the receiver's ETH covers it at the fee, signs, lets the caller persist
   * the signed transaction, and broadcasts. Expected failures are values; only bugs throw.
   *
   * @example
   * const res = await txQueue(cfg).send({ to: contract, data });
   * if (res.type === "sent") await publicClient.waitForTransactionReceipt({ hash: res.tx.hash });
   */
  send(req: TxRequest, opts: SendOptions = {}): Promise<SendResult> {
    return this.run(() => this.sendNow(req, opts));
  }

  private async sendNow(req: TxRequest, opts: SendOptions): Promise<SendResult> {
    const { publicClient, walletClient, receiver } = this.cfg;
    const cap = env().MAX_FEE_PER_GAS_WEI;
    let tx: SignedTx;
    let serialized: Hex;
    try {
      // Against the latest block: in the pending state a replacement would meet the very
      // transaction it replaces, already executed.
      const estimate =
        req.gasEstimate ??
        (await publicClient.estimateGas({
          account: receiver,
          to: req.to,
          data: req.data,
          blockTag: "latest",
        }));
      const gas = (estimate * GAS_HEADROOM_PERCENT) / 100n;
      const wanted = req.fees ?? (await this.marketFees());
      const maxFeePerGas = wanted.maxFeePerGas < cap ? wanted.maxFeePerGas : cap;
      const fees: TxFees = {
        maxFeePerGas,
        maxPriorityFeePerGas:
          wanted.maxPriorityFeePerGas < maxFeePerGas ? wanted.maxPriorityFeePerGas : maxFeePerGas,
      };
      const eth = await publicClient.getBalance({ address: receiver.address });
      const cost = gas * fees.maxFeePerGas;
      if (eth < cost)
        return { type: "no-eth", error: `receiver has ${eth} wei, the transaction needs ${cost}` };
      if (this.legacy === undefined) await this.marketFees();
      const nonce = req.nonce ?? (await this.allocate());
      const common = { to: req.to, data: req.data, gas, nonce, chain: this.cfg.chain };
      serialized = await walletClient.signTransaction(
        this.legacy
          ? { ...common, type: "legacy", gasPrice: fees.maxFeePerGas }
          : { ...common, type: "eip1559", ...fees },
      );
      tx = { hash: keccak256(serialized), nonce, fees, gas };
    } catch (err) {
      if (isInsufficientFunds(err)) return { type: "no-eth", error: errorText(err) };
      return { type: "failed", error: errorText(err) };
    }
    // The fence: only the leader sends, and it may have lost the lock since the pass began.
    const leads = await this.fence().catch(() => false);
    if (!leads) return { type: "failed", error: NOT_LEADER_ERROR };
    if (opts.beforeBroadcast && !(await opts.beforeBroadcast(tx))) return { type: "aborted", tx };
    try {
      await walletClient.sendRawTransaction({ serializedTransaction: serialized });
    } catch (err) {
      if (!isAlreadyKnown(err)) {
        if (isInsufficientFunds(err)) return { type: "no-eth", error: errorText(err), tx };
        const nonceConflict = isNonceConflict(err);
        if (nonceConflict && req.nonce === undefined) this.forget();
        return { type: "failed", error: errorText(err), tx, nonceConflict };
      }
    }
    this.remember(tx.nonce, tx.hash);
    return { type: "sent", tx };
  }
}

const globalForQueue = globalThis as unknown as { receiverTxQueues?: Map<string, TxQueue> };

/**
 * The process's one queue for the receiver on `cfg`'s chain and RPC (a reloaded configuration
 * gets the same queue, so nonces stay serialised).
 */
export function txQueue(cfg: ChainConfig): TxQueue {
  const queues = (globalForQueue.receiverTxQueues ??= new Map());
  const key = `${cfg.rpcUrl}|${cfg.deployment.chainId}|${cfg.receiver.address}`;
  const queue = queues.get(key);
  if (queue) return queue.use(cfg);
  const created = new TxQueue(cfg, confirmLeadership);
  queues.set(key, created);
  return created;
}
