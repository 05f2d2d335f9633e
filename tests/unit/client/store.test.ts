import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { toFunctionSignature } from "viem";
import { microTransferChannelsAbi, demoTokenAbi } from "@/lib/chain/abi";
import { jsonFileChannelStore } from "@/lib/client/file-store";
import { memoryChannelStore, PayerError, type PayerChannelStore } from "@/lib/protocol/client";
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
