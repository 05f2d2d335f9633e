/**
 * A JSON-RPC stand-in between the site and a real anvil: a small HTTP server on a free 127.0.0.1
 * port that forwards every call, except where a test makes it answer like a misbehaving RPC
 * (logs from a lagging or stale node, errors, or no answer at all).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One JSON-RPC request. */
export interface RpcCall {
  jsonrpc: "2.0";
  id: number | string | null;
  method: string;
  params?: unknown[];
}

/** One JSON-RPC response. */
export interface RpcReply {
  jsonrpc: "2.0";
  id: number | string | null;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** Answers a call, or returns `undefined` to forward it unchanged. */
export type Intercept = (
  call: RpcCall,
  forward: (call: RpcCall) => Promise<RpcReply>,
) => Promise<RpcReply | undefined> | RpcReply | undefined;

export interface RpcStandIn {
  url: string;
  /** Accept requests and never answer them (an RPC that hangs). */
  hang: boolean;
  /** Changes some answers; unset forwards everything. */
  intercept?: Intercept;
  /** Methods called, in order. */
  calls: string[];
  close(): Promise<void>;
}

/** A JSON-RPC error reply for `call`. */
export function rpcError(call: RpcCall, message: string, code = -32000): RpcReply {
  return { jsonrpc: "2.0", id: call.id, error: { code, message } };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

/** Starts a stand-in that forwards to `upstream` (an anvil RPC URL). */
export async function startRpcStandIn(upstream: string): Promise<RpcStandIn> {
  const sockets = new Set<Socket>();
  const forward = async (call: RpcCall): Promise<RpcReply> => {
    const res = await fetch(upstream, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(call),
    });
    return (await res.json()) as RpcReply;
  };
  const answer = async (call: RpcCall): Promise<RpcReply> => {
    standIn.calls.push(call.method);
    return (await standIn.intercept?.(call, forward)) ?? forward(call);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (standIn.hang) return; // keep the connection open, never answer
    void (async () => {
      try {
        const body = JSON.parse(await readBody(req)) as RpcCall | RpcCall[];
        const reply = Array.isArray(body)
          ? await Promise.all(body.map(answer))
          : await answer(body);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(reply));
      } catch (err) {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(err));
      }
    })();
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const standIn: RpcStandIn = {
    url: `http://127.0.0.1:${port}`,
    hang: false,
    calls: [],
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return standIn;
}
