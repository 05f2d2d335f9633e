/**
 * Every admin page, server action and operator route refuses callers who are not the operator:
 * nobody signed in, a reader signed in with Ethereum, and a script holding only the API token
 * (it is for `/api/1`). Runs against the production build
 * (`next start`), so server actions are called the way a browser (or an attacker) calls them: a
 * POST with the action's id. The lists are read from the build and the file tree, so a new page,
 * action or route is covered (or fails here) without editing this file.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { createSiweMessage } from "viem/siwe";
import { startSiteServer, type SiteServer } from "../../helpers/site-server";
import { ANVIL_KEY_0 } from "../../../scripts/lib/prepare-site";

const root = path.resolve(__dirname, "../../..");
const distDir = process.env.NEXT_DIST_DIR ?? ".next";

let site: SiteServer;
/** The server's API_TOKEN (tests/helpers/site-server.ts) as a script sends it. */
const API_TOKEN_HEADER = { authorization: "Bearer client-api-token-0123456789" };
let readerCookie: string;
let operatorCookie: string;

/** Signs in over HTTP as `account` and returns the session cookie (`rdn_session=…`). */
async function signIn(account: PrivateKeyAccount): Promise<string> {
  const { nonce } = (await (await fetch(`${site.url}/api/1/auth/nonce`)).json()) as {
    nonce: string;
  };
  const url = new URL(site.url);
  const message = createSiweMessage({
    domain: url.host,
    address: account.address,
    uri: site.url,
    version: "1",
    chainId: site.deployment.chainId,
    nonce,
    issuedAt: new Date(),
  });
  const signature = await account.signMessage({ message });
  const res = await fetch(`${site.url}/api/1/auth/verify`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: site.url },
    body: JSON.stringify({ message, signature }),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
  expect(cookie).toMatch(/^rdn_session=./);
  return cookie;
}

/** Files named `name` under `dir`, relative to the repository root. */
function findFiles(dir: string, name: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(root, dir))) {
    const rel = path.join(dir, entry);
    if (statSync(path.join(root, rel)).isDirectory()) out.push(...findFiles(rel, name));
    else if (entry === name) out.push(rel);
  }
  return out;
}

/** Sample values for dynamic segments (any value: the refusal must come before the lookup). */
const SAMPLES: Record<string, string> = {
  sender: "0x1111111111111111111111111111111111111111",
  open_block: "7",
  openBlock: "7",
  slug: "the-402-status-code",
};

/** `app/admin/(console)/channels/[sender]/page.tsx` → `/admin/channels/0x1111…`. */
function urlOf(file: string): string {
  const segments = path
    .dirname(file)
    .split(path.sep)
    .slice(1)
    .filter((s) => !/^\(.*\)$/.test(s))
    .map((s) => {
      const m = s.match(/^\[(?:\.\.\.)?(.+)\]$/);
      return m ? (SAMPLES[m[1]!] ?? "x") : s;
    });
  return `/${segments.join("/")}`;
}

beforeAll(async () => {
  site = await startSiteServer({ env: { INDEXER_ENABLED: "false" } });
  readerCookie = await signIn(privateKeyToAccount(generatePrivateKey()));
  operatorCookie = await signIn(privateKeyToAccount(ANVIL_KEY_0));
}, 120_000);
afterAll(async () => site?.stop());

describe("admin pages", () => {
  const pages = findFiles("app/admin", "page.tsx").filter((f) => !f.includes("sign-in"));

  it("are found (dashboard, channels, content, authors, settings)", () => {
    const urls = pages.map(urlOf);
    for (const u of [
      "/admin",
      "/admin/channels",
      "/admin/content",
      "/admin/authors",
      "/admin/settings",
    ])
      expect(urls).toContain(u);
  });

  it.each(pages.map((f) => [urlOf(f)]))(
    "%s redirects anonymous visitors and readers to sign-in",
    async (url) => {
      const anonymous = await fetch(`${site.url}${url}`, { redirect: "manual" });
      expect(anonymous.status).toBe(307);
      const location = new URL(anonymous.headers.get("location")!, site.url);
      expect(location.pathname).toBe("/admin/sign-in");
      // Sign-in leads back to the page asked for.
      expect(location.searchParams.get("next")).toBe(url);
      const reader = await fetch(`${site.url}${url}`, {
        redirect: "manual",
        headers: { cookie: readerCookie },
      });
      expect(reader.status).toBe(307);
      expect(reader.headers.get("location")).toMatch(/\/admin\/sign-in\?.*reason=forbidden/);
      const body = await reader.text();
      expect(body).not.toContain("admin-shell");
      const token = await fetch(`${site.url}${url}`, {
        redirect: "manual",
        headers: API_TOKEN_HEADER,
      });
      expect(token.status).toBe(307);
      expect(new URL(token.headers.get("location")!, site.url).pathname).toBe("/admin/sign-in");
    },
  );

  it("serve the operator", async () => {
    const res = await fetch(`${site.url}/admin/settings`, { headers: { cookie: operatorCookie } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("settings-table");
  });
});

type ManifestEntry = {
  workers: Record<string, unknown>;
  exportedName?: string;
  filename?: string;
};

/** Every server action of the build: its id, name and a page that serves it. */
function serverActions(): { id: string; name: string; page: string }[] {
  const file = path.join(root, distDir, "server", "server-reference-manifest.json");
  const manifest = JSON.parse(readFileSync(file, "utf8")) as {
    node: Record<string, ManifestEntry>;
  };
  return Object.entries(manifest.node).map(([id, entry]) => {
    // A page without dynamic segments when there is one (any page serving the action will do).
    const worker = Object.keys(entry.workers)
      .filter((w) => w.startsWith("app/admin"))
      .sort((a, b) => a.split("[").length - b.split("[").length)[0];
    if (!worker) throw new Error(`server action ${id} is not served by an admin page`);
    return {
      id,
      name: entry.exportedName ?? id,
      page: urlOf(`${worker.replace(/\/page$/, "")}/page.tsx`),
    };
  });
}

/** Calls a server action as a browser does and returns the RSC payload's text. */
async function callAction(
  action: { id: string; page: string },
  cookie?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${site.url}${action.page}`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "next-action": action.id,
      "content-type": "text/plain;charset=UTF-8",
      accept: "text/x-component",
      origin: site.url,
      ...(cookie ? { cookie } : {}),
      ...headers,
    },
    body: JSON.stringify([{}]),
  });
  return { status: res.status, text: await res.text() };
}

describe("server actions", () => {
  let actions: ReturnType<typeof serverActions>;
  beforeAll(() => {
    actions = serverActions();
  });

  it("are found in the build", () => {
    expect(actions.length).toBeGreaterThanOrEqual(8);
  });

  it("each refuse an anonymous caller (401) and a reader (403) before doing anything", async () => {
    for (const action of actions) {
      const anonymous = await callAction(action);
      expect(anonymous.status, action.name).toBe(200);
      expect(anonymous.text, action.name).toContain('"ok":false');
      expect(anonymous.text, action.name).toContain('"status":401');
      const reader = await callAction(action, readerCookie);
      expect(reader.text, action.name).toContain('"ok":false');
      expect(reader.text, action.name).toContain('"status":403');
    }
  });

  it("each refuse a caller with only the API token (401): it is for /api/1", async () => {
    for (const action of actions) {
      const token = await callAction(action, undefined, API_TOKEN_HEADER);
      expect(token.text, action.name).toContain('"ok":false');
      expect(token.text, action.name).toContain('"status":401');
    }
    // The same token is accepted by the operator API.
    const stats = await fetch(`${site.url}/api/1/stats`, { headers: API_TOKEN_HEADER });
    expect(stats.status).toBe(200);
  });

  it("get past the check for the operator (the input is then parsed)", async () => {
    const results = await Promise.all(actions.map((a) => callAction(a, operatorCookie)));
    for (const [i, r] of results.entries()) {
      expect(r.text, actions[i]!.name).not.toContain('"status":401');
      expect(r.text, actions[i]!.name).not.toContain('"status":403');
    }
  });
});

/** Who may call each route handler method; a route missing here fails the test. */
const ROUTE_AUTH: Record<string, "operator" | "sender" | "public"> = {
  "GET /api/1/stats": "operator",
  "GET /api/1/channels": "operator",
  "GET /api/1/channels/:sender": "sender",
  "GET /api/1/channels/:sender/:open_block": "sender",
  "GET /api/1/channels/:sender/:open_block/payments": "sender",
  // Authenticated by a signed CloseRequest or the sender's session (tests/integration/api-close-auth).
  "DELETE /api/1/channels/:sender/:open_block": "public",
  // Relayed opens and top-ups: authenticated by the sender's EIP-3009 signature, limited by the
  // relay's policy (tests/integration/relay).
  "POST /api/1/channels": "public",
  "POST /api/1/channels/:sender/:open_block/topups": "public",
  // Relayed close: authenticated like the DELETE (tests/integration/relay/relay-close).
  "POST /api/1/channels/:sender/:open_block/close": "public",
  "GET /api/1/relays/:tx_hash": "public",
  // Test tokens, local chain only, rate-limited per address and IP (tests/integration/relay/faucet).
  "POST /api/1/faucet": "public",
  "POST /api/1/withdraw": "operator",
  "POST /api/1/sync": "operator",
  "GET /api/1/prices": "public",
  "GET /api/1/auth/nonce": "public",
  "POST /api/1/auth/verify": "public",
  "POST /api/1/auth/logout": "public",
  "GET /api/1/auth/me": "public",
};

function routeHandlers(): { key: string; url: string; method: string }[] {
  const files = [...findFiles("app/api/1", "route.ts"), ...findFiles("app/admin", "route.ts")];
  return files.flatMap((file) => {
    const source = readFileSync(path.join(root, file), "utf8");
    const methods = [
      ...source.matchAll(/export (?:const|async function) (GET|POST|PUT|PATCH|DELETE)\b/g),
    ];
    const pattern = path
      .dirname(file)
      .split(path.sep)
      .slice(1)
      .filter((s) => !/^\(.*\)$/.test(s))
      .map((s) => s.replace(/^\[(.+)\]$/, ":$1"))
      .join("/");
    return methods.map(([, method]) => ({
      key: `${method} /${pattern}`,
      url: urlOf(file.replace(/route\.ts$/, "page.tsx")),
      method: method!,
    }));
  });
}

describe("route handlers", () => {
  const routes = routeHandlers();

  it("are all classified", () => {
    for (const r of routes) {
      const rule = ROUTE_AUTH[r.key] ?? (r.key.includes(" /admin/") ? "operator" : undefined);
      expect(rule, `${r.key} is missing from ROUTE_AUTH`).toBeDefined();
    }
  });

  const guarded = routes.filter(
    (r) => (ROUTE_AUTH[r.key] ?? (r.key.includes(" /admin/") ? "operator" : "public")) !== "public",
  );

  it.each(guarded.map((r) => [r.key, r]))(
    "%s refuses anonymous callers (401) and other readers (403)",
    async (_key, r) => {
      const send = (cookie?: string) =>
        fetch(`${site.url}${r.url}`, {
          method: r.method,
          redirect: "manual",
          headers: {
            origin: site.url,
            "content-type": "application/json",
            ...(cookie ? { cookie } : {}),
          },
          body: r.method === "GET" ? undefined : "{}",
        });
      const anonymous = await send();
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ code: "unauthenticated" });
      const reader = await send(readerCookie);
      expect(reader.status).toBe(403);
      expect(await reader.json()).toMatchObject({ code: "forbidden" });
      if (r.key.includes(" /admin/")) {
        // The API token is for /api/1 only.
        const token = await fetch(`${site.url}${r.url}`, {
          method: r.method,
          redirect: "manual",
          headers: { origin: site.url, ...API_TOKEN_HEADER },
        });
        expect(token.status).toBe(401);
      }
    },
  );
});
