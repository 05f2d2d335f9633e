/**
 * Nobody can make the production server (`next start`) read a large body: the JSON routes that
 * anybody may call (sign-in, cooperative close) answer 413 naming the 64 KiB limit, whether the
 * body declares its length or streams without one, and so do server actions for anybody but the
 * operator. The server keeps answering afterwards.
 */
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_JSON_BODY_BYTES } from "@/lib/api/body";
import { PUBLIC_ACTION_BODY_BYTES } from "@/lib/auth/action-body";
import { createSessionCookie } from "@/lib/auth/session";
import { withEnv } from "../helpers/site-fixture";
import { startSiteServer, type SiteServer } from "../helpers/site-server";

let site: SiteServer;

beforeAll(async () => {
  site = await startSiteServer();
}, 180_000);
afterAll(async () => site?.stop());

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Sends `body` to the site: with its Content-Length, or chunked in 16 KiB pieces without one
 * (`chunked`). With `endless`, a chunked body never ends: the answer must come while it streams.
 */
function send(
  method: string,
  path: string,
  body: Buffer,
  opts: { chunked?: boolean; endless?: boolean; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const url = new URL(path, site.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method,
      headers: {
        "content-type": "application/json",
        origin: site.url,
        ...(opts.chunked ? { "transfer-encoding": "chunked" } : { "content-length": body.length }),
        ...opts.headers,
      },
    });
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => {
        resolve({ status: res.statusCode!, headers: res.headers, body: text });
        req.destroy();
      });
    });
    // The server may stop reading and close the connection while the body is still sent.
    req.on("error", (err) => (answered ? undefined : reject(err)));
    if (!opts.chunked) {
      req.end(body);
      return;
    }
    const piece = 16 * 1024;
    let offset = 0;
    const pump = () => {
      while (!answered && !req.destroyed) {
        if (offset >= body.length && !opts.endless) return void req.end();
        const chunk = body.subarray(offset % body.length, (offset % body.length) + piece);
        offset += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
    };
    pump();
  });
}

/** A JSON object of about `bytes` bytes. */
function jsonOf(bytes: number): Buffer {
  return Buffer.from(JSON.stringify({ message: "x".repeat(bytes), signature: "0x00" }));
}

function expectTooLarge(res: Answer, limit: number): void {
  expect(res.status).toBe(413);
  expect(res.headers["content-type"]).toContain("application/json");
  const body = JSON.parse(res.body) as { error: string; code: string; limit: number };
  expect(body.code).toBe("payload_too_large");
  expect(body.limit).toBe(limit);
  expect(body.error).toContain(`${limit} bytes`);
}

/** The site still answers a small request normally. */
async function expectHealthy(): Promise<void> {
  const res = await fetch(`${site.url}/api/1/auth/nonce`);
  expect(res.status).toBe(200);
  expect(((await res.json()) as { nonce: string }).nonce).toMatch(/\w{8,}/);
}

const CHANNEL = `/api/1/channels/0x70997970C51812dc3A010C7d01b50e0d17dc79C8/1`;

describe("JSON routes anybody may call", () => {
  const routes: [string, string][] = [
    ["POST", "/api/1/auth/verify"],
    ["DELETE", CHANNEL],
  ];
  for (const [method, path] of routes) {
    it(`${method} ${path}: 413 for a body whose Content-Length is over 64 KiB`, async () => {
      expectTooLarge(await send(method, path, jsonOf(100 * 1024)), MAX_JSON_BODY_BYTES);
      await expectHealthy();
    });

    it(`${method} ${path}: 413 for a chunked body once 64 KiB have arrived`, async () => {
      expectTooLarge(
        await send(method, path, jsonOf(64 * 1024), { chunked: true, endless: true }),
        MAX_JSON_BODY_BYTES,
      );
      await expectHealthy();
    }, 20_000);
  }

  it("a body just under the limit is read and judged on its content", async () => {
    const body = jsonOf(MAX_JSON_BODY_BYTES - 100);
    expect(body.length).toBeLessThanOrEqual(MAX_JSON_BODY_BYTES);
    for (const chunked of [false, true]) {
      const res = await send("POST", "/api/1/auth/verify", body, { chunked });
      expect(res.status, res.body).toBe(400);
    }
  });
});

describe("server actions", () => {
  // An action id that does not exist: the refusal comes before Next looks it up.
  const action = { "next-action": "7f".repeat(21), "content-type": "text/plain;charset=UTF-8" };
  const page = "/admin/content/media";

  it("413 for anybody but the operator with a declared body over 64 KiB", async () => {
    const res = await send("POST", page, jsonOf(100 * 1024), { headers: action });
    expectTooLarge(res, PUBLIC_ACTION_BODY_BYTES);
    await expectHealthy();
  });

  it("413 for anybody but the operator with a chunked body", async () => {
    const res = await send("POST", page, jsonOf(1024), { chunked: true, headers: action });
    expectTooLarge(res, PUBLIC_ACTION_BODY_BYTES);
    // A form post (an action without JavaScript) too.
    const form = await send("POST", page, jsonOf(100 * 1024), {
      headers: { "content-type": "multipart/form-data; boundary=x" },
    });
    expectTooLarge(form, PUBLIC_ACTION_BODY_BYTES);
    await expectHealthy();
  });

  it("the operator's large body reaches Next (whose own cap is for uploads)", async () => {
    const cookie = await withEnv({ SESSION_SECRET: site.serverEnv.SESSION_SECRET }, () =>
      createSessionCookie(site.receiver),
    );
    const res = await send("POST", page, jsonOf(100 * 1024), {
      headers: { ...action, cookie: cookie.split(";")[0]! },
    });
    expect(res.status).not.toBe(413);
    await expectHealthy();
  });

  it("the API token is no operator for server actions: still 413", async () => {
    const res = await send("POST", page, jsonOf(100 * 1024), {
      headers: { ...action, authorization: `Bearer ${site.serverEnv.API_TOKEN}` },
    });
    expectTooLarge(res, PUBLIC_ACTION_BODY_BYTES);
  });
});
