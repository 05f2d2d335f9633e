/**
 * A hostile site for the payer's tests: a small HTTP server that names a real channel contract on
 * the test chain and answers 402s as a site trying to take more than it was allowed would. It
 * keeps every balance proof it receives (verified, so the tests know what it could cash), and
 * per path behaves as `behave` says.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Address, Hex } from "viem";
import { channelDomain, recoverBalanceProofSigner } from "@/lib/protocol";
import { RDN } from "@/lib/protocol/headers";
import {
  paymentTermsHeaders,
  type LastProof,
  type PaywallIdentity,
  type RelayOfferJson,
} from "@/lib/protocol/terms";

/** A proof the site received. */
export interface KeptProof {
  path: string;
  sender: Address;
  openBlock: number;
  balance: bigint;
  signature: Hex;
  /** The address the signature recovers to (null when it does not). */
  signer: Address | null;
}

/** How the site answers a request that carries a proof. */
export type Behaviour =
  /** Keeps the proof and answers 402 "payment required" with that very proof as its last proof. */
  | { type: "keep" }
  /** Keeps the proof and asks for `price` (more than it announced) with that proof as the last. */
  | { type: "overcharge"; price: bigint }
  /** Redirects (307) to `location`, another origin. */
  | { type: "redirect"; location: string }
  /** Serves the content (an honest answer). */
  | { type: "serve" };

export interface HostileSite {
  url: string;
  /** Every proof received, in order. */
  proofs: KeptProof[];
  /** Requests received (method and path), in order. */
  requests: string[];
  /** Relay requests received, in order. */
  relayRequests: RelayRequest[];
  /** The most the site could cash per channel (`sender:openBlock`): its highest valid proof. */
  cashable(): bigint;
  stop(): Promise<void>;
}

/** A relay request the site received (`POST <relay url>…`), with its JSON body. */
export interface RelayRequest {
  path: string;
  body: Record<string, string>;
}

/** How the site answers a relay request: a status and a JSON body. */
export type RelayReply = { status: number; body: unknown };

export interface HostileSiteOptions {
  identity: PaywallIdentity;
  /**
   * A relay the site offers in its 402 JSON body (`relay`), and how it answers the requests posted
   * to it (every `POST`); received requests are kept in `relayRequests`.
   */
  relay?: {
    offer: RelayOfferJson;
    answer: (req: RelayRequest) => RelayReply | Promise<RelayReply>;
    /** How `GET /api/1/relays/…` (a pending relay's status URL) is answered. */
    status?: (path: string) => RelayReply | Promise<RelayReply>;
  };
  /** The price the first 402 announces. */
  price: bigint;
  /** How proofs are answered, per path (default: keep). */
  behave?: (path: string) => Behaviour;
  chainId: number;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Starts a hostile site on a free port of 127.0.0.1. */
export async function startHostileSite(opts: HostileSiteOptions): Promise<HostileSite> {
  const proofs: KeptProof[] = [];
  const requests: string[] = [];
  const relayRequests: RelayRequest[] = [];
  const behave = opts.behave ?? (() => ({ type: "keep" }) as const);
  const domain = channelDomain({ chainId: opts.chainId, contract: opts.identity.contract });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? "/";
    requests.push(`${req.method} ${path}`);
    const reply = (status: number, headers: Record<string, string>, body = "") => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(body);
    };
    if (req.method === "POST" && opts.relay) {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const relayed = {
        path,
        body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, string>,
      };
      relayRequests.push(relayed);
      const answer = await opts.relay.answer(relayed);
      reply(answer.status, {}, JSON.stringify(answer.body));
      return;
    }
    if (req.method === "GET" && opts.relay?.status && path.startsWith("/api/1/relays/")) {
      const answer = await opts.relay.status(path);
      reply(answer.status, {}, JSON.stringify(answer.body));
      return;
    }
    const signature = header(req, RDN.signature) as Hex | undefined;
    if (!signature) {
      const body = opts.relay
        ? { error: "payment required", relay: opts.relay.offer }
        : { error: "payment required" };
      reply(402, paymentTermsHeaders(opts.identity, opts.price), JSON.stringify(body));
      return;
    }
    const sender = header(req, RDN.sender) as Address;
    const openBlock = Number(header(req, RDN.openBlock));
    const balance = BigInt(header(req, RDN.balance) ?? header(req, RDN.balanceAlias) ?? "0");
    const signer = await recoverBalanceProofSigner(
      domain,
      { sender, receiver: opts.identity.receiver, openBlockNumber: openBlock, balance },
      signature,
    ).catch(() => null);
    const proof: KeptProof = { path, sender, openBlock, balance, signature, signer };
    proofs.push(proof);
    const last: LastProof = { sender, balance, signature };
    const b = behave(path);
    switch (b.type) {
      case "keep":
        reply(402, paymentTermsHeaders(opts.identity, opts.price, { lastProof: last }));
        return;
      case "overcharge":
        reply(402, paymentTermsHeaders(opts.identity, b.price, { lastProof: last }));
        return;
      case "redirect":
        reply(307, { location: `${b.location}${path}` });
        return;
      case "serve":
        reply(200, {}, JSON.stringify({ served: path }));
        return;
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    proofs,
    requests,
    relayRequests,
    cashable() {
      const best = new Map<string, bigint>();
      for (const p of proofs) {
        if (!p.signer) continue;
        const key = `${p.sender}:${p.openBlock}`.toLowerCase();
        if ((best.get(key) ?? 0n) < p.balance) best.set(key, p.balance);
      }
      return [...best.values()].reduce((a, b) => a + b, 0n);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
