import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { toFunctionSignature } from "viem";
import { microTransferChannelsAbi, demoTokenAbi } from "@/lib/chain/abi";
import { jsonFileChannelStore } from "@/lib/client/file-store";
import {
  channelToJson,
  memoryChannelStore,
  PayerError,
  storedChannelSchema,
  type PayerChannelStore,
} from "@/lib/protocol/client";
import { payerChannelsAbi, payerTokenAbi } from "@/lib/protocol/client/abi";
import { buildChannel } from "./builders";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmpFile(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "payer-store-"));
  dirs.push(dir);
  return path.join(dir, "nested", "channels.json");
}

describe.each<[string, () => PayerChannelStore]>([
  ["memoryChannelStore", () => memoryChannelStore()],
  ["jsonFileChannelStore", () => jsonFileChannelStore(tmpFile())],
])("%s", (_name, make) => {
  it("replaces by (chainId, contract, sender, receiver, openBlock) and keeps the others", async () => {
    const store = make();
    expect(await store.list()).toEqual([]);
    await store.put(buildChannel({ openBlock: 1 }));
    await store.put(buildChannel({ openBlock: 2 }));
    await store.put(buildChannel({ openBlock: 1, balance: 7n, signature: `0x${"ab".repeat(65)}` }));
    await store.put(buildChannel({ openBlock: 1, chainId: 1 }));
    const list = await store.list();
    expect(list).toHaveLength(3);
    expect(list.find((c) => c.openBlock === 1 && c.chainId === 31337)?.balance).toBe(7n);
    await store.remove!(buildChannel({ openBlock: 2 }));
    expect((await store.list()).map((c) => c.openBlock)).toEqual([1, 1]);
  });

  it("keeps bigints above 2^53 exactly", async () => {
    const store = make();
    const big = 2n ** 190n + 12345n;
    await store.put(buildChannel({ deposit: big, balance: big - 1n }));
    const [c] = await store.list();
    expect(c!.deposit).toBe(big);
    expect(c!.balance).toBe(big - 1n);
  });
});

describe("jsonFileChannelStore file", () => {
  it("writes decimal strings, mode 0600, atomically (no temp file left)", async () => {
    const file = tmpFile();
    const store = jsonFileChannelStore(file);
    await store.put(buildChannel({ deposit: 10n ** 20n }));
    const doc = JSON.parse(readFileSync(file, "utf8"));
    expect(doc.version).toBe(1);
    expect(doc.channels[0].deposit).toBe("100000000000000000000");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.dirname(file))).toEqual(["channels.json"]);
  });

  it.each([
    ["not JSON", "{ nope", /not valid JSON/],
    [
      "the wrong shape",
      JSON.stringify({ version: 1, channels: [{ chainId: "x" }] }),
      /is malformed \(channels\.0\./,
    ],
  ])("refuses a file that is %s and never overwrites it", async (_name, content, message) => {
    const file = tmpFile();
    const store = jsonFileChannelStore(file);
    await store.put(buildChannel());
    writeFileSync(file, content);
    await expect(store.list()).rejects.toThrow(message);
    const err = await store.put(buildChannel({ openBlock: 99 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayerError);
    expect((err as PayerError).code).toBe("bad-store");
    expect(readFileSync(file, "utf8")).toBe(content);
  });
});

describe("payer ABI fragments", () => {
  it.each([
    ["MicroTransferChannels", payerChannelsAbi, microTransferChannelsAbi],
    [
      "DemoToken",
      payerTokenAbi.filter((f) => !(f.type === "function" && f.name === "version")),
      demoTokenAbi,
    ],
  ] as const)("match the generated %s ABI", (_name, fragments, generated) => {
    const known = new Set(
      generated
        .filter((f) => f.type === "function" || f.type === "event" || f.type === "error")
        .map((f) => toFunctionSignature(f as never)),
    );
    for (const f of fragments) expect(known).toContain(toFunctionSignature(f as never));
  });
});

describe.each<[string, () => PayerChannelStore]>([
  ["memoryChannelStore", () => memoryChannelStore()],
  ["jsonFileChannelStore", () => jsonFileChannelStore(tmpFile())],
])("%s reservations", (_name, make) => {
  const allowAll = () => undefined;

  it("charges what a signature adds above the highest balance signed, and records it", async () => {
    const store = make();
    await store.put(buildChannel({ balance: 10n }));
    expect(await store.reserve!(buildChannel(), 20n, allowAll)).toBe(10n);
    // The same balance again (a resend, another tab's proof) adds nothing.
    expect(await store.reserve!(buildChannel(), 20n, allowAll)).toBe(0n);
    // A lower balance (the site rewound us) adds nothing either.
    expect(await store.reserve!(buildChannel(), 15n, allowAll)).toBe(0n);
    expect(await store.reserve!(buildChannel(), 35n, allowAll)).toBe(15n);
    expect((await store.list())[0]).toMatchObject({ balance: 10n, signed: 35n });
  });

  it("refuses without recording when the check says no", async () => {
    const store = make();
    await store.put(buildChannel());
    const seen: bigint[] = [];
    await expect(
      store.reserve!(buildChannel(), 30n, (charge) => {
        seen.push(charge);
        return new PayerError("over-policy", "no");
      }),
    ).rejects.toThrow("no");
    expect(seen).toEqual([30n]);
    expect((await store.list())[0]!.signed).toBeUndefined();
  });

  it("parallel reservations against one limit never pass the same check twice", async () => {
    const store = make();
    await store.put(buildChannel());
    let total = 0n;
    const limit = 35n;
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        store.reserve!(buildChannel(), BigInt((i + 1) * 10), (charge) => {
          if (total + charge > limit) return new PayerError("over-policy", "over");
          total += charge;
          return undefined;
        }),
      ),
    );
    expect(total).toBeLessThanOrEqual(limit);
    expect(results.filter((r) => r.status === "fulfilled").length).toBeGreaterThan(0);
    // What the store records as signed is exactly what was allowed.
    expect((await store.list())[0]!.signed).toBe(total);
  });

  it("a write from a stale copy never lowers the highest signed balance", async () => {
    const store = make();
    await store.put(buildChannel());
    await store.reserve!(buildChannel(), 50n, allowAll);
    await store.put(buildChannel({ balance: 20n, signature: null }));
    expect((await store.list())[0]).toMatchObject({ balance: 20n, signed: 50n });
    // Accepting the highest signed balance drops the separate mark.
    await store.put(buildChannel({ balance: 50n }));
    expect((await store.list())[0]!.signed).toBeUndefined();
  });
});

describe("channelToJson", () => {
  it("keeps the highest signed balance as a decimal string", () => {
    const json = channelToJson(buildChannel({ balance: 1n, signed: 2n ** 70n }));
    expect(json.signed).toBe((2n ** 70n).toString());
    expect(storedChannelSchema.parse(json).signed).toBe(2n ** 70n);
  });
});
