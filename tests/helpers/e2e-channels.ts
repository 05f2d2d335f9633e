/**
 * Channels on a browser-test anvil, opened as a reader's wallet would: the deployer (anvil account
 * 0, which holds the demo token supply) funds the reader, who approves the channel contract and
 * opens channels to the receiver.
 */
import {
  createPublicClient,
  createWalletClient,
  http,
  type Address,
  type Hex,
  type PrivateKeyAccount,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { demoTokenAbi, microTransferChannelsAbi } from "@/lib/chain/abi";
import { ANVIL_KEYS } from "../../scripts/lib/anvil-keys";

/**
 * Sends `reader` `funds` tokens from the deployer, approves the sum of `deposits` once, then opens
 * one channel per deposit, one after another. Returns their open blocks; throws when a
 * transaction reverts.
 */
export async function fundAndOpenChannels(opts: {
  rpcUrl: string;
  deployment: { token: Address; contract: Address };
  receiver: Address;
  reader: PrivateKeyAccount;
  funds: bigint;
  deposits: bigint[];
}): Promise<number[]> {
  const { rpcUrl, deployment, reader } = opts;
  const chain = { ...foundry, rpcUrls: { default: { http: [rpcUrl] } } };
  const publicClient = createPublicClient({ chain, transport: http(rpcUrl) });
  const wallet = (account: PrivateKeyAccount) =>
    createWalletClient({ chain, transport: http(rpcUrl), account });
  const wait = async (hash: Hex) => {
    const r = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    if (r.status !== "success") throw new Error(`transaction ${hash} reverted`);
    return r;
  };
  await wait(
    await wallet(privateKeyToAccount(ANVIL_KEYS[0]!)).writeContract({
      address: deployment.token,
      abi: demoTokenAbi,
      functionName: "transfer",
      args: [reader.address, opts.funds],
    }),
  );
  const w = wallet(reader);
  await wait(
    await w.writeContract({
      address: deployment.token,
      abi: demoTokenAbi,
      functionName: "approve",
      args: [deployment.contract, opts.deposits.reduce((a, b) => a + b, 0n)],
    }),
  );
  const openBlocks: number[] = [];
  for (const deposit of opts.deposits) {
    const receipt = await wait(
      await w.writeContract({
        address: deployment.contract,
        abi: microTransferChannelsAbi,
        functionName: "createChannel",
        args: [opts.receiver, deposit, "0x0000000000000000000000000000000000000000"],
      }),
    );
    openBlocks.push(Number(receipt.blockNumber));
  }
  return openBlocks;
}
