/**
 * A channel store in a JSON file, for the CLI (Node only). Amounts are decimal strings; the file is
 * private to its user (mode 0600), replaced atomically (temporary file + rename) and never
 * overwritten when it cannot be read: a channel holds a deposit.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PayerError } from "../protocol/client/errors";
import {
  channelToJson,
  reserveInList,
  storedChannelsSchema,
  upsertChannel,
} from "../protocol/client/store";
import { sameChannel, type PayerChannel, type PayerChannelStore } from "../protocol/client/types";

/** Expands a leading `~` to the home directory. */
function expandHome(file: string): string {
  return file === "~" || file.startsWith("~/") ? path.join(os.homedir(), file.slice(1)) : file;
}

/**
 * A {@link PayerChannelStore} kept in `file` (created with its directory on the first write).
 *
 * @throws {@link PayerError} "bad-store" from `list`/`put` when the file is not a channel store
 *   (it is then left untouched)
 * @example
 * const store = jsonFileChannelStore("~/.paychan/channels.json");
 * const payer = createPayer({ account, publicClient, store });
 */
export function jsonFileChannelStore(file: string): PayerChannelStore {
  const target = path.resolve(expandHome(file));
  let queue: Promise<unknown> = Promise.resolve();
  const serialize = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  };

  async function read(): Promise<PayerChannel[]> {
    let text: string;
    try {
      text = await readFile(target, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw new PayerError("bad-store", `Cannot read the channel store ${target}.`, { cause: err });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new PayerError(
        "bad-store",
        `The channel store ${target} is not valid JSON; it was left as it is (fix or move it).`,
        { cause },
      );
    }
    const parsed = storedChannelsSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new PayerError(
        "bad-store",
        `The channel store ${target} is malformed (${issue.path.join(".") || "root"}: ${issue.message}); ` +
          `it was left as it is (fix or move it).`,
        { cause: parsed.error },
      );
    }
    return parsed.data.channels;
  }

  async function write(channels: PayerChannel[]): Promise<void> {
    await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    const tmp = `${target}.${randomBytes(6).toString("hex")}.tmp`;
    const doc = { version: 1, channels: channels.map(channelToJson) };
    await writeFile(tmp, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, target);
  }

  return {
    list: () => serialize(read),
    put: (channel) => serialize(async () => write(upsertChannel(await read(), channel))),
    remove: (channel) =>
      serialize(async () => write((await read()).filter((c) => !sameChannel(c, channel)))),
    reserve: (channel, balance, allow) =>
      serialize(async () => {
        const list = await read();
        const result = reserveInList(list, channel, balance, allow);
        if ("error" in result) throw result.error;
        if (result.list !== list) await write(result.list);
        return result.charge;
      }),
  };
}
