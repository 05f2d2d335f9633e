/**
 * What the parts of a payer share: its options resolved to defaults, its trusted terms and its
 * lifetime spending, the lazily built chain context, and access to the channel store.
 */
import {
  createWalletClient,
  custom,
  defineChain,
  type Address,
  type Chain,
  type LocalAccount,
  type PublicClient,
  type WalletClient,
} from "viem";
import type { RelayOffer } from "../terms";
import type { ChainContext } from "./chain";
import type { DepositVia } from "./deposit-route";
import type { TrustedTerms } from "./decide";
import { PayerError } from "./errors";
import {
  DEFAULT_CONFIRMATION_TIMEOUT_MS,
  chargeOf,
  highestSigned,
  sameChannel,
  type PayerChannel,
  type PayerChannelStore,
  type PayerEvent,
  type SpendingPolicy,
} from "./types";

/** Options of {@link createPayer}. */
export interface PayerOptions {
  /**
   * The sender: a viem `LocalAccount` (private key), or the address of a JSON-RPC / EIP-1193 wallet
   * account used through `walletClient` (`eth_signTypedData_v4`, `eth_sendTransaction`).
   */
  account: LocalAccount | Address;
  /**
   * Required for a JSON-RPC account, unless a `sessionSigner` is given: such a payer pays from the
   * session key's channels only, and whatever needs the sender's wallet (a transaction, a proof
   * of a channel the sender signs for) fails with a "no-signer" {@link PayerError}. Optional for a
   * local account (built over `publicClient`).
   */
  walletClient?: WalletClient;
  publicClient: PublicClient;
  store: PayerChannelStore;
  policy?: SpendingPolicy;
  /** The channel contract the payer trusts; default: the first one a site names (then remembered). */
  contract?: Address;
  /** The token the payer trusts; default: whatever the trusted contract escrows. */
  token?: Address;
  /** The chain the payer pays on; default: the first one a site names. */
  chainId?: number;
  /** A session key: new channels name it as their signer, and it signs their proofs without prompts. */
  sessionSigner?: LocalAccount;
  /**
   * How channels are opened and topped up: `"auto"` (default) through the site's relay when the
   * site offers one (the `relay` of its 402 body) and the sender has too little ETH for the gas,
   * else with the sender's own transaction; `"relay"` always through the relay (one signature, no
   * ETH needed; "relay-unavailable" when the site offers none); `"self"` always with the sender's
   * own transaction. A relayed authorization names the receiver pinned for the site and this
   * payer's signer, and the channel is used only once the chain shows it.
   */
  depositVia?: DepositVia;
  /** The fetch used for the site (default: the global one). */
  fetch?: typeof fetch;
  onEvent?: (event: PayerEvent) => void;
  /** Paying 402s answered per request before giving up (default 5). */
  maxRoundTrips?: number;
  /**
   * How many times one request may sign again after a corrective 402 (the site's last balance is
   * not the one the payer built on): default 1. Every signature still counts toward the limits.
   */
  maxCorrections?: number;
  /** How often to poll the chain and the site while waiting (default 1000 ms). */
  pollingIntervalMs?: number;
  /**
   * The first block recovery reads `ChannelCreated` events from (default 0n); set it to the
   * contract's deployment block on a long chain.
   */
  fromBlock?: bigint;
}

/** The state one payer's parts share (see {@link createPayerContext}). */
export interface PayerContext {
  readonly options: PayerOptions;
  readonly publicClient: PublicClient;
  readonly store: PayerChannelStore;
  readonly policy: SpendingPolicy;
  readonly fetch: typeof fetch;
  readonly emit: (event: PayerEvent) => void;
  readonly maxRoundTrips: number;
  readonly maxCorrections: number;
  readonly pollingIntervalMs: number;
  /** How long to wait for the site to see a new channel or deposit. */
  readonly timeoutMs: number;
  readonly sender: Address;
  readonly sessionSigner?: LocalAccount;
  /** The addresses whose channels this payer can sign for (session key first). */
  readonly signers: Address[];
  /** Whether the payer can send transactions and sign as the sender (false: session key only). */
  readonly hasWallet: boolean;
  /** The terms first trusted per site origin. */
  readonly pins: Map<string, TrustedTerms>;
  /** How deposits reach the contract (see {@link PayerOptions.depositVia}). */
  readonly depositVia: DepositVia;
  /** The last relay offer per site origin (from its 402s). */
  readonly relays: Map<string, RelayOffer>;
  /** What this payer paid so far (its lifetime). */
  spent: bigint;
  /** `contract:receiver` (lower case) pairs recovered from the chain by this payer instance. */
  readonly recovered: Set<string>;
  /** The clients and chain the transactions need, built once (again after a failure). */
  chainContext(): Promise<ChainContext>;
  /** The stored copy of `channel` (the caller's may be stale). */
  latest(channel: PayerChannel): Promise<PayerChannel>;
  /** Stores `channel` and returns it. */
  save(channel: PayerChannel): Promise<PayerChannel>;
  /**
   * Reserves the signature of `balance` on `channel` (see {@link PayerChannelStore.reserve}):
   * returns the charge, or throws what `allow` returned.
   */
  reserve(
    channel: PayerChannel,
    balance: bigint,
    allow: (charge: bigint) => Error | undefined,
  ): Promise<bigint>;
}

/**
 * Resolves a payer's options into the context its parts share.
 *
 * @param options - The options given to {@link createPayer}.
 * @throws {PayerError} "no-signer" for a JSON-RPC account with neither a wallet client nor a
 *   session key.
 */
export function createPayerContext(options: PayerOptions): PayerContext {
  const { publicClient, store } = options;
  const policy = options.policy ?? {};
  const emit = (e: PayerEvent) => options.onEvent?.(e);
  const pollingIntervalMs = options.pollingIntervalMs ?? 1000;
  const sender: Address =
    typeof options.account === "string" ? options.account : options.account.address;
  const sessionSigner = options.sessionSigner;
  const hasWallet = typeof options.account !== "string" || options.walletClient !== undefined;
  if (!hasWallet && !sessionSigner) {
    throw new PayerError(
      "no-signer",
      `The account ${sender} is a JSON-RPC account: pass the walletClient that signs for it.`,
    );
  }
  let ctxPromise: Promise<ChainContext> | undefined;

  function chainContext(): Promise<ChainContext> {
    ctxPromise ??= (async () => {
      const chainId = await publicClient.getChainId();
      const chain: Chain =
        publicClient.chain?.id === chainId
          ? publicClient.chain
          : defineChain({
              id: chainId,
              name: `Chain ${chainId}`,
              nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
              rpcUrls: { default: { http: [] } },
            });
      const walletClient =
        options.walletClient ??
        (typeof options.account === "string"
          ? undefined
          : createWalletClient({
              account: options.account,
              chain,
              transport: custom({ request: (args) => publicClient.request(args as never) }),
            }));
      return {
        publicClient,
        walletClient,
        account: options.account,
        sender,
        chain,
        pollingIntervalMs,
        onTx: (what, txHash) => emit({ type: "transaction-sent", what, txHash }),
        onSending: (what) => emit({ type: "sending-transaction", what }),
      };
    })();
    ctxPromise.catch(() => (ctxPromise = undefined));
    return ctxPromise;
  }

  return {
    options,
    publicClient,
    store,
    policy,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    emit,
    maxRoundTrips: options.maxRoundTrips ?? 5,
    maxCorrections: options.maxCorrections ?? 1,
    pollingIntervalMs,
    timeoutMs: policy.confirmationTimeoutMs ?? DEFAULT_CONFIRMATION_TIMEOUT_MS,
    sender,
    sessionSigner,
    signers: !sessionSigner
      ? [sender]
      : hasWallet
        ? [sessionSigner.address, sender]
        : [sessionSigner.address],
    hasWallet,
    pins: new Map<string, TrustedTerms>(),
    depositVia: options.depositVia ?? "auto",
    relays: new Map<string, RelayOffer>(),
    spent: 0n,
    recovered: new Set<string>(),
    chainContext,
    latest: async (channel) => (await store.list()).find((c) => sameChannel(c, channel)) ?? channel,
    save: async (channel) => {
      await store.put(channel);
      return channel;
    },
    reserve: async (channel, balance, allow) => {
      if (store.reserve) return store.reserve(channel, balance, allow);
      const current = (await store.list()).find((c) => sameChannel(c, channel)) ?? channel;
      const charge = chargeOf(current, balance);
      const error = allow(charge);
      if (error) throw error;
      if (charge > 0n) await store.put({ ...current, signed: highestSigned(current) + charge });
      return charge;
    },
  };
}
