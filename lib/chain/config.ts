import { readFileSync } from "node:fs";
import {
  concat,
  createPublicClient,
  createWalletClient,
  getAddress,
  http,
  isAddressEqual,
  keccak256,
  stringToHex,
  type Chain,
  type Hex,
  type PrivateKeyAccount,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { env } from "@/lib/env";
import { ChainUnavailableError, ConfigError } from "@/lib/errors";
import { privateKeySchema } from "@/lib/protocol/wire";
import { microTransferChannelsAbi } from "./abi";
import { buildChain, isLocalChain } from "./chain";
import { isDevAddress } from "./dev-keys";
import { readDeployment, type Deployment } from "./deployment";

/** Everything the server needs to talk to the chain as the receiver. */
export interface ChainConfig {
  deployment: Deployment;
  chain: Chain;
  rpcUrl: string;
  receiver: PrivateKeyAccount;
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, PrivateKeyAccount>;
  /** A secret derived from the receiver key: seeds cookie MACs when SESSION_SECRET is unset. */
  derivedSecret: string;
}

/** How long one RPC call made while checking the deployment may take. */
const CHECK_TIMEOUT_MS = 3_000;
/** A failed check is not retried for this long (a misconfigured site must not hammer the RPC). */
const FAILURE_TTL_MS = 2_000;

const globalForChain = globalThis as unknown as {
  chainConfig?: { promise: Promise<ChainConfig>; failedAt?: number };
};

/** The receiver's private key from RECEIVER_PRIVATE_KEY or RECEIVER_KEY_FILE. */
export function loadReceiverKey(): Hex {
  const e = env();
  if (e.RECEIVER_PRIVATE_KEY) return e.RECEIVER_PRIVATE_KEY;
  if (e.RECEIVER_KEY_FILE) {
    const key = privateKeySchema.safeParse(readFileSync(e.RECEIVER_KEY_FILE, "utf8"));
    if (!key.success) {
      throw new ConfigError(
        `RECEIVER_KEY_FILE ${e.RECEIVER_KEY_FILE} does not hold a 0x-prefixed 32-byte hex key`,
      );
    }
    return key.data;
  }
  throw new ConfigError(
    "the receiver key is not configured: set RECEIVER_PRIVATE_KEY or RECEIVER_KEY_FILE",
  );
}

/** The receiver's account (no RPC call). */
export function receiverAccount(): PrivateKeyAccount {
  return privateKeyToAccount(loadReceiverKey());
}

/**
 * Why RPC_URL must not be published, or undefined. Without PUBLIC_RPC_URL every page hands RPC_URL
 * to readers' browsers (and the CSP names its origin), so one with a path, a query or credentials
 * (where providers put API keys: `https://host/v2/<key>`) would give the key away. Names what it
 * carries, never the value.
 */
export function publishedRpcUrlProblem(rpcUrl: string, publicRpcUrl?: string): string | undefined {
  if (publicRpcUrl) return undefined;
  const u = new URL(rpcUrl);
  const carries = [
    u.username || u.password ? "credentials" : "",
    u.pathname !== "/" && u.pathname !== "" ? "a path" : "",
    u.search ? "a query" : "",
    u.hash ? "a fragment" : "",
  ].filter(Boolean);
  if (carries.length === 0) return undefined;
  return (
    `RPC_URL (${u.protocol}//${u.host}) carries ${carries.join(" and ")}, often an API key, and ` +
    "without PUBLIC_RPC_URL it would be published in every page: set PUBLIC_RPC_URL to an " +
    "endpoint readers' browsers may use (RPC_URL then stays on the server)"
  );
}

/**
 * What the configuration must not do on a chain other than the local development chain: serve with
 * zero confirmations (a one-block reorg would undo deposits already sold against) unless
 * ALLOW_ZERO_CONFIRMATIONS is set, receive with a well-known development key, or publish an
 * RPC_URL that carries a key ({@link publishedRpcUrlProblem}).
 */
export function realChainProblems(chainId: number, receiver: `0x${string}`): string[] {
  if (isLocalChain(chainId)) return [];
  const e = env();
  const problems: string[] = [];
  const rpcUrl = publishedRpcUrlProblem(e.RPC_URL, e.PUBLIC_RPC_URL);
  if (rpcUrl) problems.push(rpcUrl);
  if (e.CONFIRMATIONS === 0 && !e.ALLOW_ZERO_CONFIRMATIONS) {
    problems.push(
      `CONFIRMATIONS=0 on chain ${chainId} would sell against deposits a reorg can undo: set CONFIRMATIONS (e.g. 5) or ALLOW_ZERO_CONFIRMATIONS=true`,
    );
  }
  if (isDevAddress(receiver)) {
    problems.push(
      `the receiver key (${receiver}) is a well-known development key whose private key is public: use your own key on chain ${chainId}`,
    );
  }
  return problems;
}

/**
 * Reads the deployment (file, with CONTRACT_ADDRESS/TOKEN_ADDRESS/START_BLOCK overrides) and checks
 * it against the chain behind RPC_URL: the chain id is always the node's own `eth_chainId`, the
 * contract and the token must have code, and the contract must escrow that token. A deployment file
 * for another chain, or one whose genesis block differs (a reset chain), is refused.
 */
async function loadAndCheck(): Promise<ChainConfig> {
  const e = env();
  const fromFile = readDeployment(e.DEPLOYMENT_FILE);
  const contract = e.CONTRACT_ADDRESS ?? fromFile?.contract;
  const token = e.TOKEN_ADDRESS ?? fromFile?.token;
  if (!contract || !token) {
    throw new ConfigError(
      fromFile
        ? "the deployment is incomplete"
        : `no deployment: ${e.DEPLOYMENT_FILE} does not exist (run \`npm run deploy\`, or set CONTRACT_ADDRESS and TOKEN_ADDRESS)`,
    );
  }
  const key = loadReceiverKey();
  const receiver = privateKeyToAccount(key);
  const transport = http(e.RPC_URL, { retryCount: 1, timeout: 5_000 });
  const probe = createPublicClient({
    transport: http(e.RPC_URL, { retryCount: 0, timeout: CHECK_TIMEOUT_MS }),
  });
  const unreachable = (cause: unknown): never => {
    throw new ChainUnavailableError(
      "the chain RPC is unreachable; the deployment cannot be checked",
      cause,
    );
  };

  const chainId = await probe.getChainId().catch(unreachable);
  const problems: string[] = realChainProblems(chainId, receiver.address);
  if (fromFile && fromFile.chainId !== chainId) {
    problems.push(
      `the deployment file ${e.DEPLOYMENT_FILE} is for chain ${fromFile.chainId} but the RPC serves chain ${chainId}`,
    );
  }
  const [genesis, contractCode, tokenCode] = await Promise.all([
    probe.getBlock({ blockNumber: 0n }),
    probe.getCode({ address: contract }),
    probe.getCode({ address: token }),
  ]).catch(unreachable);
  if (fromFile && !e.CONTRACT_ADDRESS && genesis.hash !== fromFile.genesisHash) {
    problems.push(
      `the chain was reset: its genesis block ${genesis.hash} is not the recorded ${fromFile.genesisHash}`,
    );
  }
  if (!contractCode || contractCode === "0x")
    problems.push(
      `no contract code at the channel contract address ${contract} on chain ${chainId}`,
    );
  if (!tokenCode || tokenCode === "0x")
    problems.push(`no contract code at the token address ${token} on chain ${chainId}`);
  let challengePeriod = fromFile?.challengePeriod;
  if (problems.length === 0) {
    const [escrowed, period] = await Promise.all([
      probe.readContract({
        address: contract,
        abi: microTransferChannelsAbi,
        functionName: "token",
      }),
      probe.readContract({
        address: contract,
        abi: microTransferChannelsAbi,
        functionName: "challengePeriod",
      }),
    ]).catch((cause: unknown) => {
      problems.push(
        `${contract} on chain ${chainId} does not answer token()/challengePeriod(): it is not a MicroTransferChannels contract (${cause instanceof Error ? cause.message.split("\n")[0] : String(cause)})`,
      );
      return [undefined, undefined] as const;
    });
    if (escrowed && !isAddressEqual(escrowed, token))
      problems.push(`the channel contract escrows token ${escrowed}, not the configured ${token}`);
    if (period !== undefined) challengePeriod = Number(period);
  }
  if (problems.length > 0) {
    throw new ConfigError(`refusing to serve: ${problems.join("; ")}`);
  }

  const deployment: Deployment = {
    chainId,
    genesisHash: genesis.hash,
    contract: getAddress(contract),
    token: getAddress(token),
    startBlock: e.START_BLOCK ?? (e.CONTRACT_ADDRESS ? 0 : (fromFile?.startBlock ?? 0)),
    challengePeriod: challengePeriod ?? 500,
    deployer: fromFile?.deployer ?? getAddress(contract),
    deployedAt: fromFile?.deployedAt ?? "",
  };
  const chain = buildChain(chainId, e.RPC_URL);
  return {
    deployment,
    chain,
    rpcUrl: e.RPC_URL,
    receiver,
    publicClient: createPublicClient({ chain, transport }),
    walletClient: createWalletClient({ chain, transport, account: receiver }),
    derivedSecret: keccak256(concat([stringToHex("paychan-press cookie secret"), key])),
  };
}

/**
 * The chain configuration, loaded and checked against the chain once per process: deployment
 * (file or env), the chain id read from the node, receiver account, viem clients.
 *
 * @throws {@link ConfigError} (503) naming what is missing or what differs between the
 *   configuration and the chain; {@link ChainUnavailableError} (502) when the RPC does not answer
 *   (both are retried on a later call)
 */
export function chainConfig(): Promise<ChainConfig> {
  const cached = globalForChain.chainConfig;
  if (cached && (cached.failedAt === undefined || Date.now() - cached.failedAt < FAILURE_TTL_MS)) {
    return cached.promise;
  }
  const entry: { promise: Promise<ChainConfig>; failedAt?: number } = {
    promise: loadAndCheck(),
  };
  entry.promise.catch(() => {
    entry.failedAt = Date.now();
  });
  globalForChain.chainConfig = entry;
  return entry.promise;
}

/** Forget the loaded configuration (tests; after a redeploy). */
export function resetChainConfig(): void {
  globalForChain.chainConfig = undefined;
}
