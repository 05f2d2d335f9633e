/**
 * Whether this browser's wallet is connected to the site, as wagmi remembers it in localStorage
 * (`wagmi.store`: the current connection and its accounts), read without loading any wallet code.
 * A remembered connection reconnects by itself when the wallet part loads, so the paywall can
 * offer the next step ("Open a channel") rather than "Connect wallet".
 */

/** The account of the remembered connection, lower case, or undefined when there is none. */
export function rememberedAccount(
  storage: Pick<Storage, "getItem"> = localStorage,
): string | undefined {
  try {
    const stored = JSON.parse(storage.getItem("wagmi.store") ?? "null") as {
      state?: {
        current?: string | null;
        connections?: { value?: [string, { accounts?: string[] }][] };
      };
    } | null;
    const state = stored?.state;
    if (!state?.current) return undefined;
    const current = state.connections?.value?.find(([uid]) => uid === state.current)?.[1];
    const account = current?.accounts?.[0];
    return typeof account === "string" && /^0x[0-9a-fA-F]{40}$/.test(account)
      ? account.toLowerCase()
      : undefined;
  } catch {
    // No storage (private mode, blocked) or a value another version wrote: not remembered.
    return undefined;
  }
}

/**
 * The label of the paywall's wallet button: what the click will do, given the price text, whether
 * the wallet signs a covering channel, the remembered account and the reader's usable channel.
 */
export function walletButtonLabel(opts: {
  price: string;
  walletPays: boolean;
  connected: boolean;
  usable?: { deposit: bigint; balance: bigint };
  priceUnits: bigint;
}): string {
  if (opts.walletPays) return `Pay ${opts.price} with your wallet`;
  if (!opts.connected) return "Connect wallet";
  if (!opts.usable) return "Open a channel";
  if (opts.usable.deposit - opts.usable.balance < opts.priceUnits) return "Top up your channel";
  return "Continue with your wallet";
}
