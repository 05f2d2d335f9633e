/**
 * `npm run bench:client`: payments per second the payer library sustains against the site's echo
 * route (5 base units a request, a fresh proof each), over real HTTP to `next start`:
 *   (a) one payer with one channel, paying request after request;
 *   (b) 16 payers with a channel each, paying at the same time.
 * Channels are opened (and confirmed) before the clock starts. Needs a production build.
 */
import { Command } from "commander";
import { createPublicClient, http, parseEther, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { buildChain } from "../lib/chain/chain";
import { createPayer, memoryChannelStore, type Payer } from "../lib/protocol/client";
import { startSiteServer } from "../tests/helpers/site-server";

const program = new Command()
  .name("bench:client")
  .option("--duration <s>", "seconds per scenario", "10")
  .option("--payers <n>", "payers of the concurrent scenario (one channel each)", "16");

const PRICE = 5n;

interface Result {
  payments: number;
  seconds: number;
  latencies: number[];
}

/** Pays `/api/echo/fix/<i>` in a loop until `until`; every answer must be a 200 echo. */
async function payLoop(payer: Payer, url: string, until: number, out: Result): Promise<void> {
  for (let i = 0; Date.now() < until; i++) {
    const started = performance.now();
    const res = await payer.fetch(`${url}/api/echo/fix/b${i}`);
    if (res.status !== 200) throw new Error(`payment answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
    out.latencies.push(performance.now() - started);
    out.payments += 1;
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<{ duration: string; payers: string }>();
  const duration = Number(o.duration) * 1000;
  const many = Number(o.payers);
  console.log("starting anvil and the site (next start)…");
  const site = await startSiteServer({ env: { CONFIRMATIONS: "0" } });
  try {
    const chain = buildChain(site.deployment.chainId, site.rpcUrl);
    const publicClient = createPublicClient({
      chain,
      transport: http(site.rpcUrl),
      pollingInterval: 100,
    }) as PublicClient;
    const newPayer = async () => {
      const { key } = await site.fundedAccount(parseEther("1"));
      return createPayer({
        account: privateKeyToAccount(key),
        publicClient,
        store: memoryChannelStore(),
        // One deposit covers the whole run: no top-up inside the measurement.
        policy: { depositMultiple: 1_000_000n },
        pollingIntervalMs: 100,
      });
    };

    console.log(`opening ${1 + many} channels…`);
    const single = await newPayer();
    const crowd: Payer[] = [];
    // Funded one after another: the deployer's transactions must not race for a nonce.
    for (let i = 0; i < many; i++) crowd.push(await newPayer());
    for (const p of [single, ...crowd]) {
      const res = await p.fetch(`${site.url}/api/echo/fix/warm-up`);
      if (res.status !== 200) throw new Error(`warm-up answered ${res.status}`);
    }

    const run = async (payers: Payer[]): Promise<Result> => {
      const out: Result = { payments: 0, seconds: 0, latencies: [] };
      const started = performance.now();
      const until = Date.now() + duration;
      await Promise.all(payers.map((p) => payLoop(p, site.url, until, out)));
      out.seconds = (performance.now() - started) / 1000;
      return out;
    };
    const one = await run([single]);
    const sixteen = await run(crowd);

    // Every payment is on chain-backed channels the site recorded: the payers' own totals agree.
    const spent = [single, ...crowd].map((p) => p.spent()).reduce((a, b) => a + b, 0n);
    const expected = BigInt(one.payments + sixteen.payments + 1 + many) * PRICE;
    if (spent !== expected) throw new Error(`payers spent ${spent}, expected ${expected}`);

    console.log(`\n${o.duration} s per scenario, payer and site sharing the machine's cores`);
    console.log("| scenario | payments | payments/s | p50 / p99 ms |");
    console.log("|---|---:|---:|---:|");
    for (const [name, r] of [
      ["1 payer, 1 channel", one],
      [`${many} payers, ${many} channels`, sixteen],
    ] as const) {
      console.log(
        `| ${name} | ${r.payments} | ${(r.payments / r.seconds).toFixed(0)} | ${percentile(r.latencies, 50).toFixed(1)} / ${percentile(r.latencies, 99).toFixed(1)} |`,
      );
    }
  } finally {
    await site.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`bench:client failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
