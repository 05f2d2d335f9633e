/**
 * A browser wallet for Playwright tests: an EIP-1193 provider injected into every page of a
 * browser context, announced by EIP-6963 as MetaMask (rdns "io.metamask"), that forwards JSON-RPC
 * to anvil, whose development accounts are unlocked (eth_sendTransaction, eth_signTypedData_v4 and
 * personal_sign work like a real wallet's prompts, without a dialog).
 *
 * The page never talks to anvil itself: every request goes through a function exposed to the
 * page (`BrowserContext.exposeFunction`) and Node fetches anvil, so the page's CSP does not apply.
 * The wallet's state (connected or not, the chain) and the log of every method the pages called
 * live on the Node side, so they survive reloads and navigations like a real wallet's do.
 */
import type { BrowserContext } from "@playwright/test";
import type { Address, Hex } from "viem";

/** One request a page made to the wallet. */
export interface WalletCall {
  method: string;
  params: unknown[];
  /** The page's URL when it asked. */
  url: string;
}

/** What a test reads from its wallet. */
export interface TestWallet {
  address: Address;
  /** Every request, in order. */
  calls: WalletCall[];
  /** How many times the pages called `method`. */
  count(method: string): number;
  /** The `eth_sendTransaction` requests (their transaction objects). */
  transactions(): { from: Address; to?: Address; data?: Hex; value?: Hex }[];
  /** The `primaryType` of every `eth_signTypedData_v4` request (e.g. "Permit", "BalanceProof"). */
  typedDataSigned(): string[];
  /** Forgets the calls so far (counts start again from zero). */
  resetCalls(): void;
  /**
   * Holds the next request for `method` (like a wallet prompt the reader has not answered yet):
   * `reached` resolves when the page asked, `release` lets it through.
   */
  hold(method: string): { reached: Promise<void>; release: () => void };
  /** Answers the next request for `method` as a reader declining it (EIP-1193 code 4001). */
  rejectNext(method: string): void;
}

/** The wallet prompts: requests a real wallet would show the reader. */
export const PROMPT_METHODS = [
  "eth_sendTransaction",
  "eth_signTypedData_v4",
  "personal_sign",
] as const;

const BINDING = "__testWalletRequest";

interface ProviderReply {
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/**
 * Installs the wallet into `context` (before any page of it opens) for `address`, an unlocked
 * anvil account, on the chain at `rpcUrl`.
 */
export async function installTestWallet(
  context: BrowserContext,
  opts: { rpcUrl: string; address: Address; chainId: number },
): Promise<TestWallet> {
  const calls: WalletCall[] = [];
  let connected = false;
  let nextId = 1;
  const holds = new Map<string, { arrived: () => void; released: Promise<void> }>();
  const rejections = new Set<string>();

  async function forward(method: string, params: unknown[]): Promise<ProviderReply> {
    const res = await fetch(opts.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
    });
    const body = (await res.json()) as ProviderReply;
    return body.error ? { error: body.error } : { result: body.result };
  }

  const accountMatches = (a: unknown) =>
    typeof a === "string" && a.toLowerCase() === opts.address.toLowerCase();

  async function handle(method: string, params: unknown[]): Promise<ProviderReply> {
    switch (method) {
      case "eth_requestAccounts":
        connected = true;
        return { result: [opts.address] };
      case "eth_accounts":
        return { result: connected ? [opts.address] : [] };
      case "eth_chainId":
        return { result: `0x${opts.chainId.toString(16)}` };
      case "net_version":
        return { result: String(opts.chainId) };
      case "wallet_requestPermissions":
        connected = true;
        return { result: [{ parentCapability: "eth_accounts", caveats: [] }] };
      case "wallet_getPermissions":
        return { result: connected ? [{ parentCapability: "eth_accounts", caveats: [] }] : [] };
      case "wallet_revokePermissions":
        connected = false;
        return { result: null };
      case "wallet_switchEthereumChain": {
        const wanted = Number((params[0] as { chainId?: string } | undefined)?.chainId);
        if (wanted === opts.chainId) return { result: null };
        return { error: { code: 4902, message: `Unrecognized chain ID ${wanted}.` } };
      }
      case "wallet_addEthereumChain":
        return { result: null };
      case "eth_sendTransaction":
      case "eth_signTypedData_v4":
      case "personal_sign": {
        if (!connected) return { error: { code: 4100, message: "The wallet is not connected." } };
        // The signing account: personal_sign's second parameter, the transaction's `from`,
        // typed data's first parameter.
        const who =
          method === "personal_sign"
            ? params[1]
            : method === "eth_sendTransaction"
              ? (params[0] as { from?: unknown }).from
              : params[0];
        if (!accountMatches(who))
          return { error: { code: 4100, message: `The wallet does not hold ${String(who)}.` } };
        return forward(method, params);
      }
      default:
        return forward(method, params);
    }
  }

  await context.exposeFunction(
    BINDING,
    async (method: string, params: unknown[], url: string): Promise<ProviderReply> => {
      calls.push({ method, params, url });
      const held = holds.get(method);
      if (held) {
        holds.delete(method);
        held.arrived();
        await held.released;
      }
      if (rejections.delete(method)) {
        return { error: { code: 4001, message: "User rejected the request." } };
      }
      try {
        return await handle(method, params ?? []);
      } catch (err) {
        return { error: { code: -32603, message: `test wallet: ${String(err)}` } };
      }
    },
  );
  const args = { binding: BINDING, chainId: `0x${opts.chainId.toString(16)}` };
  // Sent as source text. Under tsx (the bench scripts) esbuild's keepNames wraps functions in
  // calls to a `__name` helper that does not exist in the page: a local no-op stands in for it.
  await context.addInitScript({
    content: `(() => { const __name = (fn) => fn; (${pageScript.toString()})(${JSON.stringify(args)}); })();`,
  });

  return {
    address: opts.address,
    calls,
    count: (method) => calls.filter((c) => c.method === method).length,
    transactions: () =>
      calls
        .filter((c) => c.method === "eth_sendTransaction")
        .map((c) => c.params[0] as ReturnType<TestWallet["transactions"]>[number]),
    typedDataSigned: () =>
      calls
        .filter((c) => c.method === "eth_signTypedData_v4")
        .map((c) => {
          const data = c.params[1];
          const parsed = (typeof data === "string" ? JSON.parse(data) : data) as {
            primaryType?: string;
          };
          return parsed.primaryType ?? "?";
        }),
    resetCalls: () => {
      calls.length = 0;
    },
    hold: (method) => {
      let arrived!: () => void;
      let release!: () => void;
      const reached = new Promise<void>((r) => (arrived = r));
      const released = new Promise<void>((r) => (release = r));
      holds.set(method, { arrived, released });
      return { reached, release };
    },
    rejectNext: (method) => {
      rejections.add(method);
    },
  };
}

/** Runs in the page before its own scripts: the provider and its EIP-6963 announcement. */
function pageScript({ binding, chainId }: { binding: string; chainId: string }) {
  type Listener = (...args: unknown[]) => void;
  const listeners = new Map<string, Set<Listener>>();
  const call = (window as unknown as Record<string, unknown>)[binding] as (
    method: string,
    params: unknown[],
    url: string,
  ) => Promise<ProviderReply>;
  const emit = (event: string, ...args: unknown[]) => {
    for (const l of listeners.get(event) ?? []) {
      try {
        l(...args);
      } catch {
        // a listener's error is the page's own
      }
    }
  };

  const provider = {
    async request({ method, params }: { method: string; params?: unknown[] }) {
      const reply = await call(method, params ?? [], window.location.href);
      if (reply.error) {
        const err = new Error(reply.error.message) as Error & { code: number; data?: unknown };
        err.code = reply.error.code;
        err.data = reply.error.data;
        throw err;
      }
      if (method === "eth_requestAccounts" || method === "wallet_requestPermissions") {
        const accounts = (await call("eth_accounts", [], window.location.href)).result;
        emit("connect", { chainId });
        emit("accountsChanged", accounts);
      }
      return reply.result;
    },
    on(event: string, listener: Listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(listener);
      return provider;
    },
    removeListener(event: string, listener: Listener) {
      listeners.get(event)?.delete(listener);
      return provider;
    },
    isConnected: () => true,
  };

  const info = Object.freeze({
    uuid: "7e5f4a3c-0b1d-4c2e-9f80-5a6b7c8d9e01",
    name: "MetaMask",
    icon: "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAxIDEiLz4=",
    rdns: "io.metamask",
  });
  const announce = () =>
    window.dispatchEvent(
      new CustomEvent("eip6963:announceProvider", {
        detail: Object.freeze({ info, provider }),
      }),
    );
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
}
