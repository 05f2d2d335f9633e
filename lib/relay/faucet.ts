/**
 * The local chain's faucet (`POST /api/1/faucet`): demo dollars for a wallet without ETH, minted
 * with the token's `mintTo` by the receiver (the demo token's minter) from its transaction queue.
 */
import {
  BaseError,
  encodeFunctionData,
  erc20Abi,
  HttpRequestError,
  isAddressEqual,
  TimeoutError,
  type Address,
} from "viem";
import { demoDollarAbi } from "@/lib/chain/abi";
import { chainConfig } from "@/lib/chain/config";
import { onLeader } from "@/lib/cluster/leader-tasks";
import { AppError, BadGatewayError, BadRequestError } from "@/lib/errors";
import { randomSalt } from "@/lib/protocol/authorization";
import type { RelayCall } from "./check";
import { FAUCET_LIMITS, faucetEnabled } from "./policy";
import type { RelayOutcome } from "./submit";

const noMint = (detail: string, cause?: unknown) =>
  new AppError(`faucet: ${detail}; get test tokens with the token's mint() instead`, {
    status: 501,
    expose: true,
    cause,
  });

/**
 * Sends {@link FAUCET_LIMITS}.wholeTokens of the site's token to `address`.
 *
 * @throws 404 off the local chain; 501 when the token has no `mintTo` or the receiver is not its
 *   minter; 429 rates; 503 gas budget or receiver's ETH; 502 RPC failure
 */
export async function grantTestTokens(address: Address, clientIp: string): Promise<RelayOutcome> {
  const cfg = await chainConfig();
  if (!faucetEnabled(cfg))
    throw new BadRequestError(
      `faucet: only on the local development chain (this site is on chain ${cfg.deployment.chainId})`,
      404,
    );
  const { publicClient, deployment } = cfg;
  const receiver = cfg.receiver.address;
  const [minter, decimals] = await Promise.all([
    publicClient.readContract({
      address: deployment.token,
      abi: demoDollarAbi,
      functionName: "minter",
    }),
    publicClient.readContract({
      address: deployment.token,
      abi: erc20Abi,
      functionName: "decimals",
    }),
  ]).catch((err: unknown) => {
    if (
      err instanceof BaseError &&
      err.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError)
    )
      throw new BadGatewayError("the chain RPC failed; nothing was sent", err);
    throw noMint(`the site's token ${deployment.token} has no mintTo`, err);
  });
  if (!isAddressEqual(minter, receiver))
    throw noMint(`the site's receiver is not the minter of the token ${deployment.token}`);
  const amount = FAUCET_LIMITS.wholeTokens * 10n ** BigInt(decimals);
  const call: RelayCall = {
    kind: "faucet",
    sender: address,
    receiver,
    signer: null,
    openBlock: null,
    amount,
    deposit: null,
    nonce: randomSalt(),
    to: deployment.token,
    data: encodeFunctionData({
      abi: demoDollarAbi,
      functionName: "mintTo",
      args: [address, amount],
    }),
  };
  return onLeader("relay", { ...call, clientIp });
}
