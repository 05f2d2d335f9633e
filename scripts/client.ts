/**
 * paychan: the command-line payer. Fetches paid resources of a paychan-press site (or any site
 * speaking the same payment-channel protocol), opening and topping up channels as needed, and
 * manages those channels.
 *
 * @example
 * npm run client -- --key-file ./payer.key get http://127.0.0.1:3000/api/echo/fix/hello
 * npm run client -- prices http://127.0.0.1:3000
 */
import { Command, CommanderError, Option } from "commander";
import { DEFAULT_RPC_URL, defaultStatePath, type GlobalOptions } from "./client/config";
import { getCommand, type GetOptions } from "./client/commands/get";
import {
  channelsCommand,
  closeCommand,
  settleCommand,
  topupCommand,
} from "./client/commands/manage";
import { pricesCommand } from "./client/commands/prices";
import { describeFailure } from "./client/errors";
import { EXIT, EXIT_CODE_HELP } from "./client/exit-codes";

const log = (line: string) => process.stderr.write(`${line}\n`);
const out = (line: string) => process.stdout.write(`${line}\n`);

/** Builds the command tree (exported for tests of the option parsing). */
export function buildProgram(): Command {
  const program = new Command("paychan")
    .description(
      "Pay for resources of a payment-channel paywall (402 + RDN-* headers) and manage the channels.",
    )
    .addOption(
      new Option("--rpc-url <url>", "JSON-RPC endpoint of the chain the site uses")
        .env("RPC_URL")
        .default(DEFAULT_RPC_URL),
    )
    .option(
      "--key-file <file>",
      "file holding the payer's 0x private key, mode 600 (else the PAYER_PRIVATE_KEY variable)",
    )
    .option("--state <file>", `channel state file (default: ${defaultStatePath()})`)
    .showHelpAfterError("(paychan --help shows the commands, options and exit codes)")
    .addHelpText(
      "after",
      `
The key is never taken from the command line: use --key-file (readable by you only) or the
PAYER_PRIVATE_KEY environment variable. Amounts are in the site token's own units, with up to
its decimals (e.g. 0.5; the demo's dUSD has 6).

${EXIT_CODE_HELP}`,
    )
    .exitOverride();

  const globals = (): GlobalOptions => program.opts<GlobalOptions>();

  program
    .command("get")
    .description("fetch a URL, paying as needed; the body goes to stdout (or -o FILE)")
    .argument("<url>", "the resource, e.g. http://127.0.0.1:3000/articles/why-payment-channels")
    .option("-o, --output <file>", "write the body to this file")
    .option(
      "--max-price <amount>",
      "refuse to pay more than this for the request (in the site's token, e.g. 0.05)",
    )
    .option(
      "--deposit <amount>",
      "deposit of a new channel, and the most top-ups may raise one to (in the site's token, e.g. 0.05)",
    )
    .option(
      "--budget <amount>",
      "most this command may spend in total (in the site's token, e.g. 0.05)",
    )
    .option(
      "--deposit-via <way>",
      "how a channel is opened or topped up: relay (the site sends the transaction, no ETH needed), " +
        "self (your own transaction), auto (relay when the site offers one and you lack ETH for gas)",
      "auto",
    )
    .option(
      "--protocol <protocol>",
      "how the site is paid: rdn (RDN-* headers), x402 (its PAYMENT-REQUIRED offer, scheme " +
        "rdn-channel, through @x402/fetch), auto (rdn)",
      "auto",
    )
    .option("-q, --quiet", "no progress lines on stderr")
    .action((url: string, opts: GetOptions) =>
      getCommand(url, opts, globals(), { stdout: process.stdout, log }),
    );

  program
    .command("channels")
    .description(
      "list the channels in the state file: site, receiver, open block, deposit, spent, state",
    )
    .action(() => channelsCommand(globals(), out));

  program
    .command("topup")
    .description("add to a channel's deposit")
    .argument("<amount>", "amount to add (in the site's token, e.g. 0.05)")
    .option("--channel <openBlock>", "the channel (its open block); needed when several are open")
    .option(
      "--deposit-via <way>",
      "relay (the channel's site sends the transaction), self (your own), or auto",
      "auto",
    )
    .action((amount: string, opts: { channel?: string; depositVia?: string }) =>
      topupCommand(amount, opts, globals(), log),
    );

  program
    .command("close")
    .description(
      "close a channel: cooperatively with the site's closing signature, else uncooperatively",
    )
    .option("--channel <openBlock>", "the channel (its open block); needed when several are open")
    .option("--site <url>", "the site to ask for the closing signature (default: the channel's)")
    .action((opts: { channel?: string; site?: string }) => closeCommand(opts, globals(), log));

  program
    .command("settle")
    .description("settle a closing channel after its challenge period")
    .option(
      "--channel <openBlock>",
      "the channel (its open block); needed when several are closing",
    )
    .action((opts: { channel?: string }) => settleCommand(opts, globals(), log));

  program
    .command("prices")
    .description("list what a site sells and its prices (GET /api/1/prices)")
    .argument("<site>", "the site, e.g. http://127.0.0.1:3000")
    .action((site: string) => pricesCommand(site, out));

  return program;
}

/** Runs the client with `argv` (without node and the script) and resolves to its exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.commands.forEach((c) => c.exitOverride());
  try {
    await program.parseAsync(argv, { from: "user" });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; commander already printed the usage error.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const { message, exitCode } = describeFailure(err);
    log(`paychan: ${message}`);
    return exitCode;
  }
}

if (process.argv[1] && /client\.(ts|js)$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      log(`paychan: ${String(err)}`);
      process.exitCode = EXIT.usage;
    },
  );
}
