/**
 * A payer that holds only a session key (the browser's auto-pay: no wallet loaded) against the
 * real site: it pays from the session key's channel, never deposits, and every step that needs
 * the sender's wallet fails with a "no-signer" PayerError before anything is sent. Also `open`
 * with a chosen deposit and `policy.autoDeposit: false` for a payer that has a wallet.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  createPayer,
  memoryChannelStore,
  PayerError,
  type PayerEvent,
} from "@/lib/protocol/client";
import { channelsCreatedBy, startSiteServer, type SiteServer } from "../../helpers/site-server";

const TOKEN = 10n ** 18n;

describe("session-key-only payer and payer.open", () => {
  let site: SiteServer;

  beforeAll(async () => {
    site = await startSiteServer();
  }, 180_000);

  afterAll(async () => {
    await site?.stop();
  });

  const target = () => ({
    contract: site.deployment.contract,
    token: site.deployment.token,
    receiver: site.receiver,
    chainId: site.deployment.chainId,
    siteOrigin: site.url,
  });

  it("opens with the chosen deposit, then pays with only the session key and never deposits", async () => {
    const { key, address } = await site.fundedAccount(100n * TOKEN);
    const session = privateKeyToAccount(generatePrivateKey());
    const store = memoryChannelStore();
    const opener = createPayer({
      account: privateKeyToAccount(key),
      sessionSigner: session,
      publicClient: site.publicClient,
      store,
      policy: { autoDeposit: false },
      pollingIntervalMs: 200,
    });
    const opened = await opener.open(target(), 12n);
    expect(opened).toMatchObject({ sender: address, signer: session.address, deposit: 12n });
    expect(await channelsCreatedBy(site, address)).toHaveLength(1);

    const events: PayerEvent[] = [];
    const sessionOnly = createPayer({
      account: address,
      sessionSigner: session,
      publicClient: site.publicClient,
      store,
      policy: { autoDeposit: false, confirmationTimeoutMs: 30_000 },
      pollingIntervalMs: 200,
      onEvent: (e) => events.push(e),
    });
    // The price of /api/echo/fix/* is 5: two payments fit the deposit of 12, a third does not.
    for (const path of ["/api/echo/fix/a", "/api/echo/fix/b"]) {
      expect((await sessionOnly.fetch(`${site.url}${path}`)).status).toBe(200);
    }
    expect((await sessionOnly.channels())[0]).toMatchObject({ balance: 10n, deposit: 12n });

    const third = await sessionOnly.fetch(`${site.url}/api/echo/fix/c`).catch((e: unknown) => e);
    expect(third).toBeInstanceOf(PayerError);
    expect((third as PayerError).code).toBe("over-policy");
    expect((third as PayerError).details.needs).toBe("top-up");

    const topUp = await sessionOnly.topUp(opened, 10n).catch((e: unknown) => e);
    expect(topUp).toBeInstanceOf(PayerError);
    expect((topUp as PayerError).code).toBe("no-signer");

    const open = await sessionOnly.open(target(), 10n).catch((e: unknown) => e);
    expect((open as PayerError).code).toBe("no-signer");

    expect(events.some((e) => e.type === "opening-channel" || e.type === "topping-up")).toBe(false);
    expect(events.some((e) => e.type === "transaction-sent")).toBe(false);
    // Nothing more was deposited: still one channel with the deposit of 12 on chain.
    expect(await channelsCreatedBy(site, address)).toHaveLength(1);
    expect((await sessionOnly.channels())[0]).toMatchObject({ balance: 10n, deposit: 12n });
  }, 120_000);

  it("refuses to sign for a channel of the sender's own wallet without the wallet", async () => {
    const { key, address } = await site.fundedAccount(100n * TOKEN);
    const store = memoryChannelStore();
    const withWallet = createPayer({
      account: privateKeyToAccount(key),
      publicClient: site.publicClient,
      store,
      pollingIntervalMs: 200,
    });
    expect((await withWallet.fetch(`${site.url}/api/echo/fix/own`)).status).toBe(200);

    const sessionOnly = createPayer({
      account: address,
      sessionSigner: privateKeyToAccount(generatePrivateKey()),
      publicClient: site.publicClient,
      store,
      policy: { autoDeposit: false },
    });
    // The sender's channel is not the session key's: the session-only payer does not count it.
    const err = await sessionOnly.fetch(`${site.url}/api/echo/fix/x`).catch((e: unknown) => e);
    expect((err as PayerError).code).toBe("over-policy");
    expect((err as PayerError).details.needs).toBe("open");
  }, 120_000);

  it("still requires a wallet client or a session key for a JSON-RPC account", () => {
    const make = () =>
      createPayer({
        account: "0x0000000000000000000000000000000000000001" as Address,
        publicClient: site.publicClient,
        store: memoryChannelStore(),
      });
    expect(make).toThrow(PayerError);
  });
});
