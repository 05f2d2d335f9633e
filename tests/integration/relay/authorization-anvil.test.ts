/**
 * The TypeScript side of relayed opens and top-ups against the real contracts on anvil: an
 * authorization signed with lib/protocol is accepted by `createChannelWithAuthorization` and
 * `topUpWithAuthorization` (submitted by another account), and refused when the relayer changes
 * the signer or the receiver. The token's domain is read from its `eip712Domain()`, the channel
 * key matches `getKey`, and anvil's own `eth_signTypedData_v4` gives the same signature.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  http,
  parseEventLogs,
  zeroAddress,
  type Address,
  type Hex,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { demoDollarAbi, microTransferChannelsAbi } from "@/lib/chain/abi";
import { buildChain } from "@/lib/chain/chain";
import { deployContracts } from "@/lib/chain/deploy";
import {
  authorizationVrs,
  channelKey,
  openAuthorizationMessage,
  randomSalt,
  readTokenDomain,
  signOpenAuthorization,
  signReceiveAuthorization,
  signTopUpAuthorization,
  type OpenAuthorization,
  type TokenDomain,
} from "@/lib/protocol";
import { ANVIL_KEYS } from "../../../scripts/lib/anvil-keys";
import { startAnvil, type AnvilInstance } from "../../helpers/anvil";
import { deployDemoDollar } from "../../helpers/demo-dollar";
import { ensureContractsBuilt } from "../../helpers/site-fixture";

const deployer = privateKeyToAccount(ANVIL_KEYS[0]!);
const reader = privateKeyToAccount(ANVIL_KEYS[1]!);
const relayer = privateKeyToAccount(ANVIL_KEYS[2]!);
const receiver = privateKeyToAccount(ANVIL_KEYS[3]!);
const session = privateKeyToAccount(generatePrivateKey());
const USD = 1_000_000n;

let anvil: AnvilInstance;
let token: Address;
let contract: Address;
let domain: TokenDomain;
let publicClient: ReturnType<typeof createPublicClient>;

beforeAll(async () => {
  ensureContractsBuilt();
  anvil = await startAnvil();
  token = await deployDemoDollar({
    rpcUrl: anvil.rpcUrl,
    privateKey: ANVIL_KEYS[0]!,
    initialSupply: 1_000n * USD,
  });
  ({ contract } = await deployContracts({
    rpcUrl: anvil.rpcUrl,
    privateKey: ANVIL_KEYS[0]!,
    token,
    root: process.cwd(),
  }));
  publicClient = createPublicClient({ transport: http(anvil.rpcUrl) });
  const wallet = createWalletClient({
    account: deployer,
    chain: buildChain(31337, anvil.rpcUrl),
    transport: http(anvil.rpcUrl),
  });
  const hash = await wallet.writeContract({
    address: token,
    abi: demoDollarAbi,
    functionName: "mintTo",
    args: [reader.address, 100n * USD],
  });
  await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  domain = await readTokenDomain(publicClient, token);
});
afterAll(async () => {
  await anvil?.stop();
});

const relayerWallet = () =>
  createWalletClient({
    account: relayer,
    chain: buildChain(31337, anvil.rpcUrl),
    transport: http(anvil.rpcUrl),
  });

const now = async () => (await publicClient.getBlock()).timestamp;

async function openAuth(o: Partial<OpenAuthorization> = {}): Promise<OpenAuthorization> {
  return {
    sender: reader.address,
    receiver: receiver.address,
    deposit: 5n * USD,
    signer: session.address,
    salt: randomSalt(),
    validAfter: 0n,
    validBefore: (await now()) + 600n,
    ...o,
  };
}

/** Sends createChannelWithAuthorization as the relayer with the authorization's values. */
async function submitOpen(a: OpenAuthorization, signature: Hex) {
  const { v, r, s } = authorizationVrs(signature);
  const hash = await relayerWallet().writeContract({
    address: contract,
    abi: microTransferChannelsAbi,
    functionName: "createChannelWithAuthorization",
    args: [a.sender, a.receiver, a.deposit, a.signer, a.salt, a.validAfter, a.validBefore, v, r, s],
  });
  return publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
}

/** The custom error a simulated createChannelWithAuthorization reverts with. */
async function openRevert(a: OpenAuthorization, signature: Hex): Promise<string | undefined> {
  const { v, r, s } = authorizationVrs(signature);
  try {
    await publicClient.simulateContract({
      account: relayer,
      address: contract,
      abi: [...microTransferChannelsAbi, ...demoDollarAbi.filter((e) => e.type === "error")],
      functionName: "createChannelWithAuthorization",
      args: [
        a.sender,
        a.receiver,
        a.deposit,
        a.signer,
        a.salt,
        a.validAfter,
        a.validBefore,
        v,
        r,
        s,
      ],
    });
    return undefined;
  } catch (err) {
    const reverted =
      err instanceof BaseError ? err.walk((e) => e instanceof ContractFunctionRevertedError) : null;
    return reverted instanceof ContractFunctionRevertedError
      ? reverted.data?.errorName
      : String(err);
  }
}

describe("relayed open and top-up signed in TypeScript", () => {
  it("reads DemoDollar's domain from eip712Domain()", () => {
    expect(domain).toEqual({
      name: "Demo Dollar",
      version: "2",
      chainId: 31337,
      verifyingContract: token,
    });
  });

  it("anvil's eth_signTypedData_v4 gives the same signature as local signing", async () => {
    const a = await openAuth();
    const message = openAuthorizationMessage(contract, a);
    const rpcWallet = createWalletClient({
      account: reader.address,
      chain: buildChain(31337, anvil.rpcUrl),
      transport: http(anvil.rpcUrl),
    });
    expect(await signReceiveAuthorization({ walletClient: rpcWallet, domain, message })).toBe(
      await signReceiveAuthorization({ account: reader, domain, message }),
    );
  });

  it("the contract opens the channel for the sender with the signer named, and tops it up", async () => {
    const a = await openAuth();
    const signature = await signOpenAuthorization({
      account: reader,
      domain,
      contract,
      authorization: a,
    });
    const receipt = await submitOpen(a, signature);
    expect(receipt.status).toBe("success");
    const [created] = parseEventLogs({
      abi: microTransferChannelsAbi,
      logs: receipt.logs,
      eventName: "ChannelCreated",
    });
    expect(created!.args).toMatchObject({
      sender: reader.address,
      receiver: receiver.address,
      deposit: 5n * USD,
      signer: session.address,
    });
    const openBlockNumber = Number(receipt.blockNumber);
    expect(created!.args.openBlockNumber).toBe(openBlockNumber);
    const id = { sender: reader.address, receiver: receiver.address, openBlockNumber };
    expect(
      await publicClient.readContract({
        address: contract,
        abi: microTransferChannelsAbi,
        functionName: "getKey",
        args: [id.sender, id.receiver, openBlockNumber],
      }),
    ).toBe(channelKey(id));

    const t = {
      ...id,
      amount: 2n * USD,
      salt: randomSalt(),
      validAfter: 0n,
      validBefore: (await now()) + 600n,
    };
    const topUpSig = await signTopUpAuthorization({
      account: reader,
      domain,
      contract,
      authorization: t,
    });
    const { v, r, s } = authorizationVrs(topUpSig);
    const hash = await relayerWallet().writeContract({
      address: contract,
      abi: microTransferChannelsAbi,
      functionName: "topUpWithAuthorization",
      args: [
        t.sender,
        t.receiver,
        openBlockNumber,
        t.amount,
        t.salt,
        t.validAfter,
        t.validBefore,
        v,
        r,
        s,
      ],
    });
    expect(
      (await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })).status,
    ).toBe("success");
    const info = await publicClient.readContract({
      address: contract,
      abi: microTransferChannelsAbi,
      functionName: "getChannelInfo",
      args: [id.sender, id.receiver, openBlockNumber],
    });
    expect(info[1]).toBe(7n * USD);
    expect(info[5]).toBe(session.address);
  });

  it("refuses the authorization when the relayer changes the signer or the receiver", async () => {
    const a = await openAuth();
    const signature = await signOpenAuthorization({
      account: reader,
      domain,
      contract,
      authorization: a,
    });
    expect(await openRevert({ ...a, signer: zeroAddress }, signature)).toBe("ERC3009InvalidSigner");
    expect(await openRevert({ ...a, signer: relayer.address }, signature)).toBe(
      "ERC3009InvalidSigner",
    );
    expect(await openRevert({ ...a, receiver: relayer.address }, signature)).toBe(
      "ERC3009InvalidSigner",
    );
    expect(await openRevert({ ...a, deposit: a.deposit + 1n }, signature)).toBe(
      "ERC3009InvalidSigner",
    );
    // Unchanged, it would go through.
    expect(await openRevert(a, signature)).toBeUndefined();
  });
});
