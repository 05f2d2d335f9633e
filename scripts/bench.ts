/**
 * `npm run bench`: the cost of a payment next to serving the same thing free, over real HTTP.
 *
 * Starts anvil and the production build (`next start`; built first when missing), opens one
 * channel per connection, then measures with autocannon, in one run:
 *   (a) a paid API route where every request carries a fresh valid proof vs the same route free;
 *   (b) a paid article page vs the same page served free (a zero-price article).
 * Prints req/s, p50/p99 latency and the paid÷free ratios (target ≥ 0.9).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import Database from "better-sqlite3";
import { Command } from "commander";
import secp256k1 from "secp256k1";
import {
  createPublicClient,
  createWalletClient,
  http,
  parseEther,
  toHex,
  type Address,
  type Hex,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { buildChain, LOCAL_CHAIN_ID } from "../lib/chain/chain";
import { demoTokenAbi, microTransferChannelsAbi } from "../lib/chain/abi";
import { balanceProofDigest, channelDomain } from "../lib/protocol/eip712";
import { startAnvil } from "./lib/anvil";
import { ANVIL_KEY_0, prepareSite } from "./lib/prepare-site";
import { getFreePort } from "./lib/anvil";
import { waitFor } from "./lib/rpc";

const root = path.resolve(__dirname, "..");
const program = new Command()
  .option("--connections <n>", "concurrent connections (one channel each)", "32")
  .option("--duration <s>", "seconds per measurement", "10")
  .option("--rounds <n>", "free/paid measurement pairs per scenario", "2")
  .option("--profile <dir>", "write a V8 CPU profile of the server to this directory");

interface Channel {
  key: Buffer;
  sender: Address;
  openBlock: number;
  next: number;
  proofs: Array<{ balance: string; signature: Hex }>;
}

/** Proofs for balances `offset + price·i`, i = 1…count (a channel already paid `offset`). */
function signProofs(
  domain: ReturnType<typeof channelDomain>,
  receiver: Address,
  ch: Omit<Channel, "proofs" | "next">,
  offset: bigint,
  price: bigint,
  count: number,
): Channel["proofs"] {
  const out: Channel["proofs"] = [];
  for (let i = 1; i <= count; i++) {
    const digest = balanceProofDigest(domain, {
      sender: ch.sender,
      receiver,
      openBlockNumber: ch.openBlock,
      balance: offset + price * BigInt(i),
    });
    const { signature, recid } = secp256k1.ecdsaSign(Buffer.from(digest.slice(2), "hex"), ch.key);
    const sig = `0x${Buffer.from(signature).toString("hex")}${(27 + recid).toString(16)}` as Hex;
    out.push({ balance: (offset + price * BigInt(i)).toString(), signature: sig });
  }
  return out;
}

async function measure(
  url: string,
  connections: number,
  duration: number,
  paid?: { channels: Channel[] },
) {
  // Channels not carrying a request right now. A connection takes one per request and gives it
  // back with the response, so payments on one channel never overlap and each carries the next
  // balance: every request is a fresh valid payment.
  const free = paid ? [...paid.channels] : [];
  const instance = autocannon({
    url,
    connections,
    duration,
    headers: { accept: "text/html" },
    requests: [
      {
        setupRequest: (req: Record<string, unknown>, context: Record<string, unknown>) => {
          if (!paid) return req;
          const ch = free.pop();
          if (!ch) throw new Error("no idle channel: more requests in flight than channels");
          const i = ch.next++;
          if (i >= ch.proofs.length)
            throw new Error("ran out of pre-signed proofs: raise the proof budget");
          context.ch = ch;
          req.headers = {
            ...(req.headers as Record<string, string>),
            "RDN-Sender-Address": ch.sender,
            "RDN-Open-Block": String(ch.openBlock),
            "RDN-Sender-Balance": ch.proofs[i]!.balance,
            "RDN-Balance-Signature": ch.proofs[i]!.signature,
          };
          return req;
        },
        onResponse: (_status: number, _body: string, context: Record<string, unknown>) => {
          if (context.ch) free.push(context.ch as Channel);
          context.ch = undefined;
        },
      },
    ],
  } as unknown as autocannon.Options);
  const result = await instance;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    ok: result["2xx"],
    errors: result.errors,
    total: result.requests.total,
  };
}

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<{
    connections: string;
    duration: string;
    rounds: string;
    profile?: string;
  }>();
  const connections = Number(o.connections);
  const duration = Number(o.duration);
  const rounds = Number(o.rounds);
  const env0 = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  if (!existsSync(path.join(root, ".next/BUILD_ID"))) {
    console.log("building the site (next build)…");
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
  const databaseUrl = `file:${path.join(dir, "site.db")}`;
  const deploymentFile = path.join(dir, "deployment.json");
  let server: ReturnType<typeof spawn> | undefined;
  try {
    const { deployment } = await prepareSite({
      rpcUrl: anvil.rpcUrl,
      databaseUrl,
      deploymentFile,
      log: (l) => console.log(l),
    });
    // A free copy of a paid article: the same route and page, price 0.
    const sql = new Database(databaseUrl.slice(5));
    sql
      .prepare(
        `INSERT INTO Article (slug, title, author, teaser, body, price, publishedAt)
      SELECT 'free-copy', title, author, teaser, body, '0', publishedAt FROM Article WHERE slug = 'the-402-status-code'`,
      )
      .run();
    sql.close();

    const nodeArgs = o.profile ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(o.profile)}`] : [];
    const nextBin = path.join(root, "node_modules/next/dist/bin/next");
    server = spawn(
      process.execPath,
      [...nodeArgs, nextBin, "start", "-H", "127.0.0.1", "-p", String(port)],
      {
        cwd: root,
        env: {
          ...env0,
          NODE_ENV: "production",
          DATABASE_URL: databaseUrl,
          RPC_URL: anvil.rpcUrl,
          DEPLOYMENT_FILE: deploymentFile,
          RECEIVER_PRIVATE_KEY: ANVIL_KEY_0,
          SESSION_SECRET: "bench-session-secret-0123456789abcdef",
          CONFIRMATIONS: "0",
          SYNC_INTERVAL_MS: "500",
        },
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
    const base = `http://127.0.0.1:${port}`;
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
    console.log(`opening ${2 * connections} channels…`);
    const chain = buildChain(LOCAL_CHAIN_ID, anvil.rpcUrl);
    const transport = http(anvil.rpcUrl);
    const publicClient = createPublicClient({ chain, transport });
    const deployer = createWalletClient({
      chain,
      transport,
      account: privateKeyToAccount(ANVIL_KEY_0),
    });
    const receiver = deployer.account.address;
    const deposit = parseEther("100000");
    const channels: Omit<Channel, "proofs" | "next">[] = [];
    for (let i = 0; i < 2 * connections; i++) {
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
    console.log(`signing ${2 * budget * connections} proofs…`);
    const apiPrice = 5n;
    const articlePrice = 10n ** 18n;
    const apiChannels: Channel[] = channels.slice(0, connections).map((c) => ({
      ...c,
      next: 0,
      proofs: signProofs(domain, receiver, c, 0n, apiPrice, budget),
    }));
    const articleChannels: Channel[] = channels.slice(connections).map((c) => ({
      ...c,
      next: 0,
      proofs: signProofs(domain, receiver, c, 0n, articlePrice, budget),
    }));

    const scenarios = [
      {
        name: "API route",
        free: `${base}/api/echo/dyn/0`,
        paid: `${base}/api/echo/fix/bench`,
        resource: "echo:fix:bench",
        chans: apiChannels,
      },
      {
        name: "article page",
        free: `${base}/articles/free-copy`,
        paid: `${base}/articles/the-402-status-code`,
        resource: "article:the-402-status-code",
        chans: articleChannels,
      },
    ];
    // Every paid 2xx must be exactly one recorded payment: the benchmark checks what it measures.
    const check = new Database(databaseUrl.slice("file:".length), { readonly: true });
    const countPayments = check.prepare<[string], { n: number }>(
      "SELECT COUNT(*) AS n FROM Payment WHERE resource = ?",
    );
    type Run = Awaited<ReturnType<typeof measure>>;
    const rows: string[] = [];
    let failures = 0;
    for (const s of scenarios) {
      await measure(s.free, connections, 2); // warm-up
      const frees: Run[] = [];
      const paids: Run[] = [];
      for (let r = 0; r < rounds; r++) {
        frees.push(await measure(s.free, connections, duration));
        const before = countPayments.get(s.resource)!.n;
        const paid = await measure(s.paid, connections, duration, { channels: s.chans });
        const recorded = countPayments.get(s.resource)!.n - before;
        // Every paid response was recorded; a request still in flight when the measurement
        // stops (at most one per connection) may be recorded although its response was dropped.
        if (recorded < paid.ok || recorded > paid.ok + connections || paid.non2xx > 0) {
          failures++;
          console.error(
            `${s.name}: ${paid.ok} paid responses but ${recorded} payments recorded, ${paid.non2xx} non-2xx`,
          );
        }
        paids.push(paid);
      }
      const mean = (runs: Run[], f: (r: Run) => number) =>
        runs.reduce((sum, r) => sum + f(r), 0) / runs.length;
      const free = mean(frees, (r) => r.rps);
      const paid = mean(paids, (r) => r.rps);
      rows.push(
        `| ${s.name} | ${free.toFixed(0)} | ${paid.toFixed(0)} | **${(paid / free).toFixed(2)}** | ${mean(frees, (r) => r.p50).toFixed(0)} / ${mean(frees, (r) => r.p99).toFixed(0)} | ${mean(paids, (r) => r.p50).toFixed(0)} / ${mean(paids, (r) => r.p99).toFixed(0)} | ${paids.reduce((n, r) => n + r.ok, 0)} |`,
      );
    }
    check.close();
    console.log(
      `\n${connections} connections, ${rounds} × ${duration} s per side, interleaved free/paid; means over rounds`,
    );
    console.log(
      "| scenario | free req/s | paid req/s | paid ÷ free | free p50 / p99 ms | paid p50 / p99 ms | payments recorded |",
    );
    console.log("|---|---:|---:|---:|---:|---:|---:|");
    for (const row of rows) console.log(row);
    if (failures > 0) process.exitCode = 1;
  } finally {
    server?.kill("SIGTERM");
    await anvil.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
