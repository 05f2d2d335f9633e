/**
 * Checks a relayed open or top-up before anything is sent: amount, validity window, the sender's
 * signature for the site's receiver and contract, the authorization's nonce still unused, the
 * sender's tokens, and (top-up) the channel open on chain. Each refusal is a 4xx naming the field;
 * the result is the contract call to submit.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  encodeFunctionData,
  erc20Abi,
  zeroAddress,
  type Address,
  type Hex,
} from "viem";
import { microTransferChannelsAbi } from "@/lib/chain/abi";
import type { ChainConfig } from "@/lib/chain/config";
import { BadGatewayError, BadRequestError } from "@/lib/errors";
import {
  authorizationVrs,
  eip3009TokenAbi,
  openAuthorizationNonce,
  topUpAuthorizationNonce,
  verifyOpenAuthorization,
  verifyTopUpAuthorization,
} from "@/lib/protocol/authorization";
import type { RelayPolicy, RelayToken } from "./policy";

/** What a relay does: open or top up a channel, close one cooperatively, or grant test tokens. */
export type RelayKind = "open" | "topup" | "close" | "faucet";

/** A checked relay: what to submit and what to record. JSON-able (it may cross to the leader). */
export interface RelayCall {
  kind: RelayKind;
  /** open, top-up, close: the channel's sender; faucet: the address the tokens go to. */
  sender: Address;
  receiver: Address;
  /** open: the signer as signed (`address(0)` means the sender). */
  signer: Address | null;
  /** top-up, close: the channel's open block. */
  openBlock: number | null;
  /** open: the deposit; top-up: the added deposit; close: the closing balance; faucet: the grant. */
  amount: bigint;
  /** close: the channel's deposit (the sender gets `deposit − amount` back); else null. */
  deposit: bigint | null;
  /**
   * One row per nonce and sender: open, top-up: the EIP-3009 authorization nonce; close: the
   * channel's key (one relayed close per channel); faucet: a random one.
   */
  nonce: Hex;
  /** The contract called: the channel contract, or the token (faucet). */
  to: Address;
  /** Calldata: createChannelWithAuthorization, topUpWithAuthorization, cooperativeClose, mintTo. */
  data: Hex;
}

/** The authorization fields both bodies share. */
export interface AuthorizationFields {
  salt: Hex;
  validAfter: bigint;
  validBefore: bigint;
  signature: Hex;
}

const rpc = (err: unknown): never => {
  throw new BadGatewayError("the chain RPC failed; nothing was relayed", err);
};

/** Amount and validity window against the policy and the chain's clock. */
async function checkTerms(
  cfg: ChainConfig,
  policy: RelayPolicy,
  field: "deposit" | "amount",
  amount: bigint,
  auth: AuthorizationFields,
): Promise<void> {
  if (amount < policy.minDeposit)
    throw new BadRequestError(
      `${field}: ${amount} is below the relay's minimum of ${policy.minDeposit} base units`,
    );
  const now = (await cfg.publicClient.getBlock({ blockTag: "latest" }).catch(rpc)).timestamp;
  if (auth.validAfter >= now)
    throw new BadRequestError(
      `valid_after: not valid yet (the chain's time is ${now}, the authorization starts after ${auth.validAfter})`,
    );
  if (auth.validBefore <= now)
    throw new BadRequestError(
      `valid_before: has passed (the chain's time is ${now}, the authorization ended at ${auth.validBefore})`,
    );
  if (auth.validBefore < now + BigInt(policy.minValiditySeconds))
    throw new BadRequestError(
      `valid_before: must leave at least ${policy.minValiditySeconds} seconds to mine the transaction (the chain's time is ${now})`,
    );
}

/** The nonce must be unused and the sender must hold the amount. */
async function checkSender(
  cfg: ChainConfig,
  sender: Address,
  nonce: Hex,
  amount: bigint,
): Promise<void> {
  const { publicClient, deployment } = cfg;
  const [used, balance] = await Promise.all([
    publicClient.readContract({
      address: deployment.token,
      abi: eip3009TokenAbi,
      functionName: "authorizationState",
      args: [sender, nonce],
    }),
    publicClient.readContract({
      address: deployment.token,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [sender],
    }),
  ]).catch(rpc);
  if (used)
    throw new BadRequestError(
      "salt: this authorization was already used or canceled (sign a new one with another salt)",
      409,
      { nonce },
    );
  if (balance < amount)
    throw new BadRequestError(
      `sender: holds ${balance} base units of the token, less than the ${amount} authorized`,
      409,
    );
}

const badSignature = (what: string, nonce: Hex, to: Address) =>
  new BadRequestError(
    `signature: not the sender's ReceiveWithAuthorization for this ${what} (to = the channel contract ${to}, nonce = ${nonce})`,
    400,
    { nonce },
  );

/**
 * Checks a relayed open for the site's receiver.
 *
 * @throws 400/409 naming the field, 502 when the RPC fails
 */
export async function checkOpen(
  cfg: ChainConfig,
  policy: RelayPolicy,
  token: RelayToken,
  req: AuthorizationFields & { sender: Address; deposit: bigint; signer: Address },
): Promise<RelayCall> {
  const { deployment } = cfg;
  const receiver = cfg.receiver.address;
  await checkTerms(cfg, policy, "deposit", req.deposit, req);
  const open = { ...req, receiver };
  const nonce = openAuthorizationNonce(open);
  if (!(await verifyOpenAuthorization(token.domain, deployment.contract, open, req.signature)))
    throw badSignature("receiver, signer and deposit", nonce, deployment.contract);
  await checkSender(cfg, req.sender, nonce, req.deposit);
  const { v, r, s } = authorizationVrs(req.signature);
  return {
    kind: "open",
    sender: req.sender,
    receiver,
    signer: req.signer,
    openBlock: null,
    amount: req.deposit,
    deposit: null,
    nonce,
    to: deployment.contract,
    data: encodeFunctionData({
      abi: microTransferChannelsAbi,
      functionName: "createChannelWithAuthorization",
      args: [
        req.sender,
        receiver,
        req.deposit,
        req.signer,
        req.salt,
        req.validAfter,
        req.validBefore,
        v,
        r,
        s,
      ],
    }),
  };
}

/**
 * Checks a relayed top-up of the site's receiver's channel `(sender, openBlock)`.
 *
 * @throws 400/409 naming the field, 404 for a channel the contract does not hold, 502 when the
 *   RPC fails
 */
export async function checkTopUp(
  cfg: ChainConfig,
  policy: RelayPolicy,
  token: RelayToken,
  req: AuthorizationFields & { sender: Address; openBlock: number; amount: bigint },
): Promise<RelayCall> {
  const { deployment, publicClient } = cfg;
  const receiver = cfg.receiver.address;
  await checkTerms(cfg, policy, "amount", req.amount, req);
  const info = await publicClient
    .readContract({
      address: deployment.contract,
      abi: microTransferChannelsAbi,
      functionName: "getChannelInfo",
      args: [req.sender, receiver, req.openBlock],
    })
    .catch((err: unknown) => {
      if (err instanceof BaseError && err.walk((e) => e instanceof ContractFunctionRevertedError))
        return null;
      return rpc(err);
    });
  if (!info)
    throw new BadRequestError(
      `channel: ${req.sender} has no open channel to this site opened in block ${req.openBlock}`,
      404,
    );
  if (info[2] !== 0)
    throw new BadRequestError(
      "channel: is closing (challenge period running): it cannot be topped up",
      409,
    );
  const topUp = { ...req, receiver, openBlockNumber: req.openBlock };
  const nonce = topUpAuthorizationNonce(topUp);
  if (!(await verifyTopUpAuthorization(token.domain, deployment.contract, topUp, req.signature)))
    throw badSignature("channel and amount", nonce, deployment.contract);
  await checkSender(cfg, req.sender, nonce, req.amount);
  const { v, r, s } = authorizationVrs(req.signature);
  return {
    kind: "topup",
    sender: req.sender,
    receiver,
    signer: null,
    openBlock: req.openBlock,
    amount: req.amount,
    deposit: null,
    nonce,
    to: deployment.contract,
    data: encodeFunctionData({
      abi: microTransferChannelsAbi,
      functionName: "topUpWithAuthorization",
      args: [
        req.sender,
        receiver,
        req.openBlock,
        req.amount,
        req.salt,
        req.validAfter,
        req.validBefore,
        v,
        r,
        s,
      ],
    }),
  };
}

/** The signer a relayed open's channel gets: the one named, or the sender for `address(0)`. */
export function effectiveSigner(sender: Address, signer: Address | null): Address {
  return !signer || signer === zeroAddress ? sender : signer;
}
