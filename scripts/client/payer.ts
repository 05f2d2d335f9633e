/**
 * Builds the payer (lib/protocol/client) for a command: the payer's key and chain from the global
 * options, its channels in the JSON state file, and progress lines on stderr.
 */
import type { Hex, PublicClient } from "viem";
import { jsonFileChannelStore } from "@/lib/client/file-store";
import {
  createPayer,
  type DepositVia,
  type Payer,
  type PayerEvent,
  type SpendingPolicy,
} from "@/lib/protocol/client";
import { formatTokens, adoptTokenUnits } from "./amounts";
import { connectChain, statePath, type ChainClients, type GlobalOptions } from "./config";
import { CliError, EXIT } from "./exit-codes";

/** Short transaction hash for progress lines. */
const tx = (h: Hex) => `${h.slice(0, 10)}…`;

/** One progress line per payer event (undefined for events not worth a line). */
export function describeEvent(e: PayerEvent): string | undefined {
  switch (e.type) {
    case "payment-required":
      return `402 for ${e.url}: price ${formatTokens(e.price)}${e.reason === "payment-required" ? "" : ` (${e.reason})`}`;
    case "opening-channel":
      return `opening a channel to ${e.receiver} with a deposit of ${formatTokens(e.deposit)}${e.via === "relay" ? " through the site's relay" : ""}`;
    case "channel-opened":
      return e.via === "relay"
        ? `opened channel in block ${e.channel.openBlock} through the site's relay (no gas paid; tx ${tx(e.txHash)})`
        : `opened channel in block ${e.channel.openBlock} with your transaction (tx ${tx(e.txHash)}${e.permit ? ", with permit" : ""})`;
    case "topping-up":
      return `topping up the channel of block ${e.channel.openBlock} by ${formatTokens(e.amount)}${e.via === "relay" ? " through the site's relay" : ""}`;
    case "topped-up":
      return e.via === "relay"
        ? `topped up through the site's relay (no gas paid): deposit ${formatTokens(e.channel.deposit)} (tx ${tx(e.txHash)})`
        : `topped up with your transaction: deposit ${formatTokens(e.channel.deposit)} (tx ${tx(e.txHash)})`;
    case "signing-authorization":
      return `signing the deposit authorization of ${formatTokens(e.amount)} for the site's relay`;
    case "relay-requested":
      return `asked ${e.url} to ${e.what === "open" ? "open the channel" : "top up the channel"}`;
    case "relay-pending":
      return `the site sent ${e.what === "open" ? "the open" : "the top-up"} (tx ${tx(e.txHash)}); waiting for it to be mined`;
    case "transaction-sent":
      return `sent ${e.what} (tx ${tx(e.txHash)}), waiting for it to be mined`;
    case "waiting-confirmations":
      return `waiting for confirmations (${e.missing} more block${e.missing === 1 ? "" : "s"})`;
    case "waiting-for-site":
      return `waiting for the site to see the channel (${e.reason})`;
    case "signed":
      return `signed balance ${formatTokens(e.balance)} on the channel of block ${e.channel.openBlock} (${formatTokens(e.charged)} counted against the limits)`;
    case "paid": {
      const left = e.channel.deposit - e.balance;
      return `paid ${formatTokens(e.price)}; balance left ${formatTokens(left)} of ${formatTokens(e.channel.deposit)} (channel of block ${e.channel.openBlock})`;
    }
    case "adopted-server-balance":
      return `continuing from the site's last accepted balance ${formatTokens(e.to)} (was ${formatTokens(e.from)})`;
    case "channel-recovered":
      return `found the channel of block ${e.channel.openBlock} on chain (deposit ${formatTokens(e.channel.deposit)}, ${e.channel.state}${e.channel.signerUnavailable ? `, signed by ${e.channel.signer}, a key this payer does not hold: it can only be closed` : ""})`;
    case "channel-state-changed":
      return `channel of block ${e.channel.openBlock} is now ${e.channel.state}: ${e.reason}`;
    case "close-requested":
      return `asking ${e.siteOrigin} for its closing signature`;
    case "close-refused":
      return `the site refused a cooperative close: ${e.reason}`;
    case "closed":
      return e.cooperative
        ? `closed cooperatively (tx ${tx(e.txHash)})`
        : `uncooperative close requested (tx ${tx(e.txHash)})`;
    case "settled":
      return `settled (tx ${tx(e.txHash)})`;
    default:
      return undefined;
  }
}

export interface PayerSetup {
  payer: Payer;
  clients: ChainClients;
}

/**
 * Connects to the chain, opens the state file and creates the payer.
 *
 * @param log where progress lines go (stderr), or undefined for none
 * @param depositVia how channels are opened and topped up (`--deposit-via`)
 */
export async function setupPayer(
  opts: GlobalOptions,
  policy: SpendingPolicy,
  log?: (line: string) => void,
  depositVia: DepositVia = "auto",
): Promise<PayerSetup> {
  const clients = await connectChain(opts);
  const payer = createPayer({
    account: clients.account,
    walletClient: clients.walletClient,
    publicClient: clients.publicClient,
    store: jsonFileChannelStore(statePath(opts)),
    policy,
    depositVia,
    onEvent: (e) => {
      const line = describeEvent(e);
      if (line && log) log(line);
    },
  });
  // Amounts print in the units of the token the stored channels hold.
  const [known] = await payer.channels();
  if (known) await adoptTokenUnits(clients.publicClient as PublicClient, known.token);
  return { payer, clients };
}

/** The values of `--deposit-via`. */
export const DEPOSIT_VIA = ["auto", "relay", "self"] as const;

/**
 * Reads `--deposit-via` (default auto).
 *
 * @throws {@link CliError} (exit 1) for another value
 */
export function parseDepositVia(value: string | undefined): DepositVia {
  if (value === undefined) return "auto";
  if ((DEPOSIT_VIA as readonly string[]).includes(value)) return value as DepositVia;
  throw new CliError(
    `--deposit-via: "${value}" is not one of ${DEPOSIT_VIA.join(", ")}`,
    EXIT.usage,
  );
}
