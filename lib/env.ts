/**
 * The only reader of `process.env`: one zod schema, parsed once. Protocol values (addresses, keys,
 * amounts) use the wire schemas of `lib/protocol/wire.ts`.
 */
import type { Address } from "viem";
import { z } from "zod";
import { addressSchema, privateKeySchema, uint192Schema } from "@/lib/protocol/wire";

const bool = z
  .enum(["1", "0", "true", "false", "yes", "no"])
  .transform((v) => v === "1" || v === "true" || v === "yes");

/** Schema of every environment variable the site reads. Parsed once by {@link env}. */
export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /**
   * `file:<path>` (SQLite, the embedded default, relative to the working directory) or
   * `postgresql://…` (PostgreSQL: several instances).
   */
  DATABASE_URL: z
    .string()
    .default("file:./data/site.db")
    .refine((u) => /^(file:|postgres(ql)?:\/\/)/.test(u), {
      message: "must start with file: (SQLite) or postgresql:// (PostgreSQL)",
    }),
  /**
   * Name of this instance when several serve the site behind a load balancer: pages answer with
   * it in `X-Paychan-Instance` (which instance answered) and the leader logs it.
   */
  PAYCHAN_INSTANCE: z
    .string()
    .regex(/^[\w.-]{1,64}$/)
    .optional(),
  /** Connections per pool on PostgreSQL (the Prisma client's and the hot path's, each). */
  PG_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** JSON-RPC endpoint of the chain the channel contract lives on. */
  RPC_URL: z.string().url().default("http://127.0.0.1:8545"),
  /**
   * JSON-RPC endpoint readers' browsers use to read the chain (channel state, balances); default
   * RPC_URL. Put a public endpoint here when RPC_URL is private or carries a secret.
   */
  PUBLIC_RPC_URL: z.string().url().optional(),
  /** WalletConnect Cloud project id: the wallet dialog offers WalletConnect only when it is set. */
  WALLETCONNECT_PROJECT_ID: z.string().min(1).optional(),
  /** Deployment file written by `npm run deploy`; CONTRACT_ADDRESS/TOKEN_ADDRESS override it. */
  DEPLOYMENT_FILE: z.string().default("data/deployment.json"),
  CONTRACT_ADDRESS: addressSchema.optional(),
  TOKEN_ADDRESS: addressSchema.optional(),
  /** First block to index (the contract's deployment block). */
  START_BLOCK: z.coerce.number().int().nonnegative().optional(),
  /**
   * The token's decimals for `prisma/seed.ts` (seeded prices are cents scaled by them); set by
   * the demo, which reads them from the chain. Unset, the seed reads them from the deployment.
   */
  SEED_TOKEN_DECIMALS: z.coerce.number().int().min(2).max(77).optional(),
  /** The receiver's private key, or a file that holds it (one of the two is required to serve). */
  RECEIVER_PRIVATE_KEY: privateKeySchema.optional(),
  RECEIVER_KEY_FILE: z.string().optional(),
  /** Extra operator addresses allowed to sign in to the admin API (comma separated). */
  ADMIN_ADDRESSES: z
    .string()
    .default("")
    .transform((v, ctx) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s): Address => {
          const parsed = addressSchema.safeParse(s);
          if (parsed.success) return parsed.data;
          ctx.addIssue({ code: "custom", message: `ADMIN_ADDRESSES: ${s} is not an address` });
          return s as Address;
        }),
    ),
  /** Bearer token for scripts calling the operator API (at least 16 characters). */
  API_TOKEN: z.string().min(16).optional(),
  /** Secret that seals session and receipt cookies (at least 32 characters). */
  SESSION_SECRET: z.string().min(32).optional(),
  /** Blocks a deposit needs on top of its own before it counts. */
  CONFIRMATIONS: z.coerce.number().int().min(0).max(1000).default(5),
  /** How often the background indexer polls the chain. */
  SYNC_INTERVAL_MS: z.coerce.number().int().min(200).default(2000),
  /** Blocks fetched per eth_getLogs call. */
  SYNC_CHUNK_BLOCKS: z.coerce.number().int().min(1).default(5000),
  /** Run the indexer and watchtower loop inside the server process. */
  INDEXER_ENABLED: bool.default(true),
  /** Allow CONFIRMATIONS=0 on a chain other than the local development chain (reorg risk). */
  ALLOW_ZERO_CONFIRMATIONS: bool.default(false),
  /**
   * Receiver ETH (wei) below which paid routes answer 502: it could not pay for a dispute. Unset:
   * 0.001 ETH on the local development chain; elsewhere the current gas price × the gas of a
   * dispute × MIN_RECEIVER_ETH_FACTOR.
   */
  MIN_RECEIVER_ETH_WEI: z.coerce.bigint().nonnegative().optional(),
  /** Safety factor of the computed minimum receiver ETH (disputes must still go through a fee spike). */
  MIN_RECEIVER_ETH_FACTOR: z.coerce.number().int().min(1).max(1000).default(10),
  /** Paid routes answer 502 when the indexed block is more than this many blocks behind the head. */
  INDEXER_MAX_LAG_BLOCKS: z.coerce.number().int().min(1).default(30),
  /** Blocks re-read on every indexing pass below the last synced block (at least CONFIRMATIONS). */
  INDEXER_OVERLAP_BLOCKS: z.coerce.number().int().min(1).max(10_000).default(12),
  /** Longest a paid request waits for the chain health probe before answering 502. */
  RPC_PROBE_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(1500),
  /** Confirmations a receiver transaction (dispute, withdraw) needs before it counts as done. */
  TX_CONFIRMATIONS: z.coerce.number().int().min(0).max(1000).optional(),
  /** Highest fee per gas (wei) the receiver pays when replacing a stuck transaction. */
  MAX_FEE_PER_GAS_WEI: z.coerce
    .bigint()
    .positive()
    .default(500n * 10n ** 9n),
  /** How long after a payment the same proof is served again for the same resource (no charge). */
  PAYMENT_RETRY_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  /** Paywalled upstream: longest wait for its response, and largest body passed on. */
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  UPSTREAM_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(10 * 1024 * 1024),
  /**
   * Extra SIWE domains accepted besides SITE_URL's host (comma separated host[:port]), for
   * development, e.g. `localhost:3000`. Production should leave it empty.
   */
  SIWE_ALLOWED_DOMAINS: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  /** How long a paid article can be re-read without paying again. */
  RECEIPT_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .default(24 * 60 * 60),
  /** Paywalled upstream: requests under this path prefix are fetched from UPSTREAM_URL. */
  UPSTREAM_PREFIX: z.string().startsWith("/").default("/upstream"),
  UPSTREAM_URL: z.string().url().optional(),
  /**
   * Let upstreams configured on the admin pages be on loopback, link-local or private addresses
   * (127.0.0.0/8, 169.254.0.0/16, 10.0.0.0/8, fc00::/7 …). Off: they are refused when saved and
   * before each fetch (server-side request forgery). UPSTREAM_URL is trusted either way.
   */
  UPSTREAM_ALLOW_PRIVATE: bool.default(false),
  /**
   * Price of one upstream request in token base units (a decimal uint192). Default: one cent of
   * the token (`upstreamPrice()`, lib/paywall/upstream-price.ts).
   */
  UPSTREAM_PRICE: uint192Schema.optional(),
  /**
   * Where images uploaded from the admin pages are stored (seeded media stay in content/media).
   * Back it up with the database.
   */
  MEDIA_UPLOAD_DIR: z.string().min(1).default("data/media"),
  /**
   * Relayed opens and top-ups (`POST /api/1/channels`, `…/topups`): the receiver submits the
   * reader's EIP-3009 authorization and pays the gas. Unset: on for the local development chain,
   * off elsewhere.
   */
  RELAY_ENABLED: bool.optional(),
  /** Smallest deposit (or top-up) relayed, in token base units. Unset: one whole token. */
  RELAY_MIN_DEPOSIT: uint192Schema.optional(),
  /** Relays per sender address in any hour (0 refuses every relay). */
  RELAY_MAX_PER_SENDER_PER_HOUR: z.coerce.number().int().min(0).max(1_000_000).default(5),
  /** Relays per client IP address in any hour. */
  RELAY_MAX_PER_IP_PER_HOUR: z.coerce.number().int().min(0).max(1_000_000).default(20),
  /** Gas (wei) the receiver spends on relays in any 24 hours; a pending relay counts its maximum. */
  RELAY_DAILY_GAS_BUDGET_WEI: z.coerce
    .bigint()
    .nonnegative()
    .default(10n ** 17n),
  /** An authorization must stay valid at least this long after it arrives (time to mine it). */
  RELAY_MIN_VALIDITY_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /**
   * How long an x402 `exact` payment waits for its transfer to be mined before answering 402
   * (`transaction_pending`); the transfer is still recorded when it is mined later.
   */
  X402_EXACT_WAIT_SECONDS: z.coerce.number().int().min(1).max(600).default(60),
  /**
   * Megabytes of rendered pages each instance keeps (articles, the front page, categories:
   * lib/paywall/page-cache.ts); 0 renders every page per request.
   */
  PAGE_CACHE_MB: z.coerce.number().min(0).max(4096).default(64),
  /** How long a relay request waits for its transaction to be mined before answering 202. */
  RELAY_WAIT_SECONDS: z.coerce.number().int().min(1).max(120).default(20),
  /** Public base URL of the site (SIWE domain checks use its host). */
  SITE_URL: z.string().url().default("http://127.0.0.1:3000"),
});

export type Env = z.infer<typeof envSchema>;

let cached: Env | undefined;

/** The parsed environment. Throws once, with every bad variable named, when it is invalid. */
export function env(): Env {
  if (cached) return cached;
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "env"}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  cached = parsed.data;
  return cached;
}

/**
 * Where a variable's value comes from: the environment, or the schema's default (an empty string
 * counts as unset).
 */
export function envSource(name: keyof Env): "env" | "default" {
  const value = process.env[name];
  return value === undefined || value === "" ? "default" : "env";
}

/** Forget the parsed environment (tests change process.env between cases). */
export function resetEnv(): void {
  cached = undefined;
}
