/**
 * The client's configuration: the payer's key (a private file or PAYER_PRIVATE_KEY, never a
 * command-line value), the RPC and the chain it serves, and the channel state file.
 */
import { readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  createPublicClient,
  createWalletClient,
  http,
  type Chain,
  type Hex,
  type PrivateKeyAccount,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { buildChain } from "@/lib/chain/chain";
import { privateKeySchema } from "@/lib/protocol/wire";
import { CliError, EXIT } from "./exit-codes";

/** The global options every command receives. */
export interface GlobalOptions {
  rpcUrl?: string;
  keyFile?: string;
  state?: string;
}

/** The RPC used when neither --rpc-url nor RPC_URL is given: a local development node. */
export const DEFAULT_RPC_URL = "http://127.0.0.1:8545";

/** `${XDG_CONFIG_HOME:-~/.config}/paychan/channels.json` */
export function defaultStatePath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME?.trim() || path.join(os.homedir(), ".config");
  return path.join(base, "paychan", "channels.json");
}

/**
 * Reads the payer's private key from `--key-file` or, without it, from PAYER_PRIVATE_KEY. The
 * file must be readable by its owner only (`chmod 600`): a key others can read is refused.
 *
 * @throws {@link CliError} (exit 1) naming the problem
 */
export function loadPayerKey(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Hex {
  if (opts.keyFile) {
    const file = opts.keyFile;
    let mode: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new CliError(`key file ${file} is not a regular file`, EXIT.usage);
      mode = st.mode;
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(`cannot read key file ${file}: ${(err as Error).message}`, EXIT.usage);
    }
    if ((mode & 0o077) !== 0) {
      throw new CliError(
        `key file ${file} is readable by others (mode ${(mode & 0o777).toString(8).padStart(4, "0")}): run \`chmod 600 ${file}\``,
        EXIT.usage,
      );
    }
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new CliError(`cannot read key file ${file}: ${(err as Error).message}`, EXIT.usage);
    }
    const parsed = privateKeySchema.safeParse(text);
    if (!parsed.success) {
      throw new CliError(
        `key file ${file} does not hold a 0x-prefixed 32-byte hex private key`,
        EXIT.usage,
      );
    }
    return parsed.data;
  }
  const fromEnv = env.PAYER_PRIVATE_KEY;
  if (fromEnv) {
    const parsed = privateKeySchema.safeParse(fromEnv);
    if (!parsed.success) {
      throw new CliError(
        "PAYER_PRIVATE_KEY is not a 0x-prefixed 32-byte hex private key",
        EXIT.usage,
      );
    }
    return parsed.data;
  }
  throw new CliError(
    "no payer key: pass --key-file <file> (mode 600) or set PAYER_PRIVATE_KEY",
    EXIT.usage,
  );
}

/** The payer's account and clients on the chain the RPC serves. */
export interface ChainClients {
  account: PrivateKeyAccount;
  chain: Chain;
  rpcUrl: string;
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, PrivateKeyAccount>;
}

/**
 * Connects to the RPC, reads its chain id (`eth_chainId`) and builds the payer's clients for that
 * chain.
 *
 * @throws {@link CliError} exit 3 when the RPC does not answer
 */
export async function connectChain(
  opts: GlobalOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChainClients> {
  const account = privateKeyToAccount(loadPayerKey(opts, env));
  const rpcUrl = opts.rpcUrl ?? env.RPC_URL ?? DEFAULT_RPC_URL;
  let chainId: number;
  try {
    chainId = await createPublicClient({
      transport: http(rpcUrl, { retryCount: 0, timeout: 5_000 }),
    }).getChainId();
  } catch (cause) {
    throw new CliError(`the RPC ${rpcUrl} is unreachable (eth_chainId failed)`, EXIT.network, {
      cause,
    });
  }
  const chain = buildChain(chainId, rpcUrl);
  const transport = http(rpcUrl, { retryCount: 1, timeout: 15_000 });
  return {
    account,
    chain,
    rpcUrl,
    publicClient: createPublicClient({ chain, transport }),
    walletClient: createWalletClient({ chain, transport, account }),
  };
}

/** The state file: --state, or the default under XDG_CONFIG_HOME. */
export function statePath(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): string {
  return opts.state ?? defaultStatePath(env);
}
