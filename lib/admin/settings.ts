/**
 * What the site runs with, for the admin settings page: each value with where it comes from.
 * Read-only, and never a secret (the RPC URL is shown by host only: it may carry an API key).
 */
import { chainConfig } from "@/lib/chain/config";
import { holdsLeadership } from "@/lib/cluster/leadership";
import { databaseKind } from "@/lib/db/kind";
import { env, envSource, type Env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { relayEnabled } from "@/lib/relay/policy";

/** Where a setting's value comes from. */
export type SettingSource = "env" | "default" | "deployment file" | "chain" | "contract";

export interface Setting {
  key: string;
  label: string;
  value: string;
  source: SettingSource;
  /** The environment variable that sets it, when one does. */
  variable?: string;
  help: string;
}

/** The RPC URL without path, query or credentials (`https://host:port`). */
export function rpcHost(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}`;
}

/** The database without credentials: `SQLite data/site.db` or `PostgreSQL host:port/name`. */
export function databaseLabel(url: string): string {
  if (databaseKind(url) === "sqlite") return `SQLite ${url.slice("file:".length).split("?")[0]}`;
  const u = new URL(url);
  return `PostgreSQL ${u.host}${u.pathname}`;
}

/** The relay's policy (relayed opens, top-ups and closes: the receiver pays the gas). */
function relaySettings(e: Env, enabled: boolean): Setting[] {
  return [
    {
      key: "relay",
      label: "Relayed opens, top-ups and closes",
      value: enabled ? "on" : "off",
      source: envSource("RELAY_ENABLED") === "env" ? "env" : "chain",
      variable: "RELAY_ENABLED",
      help: "the receiver submits readers' EIP-3009 authorizations and cooperative closes and pays the gas (default: on for the local chain only)",
    },
    {
      key: "relay-min-deposit",
      label: "Smallest relayed deposit",
      value: e.RELAY_MIN_DEPOSIT?.toString() ?? "one whole token",
      source: envSource("RELAY_MIN_DEPOSIT"),
      variable: "RELAY_MIN_DEPOSIT",
      help: "token base units; smaller opens and top-ups are refused",
    },
    {
      key: "relay-rates",
      label: "Relays per hour",
      value: `${e.RELAY_MAX_PER_SENDER_PER_HOUR} per sender, ${e.RELAY_MAX_PER_IP_PER_HOUR} per client IP`,
      source:
        envSource("RELAY_MAX_PER_SENDER_PER_HOUR") === "env" ||
        envSource("RELAY_MAX_PER_IP_PER_HOUR") === "env"
          ? "env"
          : "default",
      variable: "RELAY_MAX_PER_SENDER_PER_HOUR, RELAY_MAX_PER_IP_PER_HOUR",
      help: "counted in the database, shared by every instance",
    },
    {
      key: "relay-budget",
      label: "Relay gas budget",
      value: `${e.RELAY_DAILY_GAS_BUDGET_WEI} wei per 24 hours`,
      source: envSource("RELAY_DAILY_GAS_BUDGET_WEI"),
      variable: "RELAY_DAILY_GAS_BUDGET_WEI",
      help: "gas the receiver spends on relays (and local-chain faucet grants) in any 24 hours; past it relays answer 503",
    },
  ];
}

/**
 * The settings; the chain-dependent ones say why they are missing when the chain cannot be read.
 *
 * @example
 * const { settings, chainError } = await loadSettings();
 */
export async function loadSettings(): Promise<{ settings: Setting[]; chainError?: string }> {
  const e = env();
  const fromEnv = (name: Parameters<typeof envSource>[0]) => envSource(name);
  const settings: Setting[] = [
    {
      key: "database",
      label: "Database",
      value: databaseLabel(e.DATABASE_URL),
      source: fromEnv("DATABASE_URL"),
      variable: "DATABASE_URL",
      help: "file: for SQLite (one instance), postgresql:// for PostgreSQL (one or several instances)",
    },
    {
      key: "instance",
      label: "This instance",
      value: `${e.PAYCHAN_INSTANCE ?? "(unnamed)"}${holdsLeadership() ? ", the leader" : ""}`,
      source: fromEnv("PAYCHAN_INSTANCE"),
      variable: "PAYCHAN_INSTANCE",
      help: "the name this instance answers with in X-Paychan-Instance; the leader runs the indexer, the watchtower and the receiver's transactions",
    },
    {
      key: "rpc",
      label: "RPC host",
      value: rpcHost(e.RPC_URL),
      source: fromEnv("RPC_URL"),
      variable: "RPC_URL",
      help: "JSON-RPC endpoint the server reads the chain from and sends the receiver's transactions to",
    },
    {
      key: "public-rpc",
      label: "Readers' RPC host",
      value: rpcHost(e.PUBLIC_RPC_URL ?? e.RPC_URL),
      source: fromEnv("PUBLIC_RPC_URL"),
      variable: "PUBLIC_RPC_URL",
      help: "what readers' browsers read the chain from (default: the RPC host)",
    },
    {
      key: "confirmations",
      label: "Confirmations",
      value: String(e.CONFIRMATIONS),
      source: fromEnv("CONFIRMATIONS"),
      variable: "CONFIRMATIONS",
      help: "blocks on top of a deposit before it can be spent",
    },
    {
      key: "overlap",
      label: "Re-read window",
      value: `${e.INDEXER_OVERLAP_BLOCKS} blocks`,
      source: fromEnv("INDEXER_OVERLAP_BLOCKS"),
      variable: "INDEXER_OVERLAP_BLOCKS",
      help: "blocks the indexer reads again below its last synced block on every pass",
    },
    {
      key: "max-lag",
      label: "Largest indexer lag",
      value: `${e.INDEXER_MAX_LAG_BLOCKS} blocks`,
      source: fromEnv("INDEXER_MAX_LAG_BLOCKS"),
      variable: "INDEXER_MAX_LAG_BLOCKS",
      help: "paid routes answer 502 while the indexer is further behind",
    },
    {
      key: "receipts",
      label: "Receipt lifetime",
      value: `${e.RECEIPT_TTL_SECONDS} s`,
      source: fromEnv("RECEIPT_TTL_SECONDS"),
      variable: "RECEIPT_TTL_SECONDS",
      help: "how long a paid article can be read again without paying",
    },
    {
      key: "site-url",
      label: "Site URL",
      value: e.SITE_URL,
      source: fromEnv("SITE_URL"),
      variable: "SITE_URL",
      help: "the Sign-In with Ethereum domain and the origin of state-changing calls",
    },
    {
      key: "media",
      label: "Upload directory",
      value: e.MEDIA_UPLOAD_DIR,
      source: fromEnv("MEDIA_UPLOAD_DIR"),
      variable: "MEDIA_UPLOAD_DIR",
      help: "where images uploaded from the admin pages are stored (back it up)",
    },
    {
      key: "admins",
      label: "Admin addresses",
      value: e.ADMIN_ADDRESSES.join(", ") || "none (the receiver only)",
      source: fromEnv("ADMIN_ADDRESSES"),
      variable: "ADMIN_ADDRESSES",
      help: "addresses besides the receiver that may sign in here",
    },
  ];

  try {
    const cfg = await chainConfig();
    const deploymentSource = (variable: "CONTRACT_ADDRESS" | "TOKEN_ADDRESS"): SettingSource =>
      envSource(variable) === "env" ? "env" : "deployment file";
    settings.unshift(
      {
        key: "chain",
        label: "Chain",
        value: `${cfg.chain.name} (id ${cfg.chain.id})`,
        source: "chain",
        help: "always read from the RPC node",
      },
      {
        key: "contract",
        label: "Channel contract",
        value: cfg.deployment.contract,
        source: deploymentSource("CONTRACT_ADDRESS"),
        variable: "CONTRACT_ADDRESS",
        help: `deployment file: ${e.DEPLOYMENT_FILE}`,
      },
      {
        key: "token",
        label: "Token",
        value: cfg.deployment.token,
        source: deploymentSource("TOKEN_ADDRESS"),
        variable: "TOKEN_ADDRESS",
        help: "the ERC-20 token the contract escrows",
      },
      {
        key: "receiver",
        label: "Receiver",
        value: cfg.receiver.address,
        source: "env",
        variable: e.RECEIVER_PRIVATE_KEY ? "RECEIVER_PRIVATE_KEY" : "RECEIVER_KEY_FILE",
        help: "the address readers pay; its key signs closing proofs, withdrawals and disputes",
      },
      {
        key: "challenge-period",
        label: "Challenge period",
        value: `${cfg.deployment.challengePeriod} blocks`,
        source: "contract",
        help: "blocks between a reader's uncooperative close and settlement: disputes must land within it",
      },
      {
        key: "start-block",
        label: "First indexed block",
        value: String(cfg.deployment.startBlock),
        source: envSource("START_BLOCK") === "env" ? "env" : "deployment file",
        variable: "START_BLOCK",
        help: "the contract's deployment block",
      },
      ...relaySettings(e, relayEnabled(cfg)),
    );
    return { settings };
  } catch (err) {
    if (err instanceof AppError && err.expose) return { settings, chainError: err.message };
    throw err;
  }
}
