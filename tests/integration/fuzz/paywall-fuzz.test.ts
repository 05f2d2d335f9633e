/**
 * Header fuzzer for every paid route kind (article, media, fixed and dynamic echo, upstream):
 * thousands of malformed, oversized, duplicated and wrongly-signed RDN-* header and cookie sets,
 * interleaved with real payments at the exact price, sent in small concurrent batches to the route
 * handlers in-process. A model of every channel predicts each answer; at the end the database
 * must hold exactly the accepted payments. Reproduce a failure with the seed it prints:
 * `FUZZ_SEED=<seed> npx vitest run tests/integration/fuzz`. FUZZ_RUNS and FUZZ_SECONDS bound a run.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { seed } from "@/prisma/seed";
import { BASE, indexChannel } from "../../helpers/paywall";
import { CENT, startSiteFixture, TOKEN } from "../../helpers/site-fixture";
import { generate, pickKind, STATEFUL, useWorld } from "./generators";
import { show, UPSTREAM_PRICE, type Chan, type FuzzRequest, type World } from "./model";
import { checkDatabase, check } from "./oracle";
import { createRng, fuzzSeed } from "./prng";

const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 40);

let upstreamServer: Server;
const world = {
  chans: [],
  dead: [],
  receipts: new Map(),
  strangers: Array.from({ length: 3 }, () => privateKeyToAccount(generatePrivateKey())),
  upstreamHits: 0,
} as unknown as World;

beforeAll(async () => {
  upstreamServer = createServer((req, res) => {
    world.upstreamHits++;
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`upstream ${req.url}`);
  });
  await new Promise<void>((r) => upstreamServer.listen(0, "127.0.0.1", r));
  const port = (upstreamServer.address() as AddressInfo).port;
  const f = (world.f = await startSiteFixture({
    env: {
      UPSTREAM_URL: `http://127.0.0.1:${port}/base`,
      UPSTREAM_PRICE: UPSTREAM_PRICE.toString(),
    },
  }));
  useWorld(world);
  await seed();
  const sessionKey = privateKeyToAccount(generatePrivateKey());
  const specs = [
    ...f.readers
      .slice(0, 5)
      .map((r, i) => ({ name: `c${i}`, sender: r, signer: r, deposit: 300n * TOKEN })),
    { name: "small", sender: f.readers[5]!, signer: f.readers[5]!, deposit: 10n * CENT },
    { name: "session-key", sender: f.readers[6]!, signer: sessionKey, deposit: 300n * TOKEN },
  ];
  for (const s of specs) {
    const openBlock = await f.openChannel(
      s.sender,
      s.deposit,
      s.signer === s.sender ? undefined : s.signer.address,
    );
    const id = await indexChannel(f, s.sender, openBlock, s.deposit, { signer: s.signer.address });
    world.chans.push({
      ...s,
      openBlock,
      id,
      balance: 0n,
      lastSig: null,
      lastTarget: null,
      accepted: 0n,
      payments: 0,
    });
  }
  const [r7, r8] = [f.readers[7]!, f.readers[8]!];
  const deadSpecs = [
    {
      sender: r7,
      openBlock: 900_001,
      failure: "RDN-Insufficient-Confirmations",
      o: { confirmed: false },
    },
    { sender: r7, openBlock: 900_002, failure: "RDN-Nonexisting-Channel", o: { state: "closing" } },
    {
      sender: r8,
      openBlock: 900_003,
      failure: "RDN-Nonexisting-Channel",
      o: { closeSigned: true },
    },
    { sender: r8, openBlock: 900_004, failure: "RDN-Nonexisting-Channel", o: { state: "settled" } },
  ] as const;
  for (const d of deadSpecs) {
    await indexChannel(f, d.sender, d.openBlock, 300n * TOKEN, d.o);
    world.dead.push({ sender: d.sender, openBlock: d.openBlock, failure: d.failure });
  }
}, 180_000);

afterAll(async () => {
  await world.f?.stop();
  upstreamServer?.close();
});

it("no header or cookie set gets a 5xx, content without an exact payment, or a balance change", async () => {
  const seedValue = fuzzSeed();
  const rng = createRng(seedValue);
  const started = Date.now();
  const counts = new Map<string, number>();
  let sent = 0;
  let current: FuzzRequest | undefined;
  let index = 0;
  try {
    while (sent < RUNS && Date.now() - started < SECONDS * 1000) {
      // A batch of concurrent requests; stateful ones each take a channel of their own.
      const free = [...world.chans];
      const batch: FuzzRequest[] = [];
      for (let n = 1 + rng.int(6); n > 0 && sent + batch.length < RUNS; n--) {
        const kind = pickKind(rng);
        let chan: Chan;
        if (STATEFUL.has(kind)) {
          if (free.length === 0) continue;
          chan = free.splice(rng.int(free.length), 1)[0]!;
        } else chan = rng.pick(world.chans);
        const req = await generate(rng, kind, chan);
        if (req) batch.push(req);
      }
      const responses = await Promise.all(
        batch.map((req) =>
          req.target.handler(new Request(`${BASE}${req.target.path}`, { headers: req.headers }), {
            params: Promise.resolve(req.target.params as never),
          }),
        ),
      );
      for (let i = 0; i < batch.length; i++) {
        current = batch[i]!;
        index = sent + i + 1;
        counts.set(current.kind, (counts.get(current.kind) ?? 0) + 1);
        await check(world, current, responses[i]!);
      }
      current = undefined;
      sent += batch.length;
      if (sent % 200 < batch.length) await checkDatabase(world);
    }
    await checkDatabase(world);
    // The upstream is fetched only for a served request: every hit was accounted for above.
    expect(world.upstreamHits, "upstream fetches without a served request").toBe(0);
  } catch (err) {
    const where = current ? `request #${index}: ${show(current)}` : `after ${sent} requests`;
    throw new Error(
      `paywall fuzz failed with seed ${seedValue} (reproduce: FUZZ_SEED=${seedValue} npx vitest run tests/integration/fuzz) at ${where}\n${(err as Error).message}`,
      { cause: err },
    );
  }
  const paid = world.chans.reduce((s, c) => s + c.payments, 0);
  console.log(
    `paywall fuzz: seed ${seedValue}, ${sent} requests in ${((Date.now() - started) / 1000).toFixed(1)} s, ${paid} payments; ` +
      [...counts.entries()].map(([k, n]) => `${k} ${n}`).join(", "),
  );
  expect(sent).toBeGreaterThanOrEqual(Math.min(RUNS, 500));
  expect(paid).toBeGreaterThan(0);
}, 120_000);
