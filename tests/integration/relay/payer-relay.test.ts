/**
 * The payer (library and CLI) opening and topping up channels through the site's relay, against
 * the real site (`next start` of the production build) on anvil with DemoDollar (EIP-3009): a
 * reader with tokens and no ETH opens, tops up and pays with signatures only and its ETH stays 0;
 * `auto` uses the payer's own transaction when it has ETH; the relay's refusals surface the site's
 * message; and a hostile site that lies about the channel it opened gets nothing used.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWalletClient, http, parseEther, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { microTransferChannelsAbi } from "@/lib/chain/abi";
import { buildChain } from "@/lib/chain/chain";
import { authorizationVrs } from "@/lib/protocol/authorization";
import {
  createPayer,
  isPayerError,
  memoryChannelStore,
  type DepositVia,
  type PayerChannel,
  type PayerEvent,
  type SpendingPolicy,
} from "@/lib/protocol/client";
import { relayOfferSchema } from "@/lib/protocol/terms";
import { ANVIL_KEYS } from "../../../scripts/lib/anvil-keys";
import { runCli } from "../../helpers/cli";
import { startHostileSite, type RelayRequest } from "../../helpers/hostile-site";
import {
  channelsCreatedBy,
  startSiteServer,
  tokenBalance,
  type SiteServer,
} from "../../helpers/site-server";

const USD = 1_000_000n;
let site: SiteServer;
let dir: string;

beforeAll(async () => {
  site = await startSiteServer({
    demoToken: "DemoDollar",
    env: { RELAY_MAX_PER_IP_PER_HOUR: "1000", RELAY_MAX_PER_SENDER_PER_HOUR: "100" },
  });
  dir = mkdtempSync(path.join(os.tmpdir(), "payer-relay-"));
}, 240_000);

afterAll(async () => {
  await site?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ethOf = (address: Address) => site.publicClient.getBalance({ address });

/** A payer for a new account holding `tokens` dUSD and `eth` wei; its events are recorded. */
async function newPayer(
  opts: {
    eth?: bigint;
    tokens?: bigint;
    depositVia?: DepositVia;
    policy?: SpendingPolicy;
    session?: boolean;
  } = {},
) {
  const { key, address } = await site.fundedAccount(opts.tokens ?? 20n * USD, opts.eth ?? 0n);
  const events: PayerEvent[] = [];
  const store = memoryChannelStore();
  const sessionSigner = opts.session ? privateKeyToAccount(generatePrivateKey()) : undefined;
  const payer = createPayer({
    account: privateKeyToAccount(key),
    publicClient: site.publicClient,
    store,
    sessionSigner,
    depositVia: opts.depositVia,
    policy: { confirmationTimeoutMs: 30_000, maxDeposit: 5n * USD, ...opts.policy },
    pollingIntervalMs: 200,
    onEvent: (e) => events.push(e),
  });
  return { payer, events, key, address, store, sessionSigner };
}

function eventOf<T extends PayerEvent["type"]>(events: PayerEvent[], type: T) {
  return events.filter((e): e is Extract<PayerEvent, { type: T }> => e.type === type);
}

/** The site's deployment and relay offer, as `GET /api/1/prices` lists them. */
async function siteTarget() {
  const prices = (await (await fetch(`${site.url}/api/1/prices`)).json()) as {
    contract: Address;
    token: Address;
    receiver: Address;
    chain_id: number;
    relay?: unknown;
  };
  return {
    contract: prices.contract,
    token: prices.token,
    receiver: prices.receiver,
    chainId: prices.chain_id,
    relay: relayOfferSchema.parse(prices.relay),
    siteOrigin: site.url,
  };
}

describe("the site announces its relay", () => {
  it("names it in the 402 JSON body and in /api/1/prices, headers unchanged", async () => {
    const res = await fetch(`${site.url}/api/echo/fix/hi`, {
      headers: { accept: "application/json" },
    });
    expect(res.status).toBe(402);
    const body = (await res.json()) as { relay?: unknown };
    expect(body.relay).toEqual({
      url: "/api/1/channels",
      min_deposit: USD.toString(),
      min_validity_seconds: 60,
    });
    expect(res.headers.get("rdn-price")).toBe("5");
    expect((await siteTarget()).relay.min_deposit).toBe(USD);
    const llms = await (await fetch(`${site.url}/llms.txt`)).text();
    expect(llms).toContain("Without ETH, let the site open it");
    expect(llms).toContain("/api/1/channels/{sender}/{openBlock}/topups");
  });
});

describe("payer: relayed opens and top-ups", () => {
  let reader: Awaited<ReturnType<typeof newPayer>>;
  let channel: PayerChannel;

  it("opens through the relay with dUSD and 0 ETH, pays, and its ETH stays 0", async () => {
    reader = await newPayer();
    const res = await reader.payer.fetch(`${site.url}/api/echo/fix/hello`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ echo: "hello" });
    const [opened] = eventOf(reader.events, "channel-opened");
    expect(opened?.via).toBe("relay");
    expect(eventOf(reader.events, "signing-authorization")).toHaveLength(1);
    expect(eventOf(reader.events, "sending-transaction")).toHaveLength(0);
    // The planned deposit (10 × 5 base units) was raised to the relay's minimum, within maxDeposit.
    channel = opened!.channel;
    expect(channel.deposit).toBe(USD);
    const created = await channelsCreatedBy(site, reader.address);
    expect(created).toHaveLength(1);
    expect(created[0]!.args.openBlockNumber).toBe(channel.openBlock);
    expect(created[0]!.args.signer).toBe(reader.address);
    expect(created[0]!.transactionHash).toBe(opened!.txHash);
    expect(await ethOf(reader.address)).toBe(0n);
    expect(await tokenBalance(site, reader.address)).toBe(19n * USD);

    const again = await reader.payer.fetch(`${site.url}/api/echo/dyn/13`);
    expect(again.status).toBe(200);
    expect(eventOf(reader.events, "channel-opened")).toHaveLength(1);
  });

  it("tops up through the relay when the deposit runs short (planned), and on request", async () => {
    const res = await reader.payer.fetch(`${site.url}/api/echo/dyn/${2n * USD}`);
    expect(res.status).toBe(200);
    const [toppedUp] = eventOf(reader.events, "topped-up");
    expect(toppedUp?.via).toBe("relay");
    // Within maxDeposit (5 dUSD): the planned top-up fills the channel up to it.
    expect(toppedUp!.channel.deposit).toBe(5n * USD);

    const [stored] = await reader.payer.channels();
    const after = await reader.payer.topUp(stored!, USD);
    expect(after.deposit).toBe(6n * USD);
    const info = await site.publicClient.readContract({
      address: site.deployment.contract,
      abi: microTransferChannelsAbi,
      functionName: "getChannelInfo",
      args: [reader.address, site.receiver, channel.openBlock],
    });
    expect(info[1]).toBe(6n * USD);
    expect(eventOf(reader.events, "topped-up").map((e) => e.via)).toEqual(["relay", "relay"]);
    expect(await ethOf(reader.address)).toBe(0n);
    expect(await tokenBalance(site, reader.address)).toBe(14n * USD);
  });

  it("names the session key as the channel's signer, and pays from it", async () => {
    const r = await newPayer({ session: true });
    const res = await r.payer.fetch(`${site.url}/api/echo/fix/session`);
    expect(res.status).toBe(200);
    const [created] = await channelsCreatedBy(site, r.address);
    expect(created!.args.signer).toBe(r.sessionSigner!.address);
    expect(eventOf(r.events, "channel-opened")[0]!.channel.signer).toBe(r.sessionSigner!.address);
    expect(await ethOf(r.address)).toBe(0n);
  });

  it("auto opens with the payer's own transaction when it has ETH", async () => {
    const r = await newPayer({ eth: parseEther("1") });
    const res = await r.payer.fetch(`${site.url}/api/echo/fix/own`);
    expect(res.status).toBe(200);
    const [opened] = eventOf(r.events, "channel-opened");
    expect(opened?.via).toBe("self");
    expect(opened?.permit).toBe(true);
    expect(eventOf(r.events, "signing-authorization")).toHaveLength(0);
    expect(await ethOf(r.address)).toBeLessThan(parseEther("1"));
  });

  it("depositVia relay uses the relay even with ETH: the payer's ETH does not move", async () => {
    const r = await newPayer({ eth: parseEther("1"), depositVia: "relay" });
    const res = await r.payer.fetch(`${site.url}/api/echo/fix/forced`);
    expect(res.status).toBe(200);
    expect(eventOf(r.events, "channel-opened")[0]?.via).toBe("relay");
    expect(await ethOf(r.address)).toBe(parseEther("1"));
  });

  it("depositVia self with 0 ETH fails with no-eth, saying the site offers a relay", async () => {
    const r = await newPayer({ depositVia: "self" });
    const err = await r.payer.fetch(`${site.url}/api/echo/fix/self`).catch((e: unknown) => e);
    expect(isPayerError(err, "no-eth")).toBe(true);
    expect((err as Error).message).toMatch(/the site offers to relay the deposit/);
    expect(await r.payer.channels()).toEqual([]);
  });

  it("a relay refusal surfaces the site's message; nothing moves", async () => {
    const r = await newPayer();
    const target = await siteTarget();
    const err = await r.payer.open(target, 10n, { via: "relay" }).catch((e: unknown) => e);
    expect(isPayerError(err, "relay-refused")).toBe(true);
    expect((err as Error).message).toContain(
      `deposit: 10 is below the relay's minimum of ${USD} base units`,
    );
    expect((err as { details: Record<string, unknown> }).details.status).toBe(400);
    expect(await tokenBalance(site, r.address)).toBe(20n * USD);
    expect(await channelsCreatedBy(site, r.address)).toHaveLength(0);
  });

  it("the relay's minimum above maxDeposit is refused before anything is signed", async () => {
    const r = await newPayer({ policy: { maxDeposit: USD / 2n } });
    const err = await r.payer.fetch(`${site.url}/api/echo/fix/small`).catch((e: unknown) => e);
    expect(isPayerError(err, "over-policy")).toBe(true);
    expect(eventOf(r.events, "signing-authorization")).toHaveLength(0);
  });
});

describe("payer against a hostile relay", () => {
  const identity = () => ({
    receiver: site.receiver,
    contract: site.deployment.contract,
    token: site.deployment.token,
    chainId: site.deployment.chainId,
  });
  const offer = { url: "/api/1/channels", min_deposit: "1", min_validity_seconds: 60 };
  const fakeHash = `0x${"ab".repeat(32)}` as Hex;

  /** Sends a relayed open's `createChannelWithAuthorization` as the site would (anvil account 5). */
  async function submitOpen(body: Record<string, string>) {
    const submitter = createWalletClient({
      account: privateKeyToAccount(ANVIL_KEYS[5]!),
      chain: buildChain(site.deployment.chainId, site.rpcUrl),
      transport: http(site.rpcUrl),
    });
    const { v, r, s } = authorizationVrs(body.signature!);
    const hash = await submitter.writeContract({
      address: site.deployment.contract,
      abi: microTransferChannelsAbi,
      functionName: "createChannelWithAuthorization",
      args: [
        body.sender as Address,
        site.receiver,
        BigInt(body.deposit!),
        body.signer as Address,
        body.salt as Hex,
        BigInt(body.valid_after!),
        BigInt(body.valid_before!),
        v,
        r,
        s,
      ],
    });
    const receipt = await site.publicClient.waitForTransactionReceipt({ hash });
    return { hash, block: Number(receipt.blockNumber) };
  }

  it("follows a 202 to the status URL until mined, then uses the channel", async () => {
    let mined: { hash: Hex; block: number } | undefined;
    let polls = 0;
    const hostile = await startHostileSite({
      identity: identity(),
      price: 5n,
      chainId: site.deployment.chainId,
      behave: () => ({ type: "serve" }),
      relay: {
        offer,
        answer: async ({ body }) => {
          mined = await submitOpen(body);
          const statusUrl = `/api/1/relays/${mined.hash}`;
          return {
            status: 202,
            body: { status: "pending", tx_hash: mined.hash, status_url: statusUrl },
          };
        },
        // Pending twice, then mined.
        status: () =>
          ++polls < 3
            ? { status: 200, body: { status: "pending", open_block: null } }
            : { status: 200, body: { status: "mined", open_block: mined!.block } },
      },
    });
    try {
      const r = await newPayer();
      const res = await r.payer.fetch(`${hostile.url}/paid`);
      expect(res.status).toBe(200);
      const [pending] = eventOf(r.events, "relay-pending");
      expect(pending?.txHash).toBe(mined!.hash);
      expect(pending?.statusUrl).toBe(`${hostile.url}/api/1/relays/${mined!.hash}`);
      expect(polls).toBe(3);
      const [opened] = eventOf(r.events, "channel-opened");
      expect(opened?.via).toBe("relay");
      expect(opened?.channel.openBlock).toBe(mined!.block);
      expect(hostile.proofs.map((p) => p.openBlock)).toEqual([mined!.block]);
    } finally {
      await hostile.stop();
    }
  });

  it("does not follow a status URL on another origin", async () => {
    const hostile = await startHostileSite({
      identity: identity(),
      price: 5n,
      chainId: site.deployment.chainId,
      relay: {
        offer,
        answer: () => ({
          status: 202,
          body: {
            status: "pending",
            tx_hash: fakeHash,
            status_url: `http://evil.invalid/api/1/relays/${fakeHash}`,
          },
        }),
      },
    });
    try {
      const r = await newPayer();
      const err = await r.payer.fetch(`${hostile.url}/paid`).catch((e: unknown) => e);
      expect(isPayerError(err, "relay-mismatch")).toBe(true);
      expect(await r.payer.channels()).toEqual([]);
    } finally {
      await hostile.stop();
    }
  });

  it("refuses a channel the site did not open (a made-up open block); nothing is used", async () => {
    const head = Number(await site.publicClient.getBlockNumber());
    const hostile = await startHostileSite({
      identity: identity(),
      price: 5n,
      chainId: site.deployment.chainId,
      behave: () => ({ type: "serve" }),
      relay: {
        offer,
        answer: () => ({ status: 201, body: { open_block: head, tx_hash: fakeHash } }),
      },
    });
    try {
      const r = await newPayer();
      const err = await r.payer.fetch(`${hostile.url}/paid`).catch((e: unknown) => e);
      expect(isPayerError(err, "relay-mismatch")).toBe(true);
      expect((err as Error).message).toMatch(/authorization was not used/);
      expect(hostile.relayRequests).toHaveLength(1);
      // The authorization names the pinned receiver's contract and this payer's own signer.
      expect(hostile.relayRequests[0]!.body.signer).toBe(r.address);
      expect(hostile.proofs).toEqual([]);
      expect(await r.payer.channels()).toEqual([]);
      expect(await tokenBalance(site, r.address)).toBe(20n * USD);
    } finally {
      await hostile.stop();
    }
  });

  it("refuses a channel for another signer: the block the site names holds someone else's", async () => {
    // A channel of the same sender, signed by another key, opened with its own transaction.
    const r = await newPayer({ eth: parseEther("1"), depositVia: "relay" });
    const other = createPayer({
      account: privateKeyToAccount(r.key),
      sessionSigner: privateKeyToAccount(generatePrivateKey()),
      publicClient: site.publicClient,
      store: memoryChannelStore(),
      pollingIntervalMs: 200,
    });
    const otherChannel = await other.open(await siteTarget(), USD, { via: "self" });
    // The hostile site submits the payer's authorization itself, but names the other channel.
    const submit = async ({ body }: RelayRequest) => {
      const { hash } = await submitOpen(body);
      return { status: 201, body: { open_block: otherChannel.openBlock, tx_hash: hash } };
    };
    const hostile = await startHostileSite({
      identity: identity(),
      price: 5n,
      chainId: site.deployment.chainId,
      behave: () => ({ type: "serve" }),
      relay: { offer, answer: submit },
    });
    try {
      const err = await r.payer.fetch(`${hostile.url}/paid`).catch((e: unknown) => e);
      expect(isPayerError(err, "relay-mismatch")).toBe(true);
      expect((err as Error).message).toMatch(/no channel with this deposit and signer/);
      expect(hostile.proofs).toEqual([]);
      // The payer only knows the other key's channel (found on chain before opening; it cannot
      // sign for it), never the one the site named as its new channel.
      const known = await r.payer.channels();
      expect(known.map((c) => [c.openBlock, c.signerUnavailable])).toEqual([
        [otherChannel.openBlock, true],
      ]);
      // Nothing is lost: the deposit is in a channel of the payer's own signer, which it finds.
      const found = await r.payer.recover(identity());
      expect(found.map((c) => [c.signer, c.deposit])).toEqual([[r.address, 50n]]);
    } finally {
      await hostile.stop();
    }
  });

  it("auto opens with its own transaction when the site offers no relay; relay alone refuses", async () => {
    const hostile = await startHostileSite({
      identity: identity(),
      price: 5n,
      chainId: site.deployment.chainId,
      behave: () => ({ type: "serve" }),
    });
    try {
      const r = await newPayer({ eth: parseEther("1") });
      const res = await r.payer.fetch(`${hostile.url}/paid`);
      expect(res.status).toBe(200);
      expect(eventOf(r.events, "channel-opened")[0]?.via).toBe("self");

      const forced = await newPayer({ eth: parseEther("1"), depositVia: "relay" });
      const err = await forced.payer.fetch(`${hostile.url}/paid`).catch((e: unknown) => e);
      expect(isPayerError(err, "relay-unavailable")).toBe(true);
      expect(await channelsCreatedBy(site, forced.address)).toHaveLength(0);
    } finally {
      await hostile.stop();
    }
  });
});

describe("paychan CLI with the relay", () => {
  async function cliPayer(name: string, funds: { eth?: bigint; tokens?: bigint } = {}) {
    const { key, address } = await site.fundedAccount(funds.tokens ?? 20n * USD, funds.eth ?? 0n);
    const keyFile = path.join(dir, `${name}.key`);
    writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
    const state = path.join(dir, `${name}-channels.json`);
    const run = (args: string[]) =>
      runCli(
        ["--rpc-url", site.rpcUrl, "--key-file", keyFile, "--state", state, ...args],
        path.join(dir, "xdg"),
      );
    return { address, run };
  }

  it("get with 0 ETH opens through the site's relay and says so", async () => {
    const p = await cliPayer("zero-eth");
    const r = await p.run(["get", "--deposit", "2", `${site.url}/api/echo/fix/cli`]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ echo: "cli" });
    expect(r.stderr).toMatch(/opened channel in block \d+ through the site's relay \(no gas paid/);
    expect(await ethOf(p.address)).toBe(0n);

    // A relayed top-up under the relay's minimum: the site's message, exit 6.
    const refused = await p.run(["topup", "0.5", "--deposit-via", "relay"]);
    expect(refused.code).toBe(6);
    expect(refused.stderr).toMatch(
      /relay-refused: .*refused to relay the top-up: amount: 500000 is below the relay's minimum/,
    );
    const topped = await p.run(["topup", "1"]);
    expect(topped.code, topped.stderr).toBe(0);
    expect(topped.stderr).toMatch(/topped up through the site's relay \(no gas paid\)/);
  });

  it("get --deposit-via self with 0 ETH fails clearly (exit 4)", async () => {
    const p = await cliPayer("forced-self");
    const r = await p.run([
      "get",
      "--deposit-via",
      "self",
      "--deposit",
      "2",
      `${site.url}/api/echo/fix/cli`,
    ]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/paychan: no-eth: .*Run without --deposit-via self/);
    expect(r.stdout).toBe("");
  });

  it("get with ETH opens with the payer's transaction and says so", async () => {
    const p = await cliPayer("with-eth", { eth: parseEther("1") });
    const r = await p.run(["get", "--deposit", "2", `${site.url}/api/echo/fix/cli`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/opened channel in block \d+ with your transaction/);
  });
});
