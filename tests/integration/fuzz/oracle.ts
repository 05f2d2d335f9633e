/** The paywall fuzzer's oracle: checks each answer and the database against the model. */
import { expect } from "vitest";
import { db } from "@/lib/db/client";
import { FAILURE_HEADERS, PAID_TEXT, upstreamHandler, type FuzzRequest, type World } from "./model";

/** Checks one answer against the model and applies an accepted payment to it. */
export async function check(world: World, req: FuzzRequest, res: Response): Promise<void> {
  const e = req.expect;
  expect(res.status, "never a 5xx").toBeLessThan(500);
  const failures = FAILURE_HEADERS.filter((h) => res.headers.has(h));
  if (e.type === "pay") {
    expect(res.status).toBe(req.target.served);
    expect(res.headers.get("RDN-Sender-Balance")).toBe(e.balance.toString());
    expect(failures).toEqual([]);
    await res.arrayBuffer();
    if (req.target.handler === upstreamHandler) world.upstreamHits--;
    const chan = e.chan;
    chan.balance = e.balance;
    chan.lastSig = e.signature;
    chan.lastTarget = req.target;
    chan.accepted += req.target.price;
    chan.payments++;
    const setCookie = res.headers.get("set-cookie");
    if (req.target.receiptPath && setCookie) {
      world.receipts.set(req.target.receiptPath, {
        sender: chan.sender.address,
        cookie: setCookie.split(";")[0]!,
      });
    }
    return;
  }
  if (e.type === "receipt" || (e.type === "retry" && res.status !== 402)) {
    expect(res.status).toBe(req.target.served);
    await res.arrayBuffer();
    if (req.target.handler === upstreamHandler) world.upstreamHits--;
    return;
  }
  if (e.type !== "retry") expect(res.status).toBe(e.type === "409" ? 409 : 402);
  expect(res.headers.get("set-cookie"), "no receipt without a payment").toBeNull();
  const text = await res.text();
  // Never any of the paid content, whatever the answer's format.
  for (const paid of PAID_TEXT) expect(text, "no paid content").not.toContain(paid);
  expect(text, "no paid content").not.toContain('"echo"');
  expect(text, "no paid content").not.toContain("upstream /base");
  if (e.type === "retry") return;
  if (res.status === 402 && (req.headers.get("accept") ?? "").includes("text/html")) {
    // Browsers get the HTML paywall, with the same RDN-* headers.
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(failures).toEqual(e.type === "402" && e.failure ? [e.failure] : []);
    return;
  }
  const body = JSON.parse(text) as { error?: unknown; header?: unknown };
  if (e.type === "409") {
    expect(res.status).toBe(409);
    expect(e.headers).toContain(body.header);
    expect(String(body.error)).toContain(String(body.header));
    return;
  }
  expect(res.status).toBe(402);
  expect(body.error).toBe("payment required");
  expect(failures).toEqual(e.failure ? [e.failure] : []);
  if (e.senderBalance === null) expect(res.headers.get("RDN-Sender-Balance")).toBeNull();
  else if (e.senderBalance !== undefined)
    expect(res.headers.get("RDN-Sender-Balance")).toBe(e.senderBalance.toString());
}

/** The database agrees with the model: balances, payment sums and counts. */
export async function checkDatabase(world: World): Promise<void> {
  const rows = await db().channel.findMany({ include: { payments: true } });
  for (const chan of world.chans) {
    const row = rows.find((r) => r.id === chan.id)!;
    const sum = row.payments.reduce((s, p) => s + BigInt(p.amount), 0n);
    expect({
      channel: chan.name,
      balance: row.balance,
      sum: sum.toString(),
      payments: row.payments.length,
    }).toEqual({
      channel: chan.name,
      balance: chan.accepted.toString(),
      sum: chan.accepted.toString(),
      payments: chan.payments,
    });
  }
  const known = new Set(world.chans.map((c) => c.id));
  for (const row of rows.filter((r) => !known.has(r.id))) {
    expect({ balance: row.balance, payments: row.payments.length }).toEqual({
      balance: "0",
      payments: 0,
    });
  }
}
