/**
 * The load side of `npm run bench`: pre-signed balance proofs, and autocannon runs that give each
 * connection a channel of its own and stop gracefully (every request in flight is answered).
 */
import autocannon from "autocannon";
import { encodePaymentSignatureHeader } from "@x402/core/http";
import type { PaymentRequirements } from "@x402/core/types";
import secp256k1 from "secp256k1";
import type { Address, Hex } from "viem";
import { balanceProofDigest, type channelDomain } from "../../lib/protocol/eip712";
import { channelKey, type SentProof } from "../bench-payments";

export interface Channel {
  key: Buffer;
  sender: Address;
  openBlock: number;
  next: number;
  proofs: Array<{ balance: string; signature: Hex }>;
  /**
   * The same proofs in x402's envelope: the `PAYMENT-SIGNATURE` value of each (scheme
   * `rdn-channel`), sent instead of the RDN-* headers when present.
   */
  x402?: string[];
}

/**
 * Wraps each of `channel`'s proofs in a `PAYMENT-SIGNATURE` paying `accepted` (the `rdn-channel`
 * entry of the site's 402), as an x402 client with the `rdnChannel` plugin sends it.
 */
export function x402Envelopes(
  channel: Channel,
  accepted: PaymentRequirements,
  resource: string,
): string[] {
  return channel.proofs.map((p) =>
    encodePaymentSignatureHeader({
      x402Version: 2,
      resource: { url: resource },
      accepted,
      payload: {
        sender: channel.sender,
        openBlock: channel.openBlock,
        balance: p.balance,
        signature: p.signature,
      },
    }),
  );
}

/** Proofs for balances `offset + price·i`, i = 1…count (a channel already paid `offset`). */
export function signProofs(
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

/** Extra seconds autocannon may run past the deadline to drain; a backstop, never reached when healthy. */
const DRAIN_GRACE_S = 30;

/** The parts of autocannon's per-connection client that a graceful stop uses. */
interface LoadClient {
  reqsMade: number;
  responseMax?: number;
}

/**
 * Load on `url` for `duration` seconds, then a graceful stop: no connection sends a new request
 * after the deadline, and the run ends once every request in flight has its response, so each
 * paid request sent is accounted for (`sent`: its proof and the status that came back).
 * req/s counts the responses that arrived before the deadline.
 */
export async function measure(
  url: string,
  connections: number,
  duration: number,
  paid?: { channels: Channel[] },
) {
  // Channels not carrying a request right now. A connection takes one per request and gives it
  // back with the response, so payments on one channel never overlap and each carries the next
  // balance: every request is a fresh valid payment.
  const free = paid ? [...paid.channels] : [];
  const sent: SentProof[] = [];
  const faults = new Set<string>();
  const clients: LoadClient[] = [];
  let beforeDeadline = 0;
  let stopped = false;
  const started = performance.now();
  const instance = autocannon({
    url,
    connections,
    duration: duration + DRAIN_GRACE_S,
    headers: { accept: "text/html" },
    setupClient: (client: LoadClient) => {
      if (typeof client.reqsMade !== "number")
        throw new Error("autocannon's client has no request counter: cannot stop gracefully");
      clients.push(client);
    },
    requests: [
      {
        setupRequest: (req: Record<string, unknown>, context: Record<string, unknown>) => {
          if (!paid) return req;
          // A fault here must not throw (it would end the process with the server running):
          // the request goes out without a proof, gets its 402, and the run fails its check.
          const ch = free.pop();
          if (!ch) {
            faults.add("no idle channel: a connection abandoned a request (timeout or reset)");
            return req;
          }
          const i = ch.next++;
          if (i >= ch.proofs.length) {
            free.push(ch);
            faults.add("ran out of pre-signed proofs: raise the proof budget");
            return req;
          }
          const proof: SentProof = {
            channel: channelKey(ch.sender, ch.openBlock),
            balance: ch.proofs[i]!.balance,
          };
          sent.push(proof);
          context.ch = ch;
          context.proof = proof;
          req.headers = {
            ...(req.headers as Record<string, string>),
            ...(ch.x402
              ? { "PAYMENT-SIGNATURE": ch.x402[i]! }
              : {
                  "RDN-Sender-Address": ch.sender,
                  "RDN-Open-Block": String(ch.openBlock),
                  "RDN-Sender-Balance": ch.proofs[i]!.balance,
                  "RDN-Balance-Signature": ch.proofs[i]!.signature,
                }),
          };
          return req;
        },
        onResponse: (status: number, _body: string, context: Record<string, unknown>) => {
          if (!stopped) beforeDeadline++;
          if (context.proof) (context.proof as SentProof).status = status;
          if (context.ch) free.push(context.ch as Channel);
          context.ch = undefined;
          context.proof = undefined;
        },
      },
    ],
  } as unknown as autocannon.Options);
  const timer = setTimeout(() => {
    stopped = true;
    // A client that reached its response limit closes after its current response instead of
    // sending the next request; autocannon ends the run when the last one has closed.
    for (const c of clients) c.responseMax = c.reqsMade;
  }, duration * 1000);
  const result = await instance;
  clearTimeout(timer);
  const seconds = Math.min(performance.now() - started, duration * 1000) / 1000;
  return {
    rps: beforeDeadline / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    statuses: Object.entries(result.statusCodeStats ?? {})
      .map(([code, { count }]) => `${count} × ${code}`)
      .join(", "),
    ok: result["2xx"],
    /** Every request answered (after the deadline too), for CPU per request. */
    requests: result.requests.total,
    errors: result.errors,
    timeouts: result.timeouts,
    sent,
    faults: [...faults],
  };
}
