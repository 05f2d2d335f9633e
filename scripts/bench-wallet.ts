/**
 * A test wallet for browser measurements: an EIP-1193 provider injected into every page of a
 * Playwright context, announced by EIP-6963 as MetaMask (`io.metamask`), that forwards JSON-RPC to
 * anvil, whose development accounts are unlocked (`eth_sendTransaction`, `eth_signTypedData_v4`
 * work as in a real wallet). The account handshake (`eth_requestAccounts`, permissions, chain
 * switch) is answered here; every method the page called is recorded.
 *
 * The same init script records when `[data-testid=article-body]` first becomes visible
 * (`window.__benchArticleVisibleAt`, on the document's `performance.now()` clock).
 */
import type { BrowserContext } from "@playwright/test";
import type { Address } from "viem";

export interface TestWallet {
  /** Methods the pages called, in order. */
  calls: string[];
}

interface RpcAnswer {
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** Runs in every page before its own scripts: the provider, its EIP-6963 announcement, the timer. */
const PAGE_SCRIPT = `function (chainHex) {
  const listeners = new Map();
  // Looked up at call time: the binding may be installed after this script runs.
  const rpc = (method, params) => window.__benchWalletRpc(method, params);
  const emit = (event, ...args) => listeners.get(event)?.forEach((fn) => fn(...args));
  const provider = {
    async request({ method, params }) {
      const answer = await rpc(method, params ?? []);
      if (answer.error) {
        const err = new Error(answer.error.message);
        err.code = answer.error.code;
        err.data = answer.error.data;
        throw err;
      }
      if (method === "eth_requestAccounts" || method === "wallet_requestPermissions") {
        emit("connect", { chainId: chainHex });
        emit("accountsChanged", (await rpc("eth_accounts", [])).result);
      }
      return answer.result;
    },
    on(event, fn) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(fn);
      return provider;
    },
    removeListener(event, fn) {
      listeners.get(event)?.delete(fn);
      return provider;
    },
  };
  const info = Object.freeze({
    uuid: "7f0c6a52-3d1e-4b7a-9c55-0a8e2f1b6d44",
    name: "MetaMask",
    icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='8' height='8'/%3E",
    rdns: "io.metamask",
  });
  const announce = () =>
    window.dispatchEvent(
      new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }),
    );
  window.addEventListener("eip6963:requestProvider", announce);
  announce();

  const seen = () => {
    if (window.__benchArticleVisibleAt !== undefined) return;
    const el = document.querySelector('[data-testid="article-body"]');
    if (el && el.getBoundingClientRect().height > 0) {
      window.__benchArticleVisibleAt = performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(seen);
  observer.observe(document, {
    childList: true,
    subtree: true,
    attributeFilter: ["class", "style", "hidden"],
  });
}`;

/** Injects the wallet for `address` (an unlocked anvil account) into `context`. */
export async function injectTestWallet(
  context: BrowserContext,
  opts: { rpcUrl: string; address: Address; chainId: number },
): Promise<TestWallet> {
  const wallet: TestWallet = { calls: [] };
  let connected = false;
  const chainHex = `0x${opts.chainId.toString(16)}`;
  let id = 0;
  const forward = async (method: string, params: unknown[]): Promise<RpcAnswer> => {
    const res = await fetch(opts.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
    });
    const json = (await res.json()) as RpcAnswer;
    return json.error ? { error: json.error } : { result: json.result };
  };
  await context.exposeFunction(
    "__benchWalletRpc",
    async (method: string, params: unknown[]): Promise<RpcAnswer> => {
      wallet.calls.push(method);
      const permissions = [{ parentCapability: "eth_accounts" }];
      switch (method) {
        case "eth_requestAccounts":
          connected = true;
          return { result: [opts.address] };
        case "eth_accounts":
          return { result: connected ? [opts.address] : [] };
        case "wallet_requestPermissions":
          connected = true;
          return { result: permissions };
        case "wallet_getPermissions":
          return { result: connected ? permissions : [] };
        case "wallet_revokePermissions":
          connected = false;
          return { result: null };
        case "wallet_switchEthereumChain": {
          const target = (params[0] as { chainId?: string } | undefined)?.chainId;
          if (target?.toLowerCase() === chainHex) return { result: null };
          return { error: { code: 4902, message: `unknown chain ${target}` } };
        }
        case "wallet_addEthereumChain":
          return { result: null };
        default:
          return forward(method, params);
      }
    },
  );
  // A string, not a function: a function would be sent as the transpiled source, which can
  // reference helpers (e.g. esbuild's __name) that do not exist in the page.
  await context.addInitScript(`(${PAGE_SCRIPT})(${JSON.stringify(chainHex)});`);
  return wallet;
}
