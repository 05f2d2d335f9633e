/**
 * `npm run bench`: the cost of a payment next to serving the same thing free, over real HTTP.
 *
 * Starts anvil and the production build (`next start`; built first when missing), opens one
 * channel per connection, then measures with autocannon, in one run:
 *   (a) a paid API route where every request carries a fresh valid proof vs the same route free;
 *   (b) a paid article page vs the same page served free (a zero-price article);
 *   (c) the API route of (a) paid with the same proofs in x402's envelope (`PAYMENT-SIGNATURE`,
 *       scheme `rdn-channel`, paying the entry of the site's own 402) vs the same free route;
 *   (d) the latency of one x402 `exact` purchase by a stock client (settled on chain by the site);
 *   (e) references measured in the article scenario's rounds: `/about`, a page prerendered at
 *       build time and served as a file by the same `next start` ("static page"), the front page
 *       and a category page.
 * Prints req/s, p50/p99 latency and the paid÷free ratios (target ≥ 0.95), each page's req/s as a
 * share of the static page's (goal ≥ 0.5), and what the envelope costs over the RDN-* headers
 * (goal ≤ 5 %). The site runs on the demo's dollar token.
 *
 * Each run stops gracefully (every request in flight is answered), then every paid request is
 * matched against the payments recorded during the run (`bench-payments.ts`); any discrepancy
 * exits 1. Serves the build in NEXT_DIST_DIR (default `.next`).
 *
 * `--db postgres` runs the site on a fresh PostgreSQL with real durability (fsync on);
 * `--instances <n>` serves n instances behind nginx (`--nginx` puts nginx in front of one too).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { decodePaymentRequiredHeader } from "@x402/core/http";
import type { PaymentRequirements } from "@x402/core/types";
import { x402Client } from "@x402/core/client";
import { registerExactEvmScheme } from "@x402/evm/exact/client";
import { wrapFetchWithPayment } from "@x402/fetch";
import {
  createPublicClient,
  createWalletClient,
  http,
  parseEther,
  parseUnits,
  toHex,
  type Address,
  type PublicClient,
  type WalletClient,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { buildChain, LOCAL_CHAIN_ID } from "../lib/chain/chain";
import { demoTokenAbi, microTransferChannelsAbi } from "../lib/chain/abi";
import { channelDomain } from "../lib/protocol/eip712";
import { startAnvil } from "./lib/anvil";
import { seedArticles, seedPrice } from "../prisma/seed-data";
import { ANVIL_KEY_0, prepareSite } from "./lib/prepare-site";
import { getFreePort } from "./lib/anvil";
import { waitFor } from "./lib/rpc";
import { openBenchDb } from "./lib/bench-db";
import { startCluster, type Cluster } from "./lib/cluster";
import { startPostgres, type PostgresServer } from "./lib/postgres";
import { channelKey, checkPayments } from "./bench-payments";
import { measure, signProofs, x402Envelopes, type Channel } from "./lib/bench-measure";

const root = path.resolve(__dirname, "..");
/** The bench runs on the demo's dollar token. */
const DECIMALS = 6;

/** The `rdn-channel` entry of the x402 envelope of `url`'s 402, as an x402 client reads it. */
async function rdnChannelOffer(url: string): Promise<PaymentRequirements> {
  const res = await fetch(url);
  const header = res.headers.get("PAYMENT-REQUIRED");
  if (res.status !== 402 || !header)
    throw new Error(`${url}: expected a 402 with PAYMENT-REQUIRED`);
  const offer = decodePaymentRequiredHeader(header).accepts.find((a) => a.scheme === "rdn-channel");
  if (!offer) throw new Error(`${url}: the 402 offers no rdn-channel`);
  return offer;
}

/**
 * Latency of x402 `exact` purchases, one after another, by a stock client (@x402/fetch with
 * @x402/evm's exact scheme) with tokens and no ETH: 402, EIP-3009 signature, the site's own
 * settlement on chain, the answer. Beside it the latency of a free request. Checks that the
 * payer paid exactly the prices.
 */
async function exactLatency(opts: {
  base: string;
  publicClient: PublicClient;
  deployer: WalletClient & { account: { address: Address } };
  token: Address;
  chainId: number;
  count: number;
}): Promise<{ exact: number[]; free: number[]; problem?: string }> {
  const { base, publicClient, deployer, token, count } = opts;
  const payer = privateKeyToAccount(generatePrivateKey());
  const price = 5n; // /api/echo/fix/:param
  await publicClient.waitForTransactionReceipt({
    hash: await deployer.writeContract({
      chain: deployer.chain,
      account: deployer.account as never,
      address: token,
      abi: demoTokenAbi,
      functionName: "transfer",
      args: [payer.address, parseUnits("1", DECIMALS)],
    }),
  });
  const balance = () =>
    publicClient.readContract({
      address: token,
      abi: demoTokenAbi,
      functionName: "balanceOf",
      args: [payer.address],
    });
  const client = new x402Client();
  registerExactEvmScheme(client, { signer: payer });
  client.setSpendControls({
    allowedAssets: [{ network: `eip155:${opts.chainId}`, asset: token }],
  });
  const pay = wrapFetchWithPayment(fetch, client);
  const before = await balance();
  const time = async (f: () => Promise<Response>) => {
    const t = performance.now();
    const res = await f();
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`exact purchase answered ${res.status}`);
    return performance.now() - t;
  };
  const exact: number[] = [];
  const free: number[] = [];
  for (let i = 0; i < count; i++) {
    free.push(await time(() => fetch(`${base}/api/echo/dyn/0`)));
    exact.push(await time(() => pay(`${base}/api/echo/fix/exact-${i}`)));
  }
  const spent = before - (await balance());
  const problem =
    spent === price * BigInt(count)
      ? undefined
      : `exact purchases: the payer spent ${spent}, expected ${price * BigInt(count)}`;
  return { exact, free, problem };
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

/**
 * CPU seconds used so far by the processes `pids` and all their descendants (Linux /proc);
 * undefined where /proc cannot be read. Server CPU per request is a steadier figure than req/s
 * on a machine that shares its cores with the load generator.
 */
function cpuSeconds(pids: number[]): number | undefined {
  try {
    const children = (pid: number): number[] => {
      const out: number[] = [];
      for (const task of readdirSync(`/proc/${pid}/task`)) {
        const file = `/proc/${pid}/task/${task}/children`;
        for (const c of readFileSync(file, "utf8").split(" ").filter(Boolean)) out.push(Number(c));
      }
      return out;
    };
    let ticks = 0;
    const seen = new Set<number>();
    const visit = (pid: number) => {
      if (seen.has(pid)) return;
      seen.add(pid);
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after the command name (in parentheses, which may hold spaces): utime is 14th.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
      for (const c of children(pid)) visit(c);
    };
    for (const pid of pids) visit(pid);
    return ticks / USER_HZ;
  } catch {
    return undefined;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const program = new Command()
  .option("--connections <n>", "concurrent connections (one channel each)", "32")
  .option("--duration <s>", "seconds per measurement", "10")
  .option("--rounds <n>", "free/paid measurement pairs per scenario", "2")
  .option("--profile <dir>", "write a V8 CPU profile of the server to this directory")
  .option("--only <scenario>", "measure one scenario: api or article (default: both)")
  .option("--db <kind>", "database: sqlite (default) or postgres (a fresh server, fsync on)")
  .option("--instances <n>", "next start instances; more than 1 are served behind nginx")
  .option("--nginx", "serve through nginx even with one instance (like-for-like with several)");

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<{
    connections: string;
    duration: string;
    rounds: string;
    profile?: string;
    only?: string;
    db?: string;
    instances?: string;
    nginx?: boolean;
  }>();
  const dbKind = o.db ?? "sqlite";
  const instanceCount = Number(o.instances ?? "1");
  if (dbKind !== "sqlite" && dbKind !== "postgres")
    throw new Error(`--db must be sqlite or postgres, got "${o.db}"`);
  if (!Number.isInteger(instanceCount) || instanceCount < 1)
    throw new Error(`--instances must be a whole number of at least 1, got "${o.instances}"`);
  if (instanceCount > 1 && dbKind !== "postgres")
    throw new Error(`--instances ${instanceCount} needs --db postgres (one shared database)`);
  const viaNginx = instanceCount > 1 || o.nginx === true;
  // The default run (no --db, --instances or --nginx) prints exactly what it always printed.
  const custom = o.db !== undefined || o.instances !== undefined || o.nginx === true;
  const connections = Number(o.connections);
  const duration = Number(o.duration);
  const rounds = Number(o.rounds);
  const env0 = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  const distDir = process.env.NEXT_DIST_DIR ?? ".next";
  if (!existsSync(path.join(root, distDir, "BUILD_ID"))) {
    console.log(`building the site (next build into ${distDir})…`);
    const b = spawnSync(path.join(root, "node_modules/.bin/next"), ["build"], {
      cwd: root,
      env: env0,
      stdio: "inherit",
    });
    if (b.status !== 0) throw new Error("next build failed");
  }
  const anvil = await startAnvil();
  const dir = mkdtempSync(path.join(os.tmpdir(), "site-bench-"));
  const port = await getFreePort();
  let databaseUrl = `file:${path.join(dir, "site.db")}`;
  const deploymentFile = path.join(dir, "deployment.json");
  let server: ReturnType<typeof spawn> | undefined;
  let cluster: Cluster | undefined;
  let postgres: PostgresServer | undefined;
  try {
    if (dbKind === "postgres") {
      console.log("starting PostgreSQL (fsync on, synchronous_commit on: real durability)…");
      postgres = await startPostgres({ fast: false, log: (l) => console.log(l) });
      databaseUrl = await postgres.createDatabase("paychan_bench");
    }
    const { deployment } = await prepareSite({
      rpcUrl: anvil.rpcUrl,
      databaseUrl,
      deploymentFile,
      // The demo's dollar token (6 decimals, EIP-3009): x402's exact offer needs it.
      demoToken: "DemoDollar",
      log: (l) => console.log(l),
    });
    // A free copy of a paid article: the same route and page, price 0.
    const benchDb = openBenchDb(databaseUrl);
    await benchDb.addFreeCopy("the-402-status-code");

    const nodeArgs = o.profile
      ? ["--cpu-prof", "--cpu-prof-interval=250", `--cpu-prof-dir=${path.resolve(o.profile)}`]
      : [];
    const nextBin = path.join(root, "node_modules/next/dist/bin/next");
    const serverEnv = {
      DATABASE_URL: databaseUrl,
      RPC_URL: anvil.rpcUrl,
      DEPLOYMENT_FILE: deploymentFile,
      RECEIVER_PRIVATE_KEY: ANVIL_KEY_0,
      SESSION_SECRET: "bench-session-secret-0123456789abcdef",
      CONFIRMATIONS: "0",
      SYNC_INTERVAL_MS: "500",
    };
    if (viaNginx) {
      cluster = await startCluster({
        count: instanceCount,
        env: serverEnv,
        distDir,
        nodeArgs,
        log: (l) => console.log(l),
      });
    } else {
      server = spawn(
        process.execPath,
        [...nodeArgs, nextBin, "start", "-H", "127.0.0.1", "-p", String(port)],
        {
          cwd: root,
          env: { ...env0, NODE_ENV: "production", ...serverEnv },
          stdio: ["ignore", "ignore", "inherit"],
        },
      );
    }
    const base = cluster?.url ?? `http://127.0.0.1:${port}`;
    await waitFor(
      "next start",
      async () => {
        try {
          return (await fetch(base)).ok;
        } catch {
          return false;
        }
      },
      60_000,
    );

    // Channels: one funded reader per connection, each with a large deposit.
    // Each scenario pays on channels of its own, one per connection.
    console.log(`opening ${3 * connections} channels…`);
    const chain = buildChain(LOCAL_CHAIN_ID, anvil.rpcUrl);
    const transport = http(anvil.rpcUrl);
    const publicClient = createPublicClient({ chain, transport });
    const deployer = createWalletClient({
      chain,
      transport,
      account: privateKeyToAccount(ANVIL_KEY_0),
    });
    const receiver = deployer.account.address;
    const deposit = parseUnits("10000", DECIMALS);
    const channels: Omit<Channel, "proofs" | "next">[] = [];
    for (let i = 0; i < 3 * connections; i++) {
      const key = generatePrivateKey();
      const reader = privateKeyToAccount(key);
      await publicClient.request({
        method: "anvil_setBalance" as never,
        params: [reader.address, toHex(parseEther("10"))] as never,
      });
      await deployer.writeContract({
        address: deployment.token,
        abi: demoTokenAbi,
        functionName: "transfer",
        args: [reader.address, deposit],
      });
      const w = createWalletClient({ chain, transport, account: reader });
      await w.writeContract({
        address: deployment.token,
        abi: demoTokenAbi,
        functionName: "approve",
        args: [deployment.contract, deposit],
      });
      const hash = await w.writeContract({
        address: deployment.contract,
        abi: microTransferChannelsAbi,
        functionName: "createChannel",
        args: [receiver, deposit, "0x0000000000000000000000000000000000000000"],
      });
      const r = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
      channels.push({
        key: Buffer.from(key.slice(2), "hex"),
        sender: reader.address,
        openBlock: Number(r.blockNumber),
      });
    }
    await waitFor(
      "the indexer to see every channel",
      async () => {
        const res = await fetch(`${base}/api/echo/fix/x`, {
          headers: {
            "RDN-Sender-Address": channels.at(-1)!.sender,
            "RDN-Open-Block": String(channels.at(-1)!.openBlock),
            "RDN-Sender-Balance": "0",
            "RDN-Balance-Signature": `0x${"11".repeat(64)}1b`,
          },
        });
        return res.headers.get("RDN-Nonexisting-Channel") === null;
      },
      30_000,
    );

    const domain = channelDomain({ chainId: deployment.chainId, contract: deployment.contract });
    // Proof budget per channel: generous for the expected throughput of each connection.
    const budget = Math.ceil((2500 * duration * (rounds + 1)) / connections) + 50;
    console.log(`signing ${3 * budget * connections} proofs…`);
    const apiPrice = 5n;
    const articlePrice = BigInt(
      seedPrice(seedArticles.find((a) => a.slug === "the-402-status-code")!.cents, DECIMALS),
    );
    const apiChannels: Channel[] = channels.slice(0, connections).map((c) => ({
      ...c,
      next: 0,
      proofs: signProofs(domain, receiver, c, 0n, apiPrice, budget),
    }));
    const articleChannels: Channel[] = channels.slice(connections, 2 * connections).map((c) => ({
      ...c,
      next: 0,
      proofs: signProofs(domain, receiver, c, 0n, articlePrice, budget),
    }));
    // The same API route paid with the same proofs in x402's envelope (scheme rdn-channel),
    // paying the entry the site's own 402 offers, as an x402 client does.
    const x402Url = `${base}/api/echo/fix/bench-x402`;
    const accepted = await rdnChannelOffer(x402Url);
    const x402Channels: Channel[] = channels.slice(2 * connections).map((c) => {
      const ch: Channel = {
        ...c,
        next: 0,
        proofs: signProofs(domain, receiver, c, 0n, apiPrice, budget),
      };
      return { ...ch, x402: x402Envelopes(ch, accepted, x402Url) };
    });

    // A scenario's paid variants are measured in the same rounds as its free side, their order
    // alternating from round to round, so that they are compared under the same conditions.
    const scenarios = [
      {
        name: "API route",
        free: `${base}/api/echo/dyn/0`,
        variants: [
          {
            name: "API route",
            paid: `${base}/api/echo/fix/bench`,
            resource: "echo:fix:bench",
            price: apiPrice,
            chans: apiChannels,
          },
          {
            name: "API route, x402 envelope (rdn-channel)",
            paid: x402Url,
            resource: "echo:fix:bench-x402",
            price: apiPrice,
            chans: x402Channels,
          },
        ],
      },
      {
        name: "article page",
        free: `${base}/articles/free-copy`,
        // Pages without payment, measured in the same rounds.
        references: [
          { name: "static page", url: `${base}/about` },
          { name: "home page", url: `${base}/` },
          { name: "category page", url: `${base}/?category=world` },
        ],
        variants: [
          {
            name: "article page",
            paid: `${base}/articles/the-402-status-code`,
            resource: "article:the-402-status-code",
            price: articlePrice,
            chans: articleChannels,
          },
        ],
      },
    ];
    if (o.only !== undefined && o.only !== "api" && o.only !== "article")
      throw new Error(`--only must be api or article, got "${o.only}"`);
    const measured = scenarios.filter(
      (s) => o.only === undefined || (o.only === "api") === (s.name === "API route"),
    );
    // Every paid request must match the payments recorded during its run, proof by proof.
    type Run = Awaited<ReturnType<typeof measure>>;
    type Variant = (typeof scenarios)[number]["variants"][number];
    const rows: string[] = [];
    const paidRps = new Map<string, number>();
    // Free and reference pages' req/s and p99 (ms), for the comparisons with the static page.
    const pageRps = new Map<string, { rps: number; p99: number }>();
    // Server CPU (every instance, with its children) over each paid run, per request sent.
    const serverPids = () => (cluster ? cluster.instances.map((i) => i.pid) : [server!.pid!]);
    const serverCpu = () => cpuSeconds(serverPids());
    const cpuUsed = new Map<Variant, { seconds: number; requests: number }>();
    const cpuPerRequest = new Map<string, number>();
    const freeCpuUsed = new Map<string, { seconds: number; requests: number }>();
    let failures = 0;
    const mean = (runs: Run[], f: (r: Run) => number) =>
      runs.reduce((sum, r) => sum + f(r), 0) / runs.length;
    for (const s of measured) {
      await measure(s.free, connections, 2); // warm-up
      const frees: Run[] = [];
      const paids = new Map<Variant, Array<Run & { recorded: number }>>(
        s.variants.map((v) => [v, []]),
      );
      const refs = new Map<string, Run[]>();
      for (let r = 0; r < rounds; r++) {
        const freeCpu0 = serverCpu();
        const free = await measure(s.free, connections, duration);
        const freeCpu1 = serverCpu();
        if (freeCpu0 !== undefined && freeCpu1 !== undefined) {
          const used = freeCpuUsed.get(s.name) ?? { seconds: 0, requests: 0 };
          freeCpuUsed.set(s.name, {
            seconds: used.seconds + freeCpu1 - freeCpu0,
            requests: used.requests + free.requests,
          });
        }
        // The baseline must be the page served, not an error page.
        if (free.non2xx > 0 || free.errors > 0) {
          failures++;
          console.error(
            `${s.name}, free run ${r + 1}: answered ${free.statuses}; ${free.errors} connection errors`,
          );
        }
        frees.push(free);
        const order = r % 2 === 0 ? s.variants : [...s.variants].reverse();
        for (const v of order) {
          const mark = await benchDb.lastPaymentId();
          const cpu0 = serverCpu();
          const paid = await measure(v.paid, connections, duration, { channels: v.chans });
          const cpu1 = serverCpu();
          if (cpu0 !== undefined && cpu1 !== undefined) {
            const used = cpuUsed.get(v) ?? { seconds: 0, requests: 0 };
            cpuUsed.set(v, {
              seconds: used.seconds + cpu1 - cpu0,
              requests: used.requests + paid.sent.length,
            });
          }
          // The site commits a payment before it responds and every request was answered: the
          // payments are all in the table now.
          const recorded = (await benchDb.paymentsSince(mark)).map((p) => ({
            ...p,
            channel: channelKey(p.channel, p.openBlock),
          }));
          const result = checkPayments(paid.sent, recorded, {
            price: v.price,
            resource: v.resource,
          });
          if (paid.errors > 0)
            result.problems.push(`${paid.errors} connection errors (${paid.timeouts} timeouts)`);
          result.problems.push(...paid.faults);
          console.log(
            `${v.name}, round ${r + 1}: ${result.sent} paid requests sent, ${result.paid} paid ` +
              `responses, ${result.recorded} payments recorded`,
          );
          if (result.problems.length > 0) {
            failures++;
            for (const problem of result.problems) console.error(`${v.name}: ${problem}`);
          }
          paids.get(v)!.push({ ...paid, recorded: result.recorded });
        }
        for (const ref of s.references ?? []) {
          const run = await measure(ref.url, connections, duration);
          if (run.non2xx > 0 || run.errors > 0) {
            failures++;
            console.error(
              `${ref.name}, run ${r + 1}: answered ${run.statuses}; ${run.errors} connection errors`,
            );
          }
          refs.set(ref.name, [...(refs.get(ref.name) ?? []), run]);
        }
      }
      const free = mean(frees, (r) => r.rps);
      pageRps.set(`${s.name} (free)`, { rps: free, p99: mean(frees, (r) => r.p99) });
      for (const v of s.variants) {
        const runs = paids.get(v)!;
        const recordedTotal = runs.reduce((n, r) => n + r.recorded, 0);
        const paid = mean(runs, (r) => r.rps);
        paidRps.set(v.name, paid);
        pageRps.set(`${v.name} (paid)`, { rps: paid, p99: mean(runs, (r) => r.p99) });
        const used = cpuUsed.get(v);
        if (used && used.requests > 0)
          cpuPerRequest.set(v.name, (used.seconds / used.requests) * 1e6);
        rows.push(
          `| ${v.name} | ${free.toFixed(0)} | ${paid.toFixed(0)} | **${(paid / free).toFixed(2)}** | ${mean(frees, (r) => r.p50).toFixed(0)} / ${mean(frees, (r) => r.p99).toFixed(0)} | ${mean(runs, (r) => r.p50).toFixed(0)} / ${mean(runs, (r) => r.p99).toFixed(0)} | ${recordedTotal} |`,
        );
      }
      for (const [name, runs] of refs) {
        const rps = mean(runs, (r) => r.rps);
        pageRps.set(name, { rps, p99: mean(runs, (r) => r.p99) });
        rows.push(
          `| ${name} | ${rps.toFixed(0)} | – | – | ${mean(runs, (r) => r.p50).toFixed(0)} / ${mean(runs, (r) => r.p99).toFixed(0)} | – | – |`,
        );
      }
    }
    await benchDb.close();

    console.log("timing x402 exact purchases…");
    const exact = await exactLatency({
      base,
      publicClient,
      deployer,
      token: deployment.token,
      chainId: deployment.chainId,
      count: 20,
    });
    if (exact.problem) {
      failures++;
      console.error(exact.problem);
    }
    if (custom) {
      const database =
        dbKind === "postgres"
          ? "PostgreSQL (fsync on: every payment durable before its answer)"
          : "SQLite";
      const serving = viaNginx
        ? `${instanceCount} instance${instanceCount > 1 ? "s" : ""} of next start behind nginx (least_conn, keepalive)`
        : "1 instance of next start, no proxy";
      console.log(`\n${database}; ${serving}; ${os.cpus().length} CPUs`);
    }
    console.log(
      `\n${connections} connections, ${rounds} × ${duration} s per side, interleaved free/paid; means over rounds`,
    );
    console.log(
      "| scenario | free req/s | paid req/s | paid ÷ free | free p50 / p99 ms | paid p50 / p99 ms | payments recorded |",
    );
    console.log("|---|---:|---:|---:|---:|---:|---:|");
    for (const row of rows) console.log(row);
    const stat = pageRps.get("static page");
    if (stat) {
      console.log("\npages beside the static page (req/s ÷ the static page's; goal ≥ 0.5):");
      for (const [name, page] of [
        ["paid article", pageRps.get("article page (paid)")],
        ["free article", pageRps.get("article page (free)")],
        ["home page", pageRps.get("home page")],
        ["category page", pageRps.get("category page")],
      ] as const) {
        if (page) console.log(`  ${name}: ${(page.rps / stat.rps).toFixed(2)}`);
      }
      const paidArticle = pageRps.get("article page (paid)");
      if (paidArticle)
        console.log(
          `  paid article p99 ÷ static page p99: ${(paidArticle.p99 / stat.p99).toFixed(2)} (goal ≤ 2)`,
        );
    }
    const rdn = paidRps.get("API route");
    const envelope = paidRps.get("API route, x402 envelope (rdn-channel)");
    if (rdn !== undefined && envelope !== undefined)
      console.log(
        `\nx402 envelope vs RDN-* headers (API route, paid req/s in the same rounds): ` +
          `${envelope.toFixed(0)} vs ${rdn.toFixed(0)}: the envelope costs ` +
          `${((rdn / envelope - 1) * 100).toFixed(1)} % more (goal ≤ 5 %)`,
      );
    const cpuRdn = cpuPerRequest.get("API route");
    const cpuEnvelope = cpuPerRequest.get("API route, x402 envelope (rdn-channel)");
    for (const [name, used] of freeCpuUsed) {
      const paid = cpuPerRequest.get(name);
      if (used.requests > 0 && paid !== undefined)
        console.log(
          `server CPU per request, ${name}: ${((used.seconds / used.requests) * 1e6).toFixed(0)} µs free, ` +
            `${paid.toFixed(0)} µs paid`,
        );
    }
    if (cpuRdn !== undefined && cpuEnvelope !== undefined)
      console.log(
        `server CPU per paid API request: ${cpuEnvelope.toFixed(0)} µs with the envelope, ` +
          `${cpuRdn.toFixed(0)} µs with RDN-* headers (${((cpuEnvelope / cpuRdn - 1) * 100).toFixed(1)} %)`,
      );
    console.log(
      `one x402 exact purchase (402, EIP-3009 signature, settled on chain by the site, served; ` +
        `anvil mines at once): median ${median(exact.exact).toFixed(0)} ms, max ` +
        `${Math.max(...exact.exact).toFixed(0)} ms over ${exact.exact.length}; a free request: ` +
        `median ${median(exact.free).toFixed(1)} ms`,
    );
    if (failures > 0) {
      console.error(`${failures} run(s) failed their check: see above`);
      process.exitCode = 1;
    }
  } finally {
    server?.kill("SIGTERM");
    await cluster?.stop();
    await anvil.stop();
    postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
