/** The channel commands: `channels`, `topup`, `close`, `settle`. */
import type { PayerChannel } from "@/lib/protocol/client/types";
import { GATEWAY_PATH } from "@/lib/protocol/headers";
import { relayOfferSchema, type RelayOffer } from "@/lib/protocol/terms";
import { formatTokens, parseTokenAmount } from "../amounts";
import type { GlobalOptions } from "../config";
import { CliError, EXIT } from "../exit-codes";
import { parseDepositVia, setupPayer } from "../payer";
import { parseSiteUrl } from "../site";
import { renderTable } from "../table";

type Log = (line: string) => void;

/** A channel's one-line name in messages. */
const name = (c: PayerChannel) =>
  `channel of block ${c.openBlock} to ${c.receiver}${c.siteOrigin ? ` (${c.siteOrigin})` : ""}`;

/**
 * The channel a command acts on: the one opened in block `--channel`, or the only candidate.
 *
 * @throws {@link CliError} (exit 1) when none or several match
 */
export function pickChannel(
  channels: PayerChannel[],
  openBlock: string | undefined,
  states: PayerChannel["state"][],
  what: string,
): PayerChannel {
  if (openBlock !== undefined) {
    if (!/^[1-9][0-9]{0,9}$/.test(openBlock))
      throw new CliError(`--channel: "${openBlock}" is not a block number`, EXIT.usage);
    const found = channels.filter((c) => c.openBlock === Number(openBlock));
    if (found.length === 0)
      throw new CliError(`no channel opened in block ${openBlock} in the state file`, EXIT.usage);
    if (found.length > 1)
      throw new CliError(
        `several channels were opened in block ${openBlock}: ${found.map(name).join("; ")}`,
        EXIT.usage,
      );
    const c = found[0]!;
    if (!states.includes(c.state))
      throw new CliError(`cannot ${what} the ${name(c)}: it is ${c.state}`, EXIT.usage);
    return c;
  }
  const candidates = channels.filter((c) => states.includes(c.state));
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0)
    throw new CliError(`no ${states.join(" or ")} channel to ${what}`, EXIT.usage);
  throw new CliError(
    `several channels could be meant; choose one with --channel <open block>: ${candidates.map(name).join("; ")}`,
    EXIT.usage,
  );
}

/** `channels`: the payer's channels as a table. */
export async function channelsCommand(global: GlobalOptions, out: Log): Promise<void> {
  const { payer } = await setupPayer(global, {});
  const channels = await payer.channels();
  if (channels.length === 0) {
    out("no channels");
    return;
  }
  out(
    renderTable(
      ["SITE", "RECEIVER", "OPEN BLOCK", "DEPOSIT", "SPENT", "STATE"],
      channels.map((c) => [
        c.siteOrigin ?? "-",
        c.receiver,
        String(c.openBlock),
        formatTokens(c.deposit),
        formatTokens(c.balance),
        c.state +
          (c.state === "closing" && c.settleBlock ? ` (settle after block ${c.settleBlock})` : "") +
          (c.siteRefused ? " (refused by the site)" : "") +
          (c.signerUnavailable ? " (signer key not held: close only)" : ""),
      ]),
    ),
  );
}

/**
 * `topup <amount>`: adds `amount` TKN to a channel's deposit, through the site's relay (its
 * `GET /api/1/prices` names it) or with the payer's transaction, as `--deposit-via` says.
 */
export async function topupCommand(
  amount: string,
  opts: { channel?: string; depositVia?: string },
  global: GlobalOptions,
  log: Log,
): Promise<void> {
  parseTokenAmount(amount, "amount"); // syntax errors before any network call
  const depositVia = parseDepositVia(opts.depositVia);
  const { payer } = await setupPayer(global, {}, log, depositVia);
  const channel = pickChannel(await payer.channels(), opts.channel, ["open"], "top up");
  const value = parseTokenAmount(amount, "amount");
  const relay =
    depositVia !== "self" && channel.siteOrigin ? await siteRelay(channel.siteOrigin) : undefined;
  const after = await payer.topUp(channel, value, { relay });
  log(`topped up the ${name(channel)}: deposit ${formatTokens(after.deposit)}`);
}

/** The relay offer a site lists in `GET /api/1/prices` (undefined when none or unreachable). */
async function siteRelay(origin: string): Promise<RelayOffer | undefined> {
  try {
    const res = await fetch(`${origin}${GATEWAY_PATH}/prices`, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) return undefined;
    const parsed = relayOfferSchema.safeParse(((await res.json()) as { relay?: unknown }).relay);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `close`: closes a channel cooperatively (the site's closing signature, settled at once), or,
 * when the site refuses or cannot be reached, uncooperatively (settle after the challenge period).
 */
export async function closeCommand(
  opts: { channel?: string; site?: string },
  global: GlobalOptions,
  log: Log,
): Promise<void> {
  const { payer } = await setupPayer(global, {}, log);
  const channel = pickChannel(await payer.channels(), opts.channel, ["open"], "close");
  const siteOrigin = opts.site ? parseSiteUrl(opts.site, "--site").origin : channel.siteOrigin;
  if (!siteOrigin)
    throw new CliError(
      `the ${name(channel)} has no site recorded: pass --site <url> for the cooperative close`,
      EXIT.usage,
    );
  const result = await payer.close(channel, { siteOrigin });
  const paid = result.channel.balance;
  if (result.cooperative) {
    log(
      `closed cooperatively: ${formatTokens(paid)} to the receiver, ${formatTokens(result.channel.deposit - paid)} back to you`,
    );
  } else {
    log(
      `closed uncooperatively at balance ${formatTokens(paid)} (the site did not cooperate: ${result.refusal ?? "no reason given"}); ` +
        `run \`settle --channel ${channel.openBlock}\`${result.channel.settleBlock ? ` after block ${result.channel.settleBlock}` : " after the challenge period"}`,
    );
  }
}

/** `settle`: settles a channel whose challenge period is over. */
export async function settleCommand(
  opts: { channel?: string },
  global: GlobalOptions,
  log: Log,
): Promise<void> {
  const { payer } = await setupPayer(global, {}, log);
  const channel = pickChannel(await payer.channels(), opts.channel, ["closing"], "settle");
  const after = await payer.settle(channel);
  log(
    `settled the ${name(channel)}: ${formatTokens(after.balance)} to the receiver, ${formatTokens(after.deposit - after.balance)} back to you`,
  );
}
