/**
 * Request generators of the paywall fuzzer: real payments, and malformed, oversized, duplicated,
 * wrongly-signed or misdirected RDN-* header and cookie sets, each with the answer it must get.
 */
import { getAddress, type Hex, type PrivateKeyAccount } from "viem";
import { articleRoute as article } from "../../helpers/article-route";
import { channelDomain } from "@/lib/protocol/eip712";
import { signBalanceProof, signClosingProof } from "@/lib/protocol/proofs";
import type { SiteFixture } from "../../helpers/site-fixture";
import {
  ARTICLES,
  expectFor,
  randomTarget,
  SECP256K1_N,
  type Chan,
  type Dead,
  type Expectation,
  type FuzzRequest,
  type Handler,
  type Target,
  type World,
} from "./model";
import type { Rng } from "./prng";
import {
  cookieHeader,
  entries,
  FIELDS,
  malformedValue,
  nameOf,
  NAMES,
  randomCase,
  type Values,
} from "./requests";

let f: SiteFixture;
let chans: Chan[];
let dead: Dead[];
let receipts: World["receipts"];
let strangers: PrivateKeyAccount[];

/** Points the generators at a run's fixture and model. */
export function useWorld(world: World): void {
  ({ f, chans, dead, receipts, strangers } = world);
}

function sign(
  signer: PrivateKeyAccount,
  sender: string,
  openBlock: number,
  balance: bigint,
  domain = { chainId: f.deployment.chainId, contract: f.deployment.contract as string },
  receiver: string = f.receiver.address,
): Promise<Hex> {
  return signBalanceProof({
    account: signer,
    domain: channelDomain(domain),
    message: {
      sender: getAddress(sender),
      receiver: getAddress(receiver),
      openBlockNumber: openBlock,
      balance,
    },
  });
}

/** Headers carrying `values` as RDN-* headers, or as cookies (no signature header then). */
function deliver(
  values: Values,
  rng: Rng,
  asCookies: boolean,
  extraCookies: string[] = [],
): Headers {
  const headers = new Headers();
  const pairs = entries(values, rng);
  if (asCookies) {
    const cookies = [cookieHeader(pairs), ...extraCookies].filter(Boolean);
    if (cookies.length) headers.set("cookie", cookies.join("; "));
  } else {
    for (const [name, value] of pairs) headers.append(randomCase(name, rng), value);
    if (extraCookies.length) headers.set("cookie", extraCookies.join("; "));
  }
  if (rng.chance(0.2)) headers.set("accept", "text/html,application/xhtml+xml,*/*;q=0.8");
  if (rng.chance(0.15)) headers.set("x-unrelated", rng.hex(8));
  if (rng.chance(0.1)) headers.set("RDN-Unknown-Header", rng.hex(4));
  return headers;
}

function channelValues(chan: Chan, balance: bigint, signature: Hex, rng: Rng): Values {
  return {
    sender: rng.chance(0.3) ? chan.sender.address.toLowerCase() : chan.sender.address,
    openBlock: String(chan.openBlock),
    balance: balance.toString(),
    alias: rng.chance(0.2),
    signature: rng.chance(0.15) ? `0x${signature.slice(2).toUpperCase()}` : signature,
    receiver: rng.chance(0.2) ? f.receiver.address.toLowerCase() : undefined,
    contract: rng.chance(0.2) ? f.deployment.contract : undefined,
  };
}

/** A forged or misplaced receipt cookie: never a free pass. */
function forgedReceipt(rng: Rng, target: Target): string | undefined {
  const other = [...receipts.entries()].find(([path]) => path !== target.receiptPath);
  const own = target.receiptPath ? receipts.get(target.receiptPath) : undefined;
  const choices: Array<() => string | undefined> = [
    () => `rdn_receipt=${rng.hex(20)}`,
    () => `rdn_receipt=0x${rng.hex(20)}.${Math.floor(Date.now() / 1000) + 3600}.${rng.hex(32)}`,
    () => (other ? other[1].cookie : undefined),
    () => (own ? `${own.cookie.slice(0, -1)}${own.cookie.endsWith("A") ? "B" : "A"}` : undefined),
    () => (own ? own.cookie.replace(/\.(\d+)\./, ".1.") : undefined),
  ];
  return rng.pick(choices)();
}

// --- generators: each returns one request and the answer the protocol prescribes ---

async function genPay(rng: Rng, chan: Chan): Promise<FuzzRequest> {
  const target = randomTarget(rng);
  const balance = chan.balance + target.price;
  const signature = await sign(chan.signer, chan.sender.address, chan.openBlock, balance);
  const values = channelValues(chan, balance, signature, rng);
  const payment = rng.chance(0.25) ? target.price : undefined;
  if (payment !== undefined) values.payment = payment.toString();
  const asCookies = rng.chance(0.2);
  const extra: string[] = [];
  // Duplicated cookies: the first value wins, so a stale copy after the real one changes nothing.
  if (asCookies && rng.chance(0.3)) extra.push(`${NAMES.signature}=0x${rng.hex(65)}`);
  if (target.receiptPath && rng.chance(0.15)) {
    const forged = forgedReceipt(rng, target);
    if (forged) extra.push(forged);
  }
  return {
    kind: asCookies ? "pay-cookie" : "pay",
    target,
    headers: deliver(values, rng, asCookies, extra),
    expect: expectFor(chan, target, balance, signature, true, payment),
  };
}

async function genMalformed(rng: Rng, chan: Chan): Promise<FuzzRequest> {
  const target = randomTarget(rng);
  const balance = chan.balance + target.price;
  const values = channelValues(chan, balance, `0x${rng.hex(65)}`, rng);
  if (rng.chance(0.3)) values.payment = target.price.toString();
  const mode = rng.int(4);
  if (mode === 0) {
    // A required value missing next to a signature.
    const missing = rng.pick(["sender", "openBlock", "balance"] as const);
    delete values[missing];
    const name = missing === "balance" ? NAMES.balance : NAMES[missing];
    return {
      kind: "missing",
      target,
      headers: deliver(values, rng, false),
      expect: { type: "409", headers: [name] },
    };
  }
  if (mode === 1) {
    // A header sent twice: its values are joined into one malformed value.
    const field = rng.pick(FIELDS);
    values[field] ??= field === "payment" ? target.price.toString() : (values.sender as string);
    const headers = deliver(values, rng, false);
    const name = nameOf(field, values);
    headers.append(
      randomCase(name, rng),
      rng.chance(0.5) ? values[field]! : malformedValue(field, rng),
    );
    return { kind: "duplicate", target, headers, expect: { type: "409", headers: [name] } };
  }
  // One to three malformed (sometimes oversized) values, as headers or as cookies.
  const asCookies = mode === 3;
  if (asCookies) delete values.signature;
  const broken = new Set<string>();
  for (let n = 1 + rng.int(3); n > 0; n--) {
    const field = rng.pick(asCookies ? FIELDS.filter((x) => x !== "signature") : FIELDS);
    values[field] = malformedValue(field, rng);
    broken.add(nameOf(field, values));
  }
  return {
    kind: asCookies ? "malformed-cookie" : "malformed",
    target,
    headers: deliver(values, rng, asCookies),
    expect: { type: "409", headers: [...broken] },
  };
}

async function genWrongSignature(rng: Rng, chan: Chan): Promise<FuzzRequest> {
  const target = randomTarget(rng);
  const balance = chan.balance + target.price;
  const sender = chan.sender.address;
  const ob = chan.openBlock;
  const good = () => sign(chan.signer, sender, ob, balance);
  const split = (sig: Hex) => ({
    rs: sig.slice(2, 130),
    r: sig.slice(2, 66),
    s: BigInt(`0x${sig.slice(66, 130)}`),
    v: parseInt(sig.slice(130), 16),
  });
  const how = rng.int(9);
  let signature: Hex;
  switch (how) {
    case 0: {
      const wrong =
        chan.signer === chan.sender
          ? rng.pick(chans.filter((c) => c !== chan)).sender
          : chan.sender;
      signature = await sign(wrong, sender, ob, balance);
      break;
    }
    case 1:
      signature = await sign(chan.signer, sender, ob, balance + 1n + BigInt(rng.int(10)));
      break;
    case 2:
      signature = await sign(chan.signer, sender, ob + 1 + rng.int(5), balance);
      break;
    case 3:
      signature = await sign(
        chan.signer,
        sender,
        ob,
        balance,
        rng.chance(0.5)
          ? { chainId: 1, contract: f.deployment.contract }
          : { chainId: f.deployment.chainId, contract: f.deployment.token },
      );
      break;
    case 4:
      signature = await sign(
        chan.signer,
        sender,
        ob,
        balance,
        undefined,
        rng.pick(strangers).address,
      );
      break;
    case 5: {
      // The same signature with the high s of the pair: the contract would refuse it.
      const { r, s, v } = split(await good());
      signature = `0x${r}${(SECP256K1_N - s).toString(16).padStart(64, "0")}${(v === 27 ? 28 : 27).toString(16)}`;
      break;
    }
    case 6: {
      const { rs, v } = split(await good());
      signature = `0x${rs}${rng
        .pick([v - 27, v + 2, 0])
        .toString(16)
        .padStart(2, "0")}`;
      break;
    }
    case 7:
      signature = await signClosingProof({
        account: chan.signer,
        domain: channelDomain({ chainId: f.deployment.chainId, contract: f.deployment.contract }),
        message: { sender, receiver: f.receiver.address, openBlockNumber: ob, balance },
      });
      break;
    default:
      signature = `0x${rng.hex(64)}${rng.pick(["1b", "1c"])}`;
  }
  const values = channelValues(chan, balance, signature, rng);
  return {
    kind: `wrong-signature-${how}`,
    target,
    headers: deliver(values, rng, rng.chance(0.2)),
    expect: expectFor(chan, target, balance, signature, false),
  };
}

async function genWrongAmount(rng: Rng, chan: Chan): Promise<FuzzRequest> {
  const target = randomTarget(rng);
  const b = chan.balance;
  const p = target.price;
  const choices = [
    b + p - 1n,
    b + p + 1n,
    b + 2n * p,
    b,
    b + p + BigInt(1 + rng.int(1000)),
    chan.deposit + 1n,
  ];
  if (b >= p) choices.push(b - p);
  if (b > 0n) choices.push(0n);
  let balance = rng.pick(choices);
  let payment: bigint | undefined;
  if (rng.chance(0.25)) {
    // Right balance, disagreeing RDN-Payment.
    balance = b + p;
    payment = rng.pick([p - 1n, p + 1n, 0n, 2n * p]);
  }
  const signature = await sign(chan.signer, chan.sender.address, chan.openBlock, balance);
  const values = channelValues(chan, balance, signature, rng);
  if (payment !== undefined) values.payment = payment.toString();
  return {
    kind: "wrong-amount",
    target,
    headers: deliver(values, rng, rng.chance(0.2)),
    expect: expectFor(chan, target, balance, signature, true, payment),
  };
}

async function genWrongChannel(rng: Rng, chan: Chan): Promise<FuzzRequest> {
  const target = randomTarget(rng);
  const how = rng.int(5);
  const nonexisting: Expectation = {
    type: "402",
    failure: "RDN-Nonexisting-Channel",
    senderBalance: null,
  };
  if (how === 0) {
    const d = rng.pick(dead);
    const sig = await sign(d.sender, d.sender.address, d.openBlock, target.price);
    return {
      kind: `dead-${d.failure}`,
      target,
      headers: deliver(
        {
          sender: d.sender.address,
          openBlock: String(d.openBlock),
          balance: target.price.toString(),
          signature: sig,
        },
        rng,
        rng.chance(0.2),
      ),
      expect: { type: "402", failure: d.failure, senderBalance: null },
    };
  }
  const balance = chan.balance + target.price;
  if (how === 1) {
    const ob = chan.openBlock + 1 + rng.int(50);
    const sig = await sign(chan.signer, chan.sender.address, ob, balance);
    return {
      kind: "unknown-open-block",
      target,
      headers: deliver(
        { ...channelValues(chan, balance, sig, rng), openBlock: String(ob) },
        rng,
        false,
      ),
      expect: nonexisting,
    };
  }
  if (how === 2) {
    const s = rng.pick(strangers);
    const sig = await sign(s, s.address, chan.openBlock, target.price);
    return {
      kind: "unknown-sender",
      target,
      headers: deliver(
        {
          sender: s.address,
          openBlock: String(chan.openBlock),
          balance: target.price.toString(),
          signature: sig,
        },
        rng,
        false,
      ),
      expect: nonexisting,
    };
  }
  // A valid proof naming another receiver or contract.
  const sig = await sign(chan.signer, chan.sender.address, chan.openBlock, balance);
  const values = channelValues(chan, balance, sig, rng);
  if (how === 3) values.receiver = rng.pick(strangers).address;
  else values.contract = f.deployment.token;
  return {
    kind: how === 3 ? "other-receiver" : "other-contract",
    target,
    headers: deliver(values, rng, false),
    expect: nonexisting,
  };
}

async function genNoPayment(rng: Rng, chan: Chan): Promise<FuzzRequest> {
  const target = randomTarget(rng);
  const values: Values = rng.chance(0.5)
    ? {}
    : {
        sender: chan.sender.address,
        openBlock: String(chan.openBlock),
        balance: (chan.balance + target.price).toString(),
      };
  const extra: string[] = [];
  let kind = "no-payment";
  if (target.receiptPath) {
    const own = receipts.get(target.receiptPath);
    if (own && own.sender !== chan.sender.address && rng.chance(0.5)) {
      // Someone else's receipt, with this sender named: the receipt is bound to its sender.
      values.sender = chan.sender.address;
      extra.push(own.cookie);
      kind = "receipt-other-sender";
    } else {
      const forged = forgedReceipt(rng, target);
      if (forged) {
        extra.push(forged);
        kind = "forged-receipt";
      }
    }
  }
  return {
    kind,
    target,
    headers: deliver(values, rng, rng.chance(0.3), extra),
    expect: { type: "402", failure: null, senderBalance: null },
  };
}

async function genReceipt(rng: Rng): Promise<FuzzRequest | undefined> {
  const [path, receipt] = rng.pick([...receipts.entries()]) ?? [];
  if (!path || !receipt) return undefined;
  const slug = path.slice("/articles/".length);
  const [, price] = ARTICLES.find(([s]) => s === slug)!;
  const target: Target = {
    handler: article as Handler,
    path,
    params: { slug },
    price,
    resource: `article:${slug}`,
    served: 200,
    receiptPath: path,
  };
  const values: Values = rng.chance(0.3) ? { sender: receipt.sender.toLowerCase() } : {};
  return {
    kind: "receipt",
    target,
    headers: deliver(values, rng, false, [receipt.cookie]),
    expect: { type: "receipt" },
  };
}

async function genRetry(rng: Rng, chan: Chan): Promise<FuzzRequest | undefined> {
  if (!chan.lastSig || !chan.lastTarget) return undefined;
  // The last paid proof again: for the same resource a retry (free or refused, never charged),
  // for another one not a payment at all.
  const target = rng.chance(0.5) ? chan.lastTarget : randomTarget(rng);
  const values = channelValues(chan, chan.balance, chan.lastSig, rng);
  return {
    kind: "replay",
    target,
    headers: deliver(values, rng, rng.chance(0.2)),
    expect: expectFor(chan, target, chan.balance, chan.lastSig, true),
  };
}

/** Generators that read a channel's balance or change it take the channel for the whole batch. */
export const STATEFUL = new Set(["pay", "wrong-amount", "retry"]);
const GENERATORS: Array<[string, number]> = [
  ["pay", 30],
  ["malformed", 25],
  ["wrong-signature", 14],
  ["wrong-amount", 12],
  ["wrong-channel", 8],
  ["no-payment", 5],
  ["receipt", 3],
  ["retry", 3],
];

export async function generate(
  rng: Rng,
  kind: string,
  chan: Chan,
): Promise<FuzzRequest | undefined> {
  switch (kind) {
    case "pay":
      return genPay(rng, chan);
    case "malformed":
      return genMalformed(rng, chan);
    case "wrong-signature":
      return genWrongSignature(rng, chan);
    case "wrong-amount":
      return genWrongAmount(rng, chan);
    case "wrong-channel":
      return genWrongChannel(rng, chan);
    case "no-payment":
      return genNoPayment(rng, chan);
    case "receipt":
      return genReceipt(rng);
    default:
      return genRetry(rng, chan);
  }
}

export function pickKind(rng: Rng): string {
  const total = GENERATORS.reduce((s, [, w]) => s + w, 0);
  let x = rng.int(total);
  for (const [kind, w] of GENERATORS) {
    if (x < w) return kind;
    x -= w;
  }
  return "pay";
}
