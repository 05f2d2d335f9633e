/**
 * The payer's transactions: open, top up, close and settle a channel, with EIP-2612 permit when the
 * token has it (one transaction) and approve + call otherwise. Every failure becomes a
 * {@link PayerError}.
 */
import {
  BaseError,
  ChainMismatchError,
  ContractFunctionRevertedError,
  domainSeparator,
  isAddressEqual,
  parseSignature,
  type Address,
  type Chain,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type TypedDataDomain,
  type WalletClient,
} from "viem";
import { permitTypes } from "../eip712";
import { payerChannelsAbi, payerTokenAbi } from "./abi";
import { PayerError } from "./errors";

/** Gas a channel transaction may take, used to check the sender's ETH before sending. */
const GAS_PER_TX = 250_000n;
/** How long a permit signature stays valid. */
const PERMIT_TTL_SECONDS = 3600n;

/** What the transactions need: clients, the sending account and the chain. */
export interface ChainContext {
  publicClient: PublicClient;
  /** Absent for a payer that holds only a session key: it sends no transaction. */
  walletClient?: WalletClient;
  /** The sender: a local account, or the address of the wallet client's JSON-RPC account. */
  account: LocalAccount | Address;
  sender: Address;
  chain: Chain;
  pollingIntervalMs: number;
  onTx?: (what: string, hash: Hex) => void;
  /** Called when a transaction is handed to the wallet (which may now ask the user to confirm it). */
  onSending?: (what: string) => void;
}

/** A channel as the contract reports it; null when it does not exist (unknown or settled). */
export interface OnChainChannel {
  deposit: bigint;
  settleBlock: number;
  signer: Address;
}

function reverted(err: unknown): ContractFunctionRevertedError | undefined {
  if (!(err instanceof BaseError)) return undefined;
  const found = err.walk((e) => e instanceof ContractFunctionRevertedError);
  return found instanceof ContractFunctionRevertedError ? found : undefined;
}

function txError(what: string, err: unknown): PayerError {
  if (err instanceof PayerError) return err;
  if (err instanceof BaseError && err.walk((e) => e instanceof ChainMismatchError)) {
    return new PayerError("wrong-chain", `The wallet is on another chain; ${what} was not sent.`, {
      cause: err,
    });
  }
  const revert = reverted(err);
  const why =
    revert?.data?.errorName ?? (err instanceof BaseError ? err.shortMessage : String(err));
  return new PayerError("transaction-failed", `${what} failed: ${why}.`, { cause: err });
}

/** Reads a channel with `getChannelInfo`; null when the contract says it does not exist. */
export async function readChannel(
  ctx: Pick<ChainContext, "publicClient">,
  contract: Address,
  channel: { sender: Address; receiver: Address; openBlock: number },
): Promise<OnChainChannel | null> {
  try {
    const info = await ctx.publicClient.readContract({
      address: contract,
      abi: payerChannelsAbi,
      functionName: "getChannelInfo",
      args: [channel.sender, channel.receiver, channel.openBlock],
    });
    return { deposit: info[1], settleBlock: info[2], signer: info[5] };
  } catch (err) {
    if (reverted(err)) return null;
    throw err;
  }
}

/**
 * The wallet client that sends the sender's transactions.
 *
 * @throws {PayerError} "no-signer" for a payer that holds only a session key
 */
export function requireWallet(ctx: Pick<ChainContext, "walletClient" | "sender">, what: string) {
  if (ctx.walletClient) return ctx.walletClient;
  throw new PayerError(
    "no-signer",
    `${what} needs the wallet of ${ctx.sender}, but this payer holds only a session key.`,
    { details: { what } },
  );
}

/** Sends a contract call from the sender and waits for a successful receipt. */
async function send(
  ctx: ChainContext,
  what: string,
  request: {
    address: Address;
    abi: typeof payerChannelsAbi | typeof payerTokenAbi;
    functionName: string;
    args: readonly unknown[];
  },
): Promise<{ hash: Hex; blockNumber: bigint }> {
  const walletClient = requireWallet(ctx, what);
  ctx.onSending?.(what);
  let hash: Hex;
  try {
    hash = await walletClient.writeContract({
      ...request,
      account: ctx.account,
      chain: ctx.chain,
    } as Parameters<WalletClient["writeContract"]>[0]);
  } catch (err) {
    throw txError(what, err);
  }
  ctx.onTx?.(what, hash);
  const receipt = await ctx.publicClient.waitForTransactionReceipt({
    hash,
    pollingInterval: ctx.pollingIntervalMs,
  });
  if (receipt.status !== "success") {
    throw new PayerError("transaction-failed", `${what} reverted (transaction ${hash}).`, {
      details: { hash },
    });
  }
  return { hash, blockNumber: receipt.blockNumber };
}

/** Checks that the contract escrows `token` (a site could name any token). */
export async function checkContractToken(
  ctx: Pick<ChainContext, "publicClient">,
  contract: Address,
  token: Address,
): Promise<void> {
  let actual: Address;
  try {
    actual = await ctx.publicClient.readContract({
      address: contract,
      abi: payerChannelsAbi,
      functionName: "token",
    });
  } catch (cause) {
    throw new PayerError(
      "bad-terms",
      `${contract} does not answer token(): it is not a channel contract on this chain.`,
      { cause },
    );
  }
  if (!isAddressEqual(actual, token)) {
    throw new PayerError(
      "bad-terms",
      `The site names the token ${token}, but the channel contract ${contract} escrows ${actual}.`,
    );
  }
}

/** Throws "no-tokens" when the sender holds less than `amount` of `token`. */
export async function checkTokens(
  ctx: Pick<ChainContext, "publicClient" | "sender">,
  token: Address,
  amount: bigint,
): Promise<void> {
  const tokens = await ctx.publicClient.readContract({
    address: token,
    abi: payerTokenAbi,
    functionName: "balanceOf",
    args: [ctx.sender],
  });
  if (tokens < amount) {
    throw new PayerError(
      "no-tokens",
      `The sender ${ctx.sender} holds ${tokens} base units of the token ${token}, but the deposit needs ${amount}.`,
      { details: { balance: tokens, needed: amount } },
    );
  }
}

/** The sender's ETH and what `txs` channel transactions may cost in gas (wei). */
export async function gasNeeds(
  ctx: Pick<ChainContext, "publicClient" | "sender">,
  txs: number,
): Promise<{ eth: bigint; gas: bigint }> {
  const [eth, gasPrice] = await Promise.all([
    ctx.publicClient.getBalance({ address: ctx.sender }),
    ctx.publicClient.getGasPrice(),
  ]);
  return { eth, gas: gasPrice * GAS_PER_TX * BigInt(txs) };
}

/**
 * Throws "no-tokens" or "no-eth" when the sender cannot fund `amount` with `txs` transactions.
 *
 * @param relayOffered - the site offers a relay: the "no-eth" message says so
 */
export async function checkFunds(
  ctx: ChainContext,
  token: Address,
  amount: bigint,
  txs: number,
  relayOffered = false,
): Promise<void> {
  await checkTokens(ctx, token, amount);
  const { eth, gas } = await gasNeeds(ctx, txs);
  if (eth < gas) {
    throw new PayerError(
      "no-eth",
      `The sender ${ctx.sender} has ${eth} wei, less than the about ${gas} wei of gas the transactions need` +
        (relayOffered
          ? "; the site offers to relay the deposit instead (one signature, no gas)."
          : "."),
      { details: { balance: eth, needed: gas, relayOffered } },
    );
  }
}

interface Permit {
  deadline: bigint;
  v: number;
  r: Hex;
  s: Hex;
}

/**
 * Signs an EIP-2612 permit for `spender` when the token supports it: it must answer `nonces` and
 * `DOMAIN_SEPARATOR`, and its domain (from `eip712Domain()`, or `name()` and `version()`) must hash
 * to that separator. Undefined otherwise (the caller approves instead).
 */
async function signPermit(
  ctx: ChainContext,
  token: Address,
  spender: Address,
  value: bigint,
): Promise<Permit | undefined> {
  const read = <T>(functionName: string, args: readonly unknown[] = []): Promise<T> =>
    ctx.publicClient.readContract({
      address: token,
      abi: payerTokenAbi,
      functionName,
      args,
    } as Parameters<PublicClient["readContract"]>[0]) as Promise<T>;
  let nonce: bigint;
  let separator: Hex;
  let domain: TypedDataDomain;
  try {
    [nonce, separator] = await Promise.all([
      read<bigint>("nonces", [ctx.sender]),
      read<Hex>("DOMAIN_SEPARATOR"),
    ]);
    let name: string;
    let version = "1";
    try {
      const d = await read<readonly [Hex, string, string]>("eip712Domain");
      [, name, version] = d;
    } catch {
      name = await read<string>("name");
      version = await read<string>("version").catch(() => "1");
    }
    domain = { name, version, chainId: ctx.chain.id, verifyingContract: token };
    if (domainSeparator({ domain }).toLowerCase() !== separator.toLowerCase()) return undefined;
  } catch {
    return undefined;
  }
  const deadline = BigInt(Math.floor(Date.now() / 1000)) + PERMIT_TTL_SECONDS;
  const typedData = {
    domain,
    types: permitTypes,
    primaryType: "Permit",
    message: { owner: ctx.sender, spender, value, nonce, deadline },
  } as const;
  let signature: Hex;
  try {
    signature =
      typeof ctx.account === "string"
        ? await requireWallet(ctx, "The token permit").signTypedData({
            ...typedData,
            account: ctx.account,
          })
        : await ctx.account.signTypedData(typedData);
  } catch (cause) {
    if (cause instanceof PayerError) throw cause;
    throw new PayerError("transaction-failed", "The wallet did not sign the token permit.", {
      cause,
    });
  }
  const sig = parseSignature(signature);
  return { deadline, v: Number(sig.v ?? BigInt(sig.yParity + 27)), r: sig.r, s: sig.s };
}

/** Approves `amount` to `spender` unless the allowance already covers it. */
async function ensureAllowance(
  ctx: ChainContext,
  token: Address,
  spender: Address,
  amount: bigint,
): Promise<void> {
  const allowance = await ctx.publicClient.readContract({
    address: token,
    abi: payerTokenAbi,
    functionName: "allowance",
    args: [ctx.sender, spender],
  });
  if (allowance >= amount) return;
  await send(ctx, "approve", {
    address: token,
    abi: payerTokenAbi,
    functionName: "approve",
    args: [spender, amount],
  });
}

/** Opens a channel; returns its open block and the transaction. */
export async function openChannelTx(
  ctx: ChainContext,
  p: { contract: Address; token: Address; receiver: Address; deposit: bigint; signer: Address },
): Promise<{ openBlock: number; hash: Hex; permit: boolean }> {
  const permit = await signPermit(ctx, p.token, p.contract, p.deposit);
  let tx;
  if (permit) {
    tx = await send(ctx, "createChannelWithPermit", {
      address: p.contract,
      abi: payerChannelsAbi,
      functionName: "createChannelWithPermit",
      args: [p.receiver, p.deposit, p.signer, permit.deadline, permit.v, permit.r, permit.s],
    });
  } else {
    await ensureAllowance(ctx, p.token, p.contract, p.deposit);
    tx = await send(ctx, "createChannel", {
      address: p.contract,
      abi: payerChannelsAbi,
      functionName: "createChannel",
      args: [p.receiver, p.deposit, p.signer],
    });
  }
  return { openBlock: Number(tx.blockNumber), hash: tx.hash, permit: permit !== undefined };
}

/** Adds `amount` to a channel's deposit. */
export async function topUpTx(
  ctx: ChainContext,
  p: { contract: Address; token: Address; receiver: Address; openBlock: number; amount: bigint },
): Promise<{ hash: Hex; permit: boolean }> {
  const permit = await signPermit(ctx, p.token, p.contract, p.amount);
  if (permit) {
    const tx = await send(ctx, "topUpWithPermit", {
      address: p.contract,
      abi: payerChannelsAbi,
      functionName: "topUpWithPermit",
      args: [p.receiver, p.openBlock, p.amount, permit.deadline, permit.v, permit.r, permit.s],
    });
    return { hash: tx.hash, permit: true };
  }
  await ensureAllowance(ctx, p.token, p.contract, p.amount);
  const tx = await send(ctx, "topUp", {
    address: p.contract,
    abi: payerChannelsAbi,
    functionName: "topUp",
    args: [p.receiver, p.openBlock, p.amount],
  });
  return { hash: tx.hash, permit: false };
}

/** Sends `cooperativeClose` with the site's closing signature. */
export async function cooperativeCloseTx(
  ctx: ChainContext,
  p: {
    contract: Address;
    sender: Address;
    receiver: Address;
    openBlock: number;
    balance: bigint;
    balanceSignature: Hex;
    closingSignature: Hex;
  },
): Promise<Hex> {
  const tx = await send(ctx, "cooperativeClose", {
    address: p.contract,
    abi: payerChannelsAbi,
    functionName: "cooperativeClose",
    args: [p.sender, p.receiver, p.openBlock, p.balance, p.balanceSignature, p.closingSignature],
  });
  return tx.hash;
}

/** Sends `uncooperativeClose` at `balance`: the challenge period starts. */
export async function uncooperativeCloseTx(
  ctx: ChainContext,
  p: { contract: Address; receiver: Address; openBlock: number; balance: bigint },
): Promise<Hex> {
  const tx = await send(ctx, "uncooperativeClose", {
    address: p.contract,
    abi: payerChannelsAbi,
    functionName: "uncooperativeClose",
    args: [p.receiver, p.openBlock, p.balance],
  });
  return tx.hash;
}

/** Sends `settle` after the challenge period. */
export async function settleTx(
  ctx: ChainContext,
  p: { contract: Address; receiver: Address; openBlock: number },
): Promise<Hex> {
  const tx = await send(ctx, "settle", {
    address: p.contract,
    abi: payerChannelsAbi,
    functionName: "settle",
    args: [p.receiver, p.openBlock],
  });
  return tx.hash;
}
