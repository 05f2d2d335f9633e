import { readFileSync } from "node:fs";
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  concat,
  isHex,
  keccak256,
  stringToHex,
  type Chain,
  type Hex,
  type PrivateKeyAccount,
  type PublicClient,
  type WalletClient,
  type Transport,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { env } from "@/lib/env";
import { ConfigError } from "@/lib/errors";
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

const globalForChain = globalThis as unknown as { chainConfig?: ChainConfig };

function loadReceiverKey(): Hex {
  const e = env();
  if (e.RECEIVER_PRIVATE_KEY) return e.RECEIVER_PRIVATE_KEY;
  if (e.RECEIVER_KEY_FILE) {
    const key = readFileSync(e.RECEIVER_KEY_FILE, "utf8").trim();
    if (!isHex(key) || key.length !== 66) {
      throw new ConfigError(
        `RECEIVER_KEY_FILE ${e.RECEIVER_KEY_FILE} does not hold a 0x-prefixed 32-byte hex key`,
      );
    }
    return key;
  }
  throw new ConfigError(
    "the receiver key is not configured: set RECEIVER_PRIVATE_KEY or RECEIVER_KEY_FILE",
  );
}

function loadDeployment(): Deployment {
  const e = env();
  const fromFile = readDeployment(e.DEPLOYMENT_FILE);
  if (e.CONTRACT_ADDRESS && e.TOKEN_ADDRESS) {
    return {
      chainId: fromFile?.chainId ?? 0,
      genesisHash: fromFile?.genesisHash ?? `0x${"0".repeat(64)}`,
      contract: e.CONTRACT_ADDRESS,
      token: e.TOKEN_ADDRESS,
      startBlock: e.START_BLOCK ?? 0,
      challengePeriod: fromFile?.challengePeriod ?? 500,
      deployer: fromFile?.deployer ?? e.CONTRACT_ADDRESS,
      deployedAt: fromFile?.deployedAt ?? "",
    };
  }
  if (!fromFile) {
    throw new ConfigError(
      `no deployment: ${e.DEPLOYMENT_FILE} does not exist (run \`npm run deploy\`, or set CONTRACT_ADDRESS and TOKEN_ADDRESS)`,
    );
  }
  return e.START_BLOCK === undefined ? fromFile : { ...fromFile, startBlock: e.START_BLOCK };
}

/**
 * The chain configuration, loaded once per process: deployment (file or env), receiver account,
 * viem clients. Throws {@link ConfigError} naming what is missing.
 */
export function chainConfig(): ChainConfig {
  if (globalForChain.chainConfig) return globalForChain.chainConfig;
  const e = env();
  const deployment = loadDeployment();
  const key = loadReceiverKey();
  const receiver = privateKeyToAccount(key);
  const chain = defineChain({
    id: deployment.chainId || 31337,
    name: `chain-${deployment.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [e.RPC_URL] } },
  });
  const transport = http(e.RPC_URL, { retryCount: 1, timeout: 5_000 });
  globalForChain.chainConfig = {
    deployment,
    chain,
    rpcUrl: e.RPC_URL,
    receiver,
    publicClient: createPublicClient({ chain, transport }),
    walletClient: createWalletClient({ chain, transport, account: receiver }),
    derivedSecret: keccak256(concat([stringToHex("paychan-press cookie secret"), key])),
  };
  return globalForChain.chainConfig;
}

/** Forget the loaded configuration (tests; after a redeploy). */
export function resetChainConfig(): void {
  globalForChain.chainConfig = undefined;
}
