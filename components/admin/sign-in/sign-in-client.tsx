"use client";
/**
 * Operator sign-in: RainbowKit's connect dialog with its authentication adapter on the site's
 * SIWE endpoints (`/api/1/auth/nonce`, `/verify`, `/logout`). After the signature the site sets
 * the session cookie; an address that is not an operator is told so and signed out again.
 */
import {
  ConnectButton,
  createAuthenticationAdapter,
  type AuthenticationStatus,
} from "@rainbow-me/rainbowkit";
import { useEffect, useMemo, useState } from "react";
import { getAddress, type Address } from "viem";
import { createSiweMessage } from "viem/siwe";
import { useDisconnect } from "wagmi";
import type { SiteTerms } from "@/components/paywall/types";
import { WalletProviders } from "@/components/wallet/wallet-providers-client";

export interface SignInProps {
  terms: SiteTerms;
  /** Admin path to open after signing in. */
  next: string;
  /** Why the visitor is here: signed in as a reader, or just signed out. */
  reason?: { kind: "forbidden"; address: Address } | { kind: "signed-out" };
}

async function errorOf(res: Response): Promise<string> {
  const body = (await res.json().catch(() => null)) as { error?: unknown } | null;
  return typeof body?.error === "string" ? body.error : `HTTP ${res.status}`;
}

/** Hands wagmi's `disconnect` (only available inside the providers) to the adapter above them. */
function DisconnectBridge({ onReady }: { onReady: (disconnect: () => void) => void }) {
  const { disconnect } = useDisconnect();
  useEffect(() => onReady(() => disconnect()), [disconnect, onReady]);
  return null;
}

function SignIn({ terms, next, reason }: SignInProps) {
  // wagmi's disconnect, handed up once the providers are mounted.
  const [disconnect, setDisconnectFn] = useState<(() => void) | undefined>(undefined);
  const [status, setStatus] = useState<AuthenticationStatus>("unauthenticated");
  const [message, setMessage] = useState<{ kind: "error" | "ok"; text: string } | null>(
    reason?.kind === "forbidden"
      ? {
          kind: "error",
          text: `${reason.address} is signed in, but it is not an operator of this site. Connect the receiver's wallet or an admin address.`,
        }
      : reason?.kind === "signed-out"
        ? { kind: "ok", text: "You are signed out." }
        : null,
  );
  const base = terms.gatewayPath;
  const setDisconnect = useMemo(() => (fn: () => void) => setDisconnectFn(() => fn), []);

  const adapter = useMemo(
    () =>
      createAuthenticationAdapter<string>({
        getNonce: async () => {
          const res = await fetch(`${base}/auth/nonce`, { cache: "no-store" });
          if (!res.ok) throw new Error(await errorOf(res));
          return ((await res.json()) as { nonce: string }).nonce;
        },
        createMessage: ({ nonce, address, chainId }) =>
          createSiweMessage({
            domain: window.location.host,
            address: getAddress(address),
            statement: "Sign in to operate Paychan Press.",
            uri: window.location.origin,
            version: "1",
            chainId,
            nonce,
            issuedAt: new Date(),
          }),
        verify: async ({ message: siwe, signature }) => {
          setMessage({ kind: "ok", text: "Checking the signature…" });
          const res = await fetch(`${base}/auth/verify`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ message: siwe, signature }),
          });
          if (!res.ok) {
            setMessage({ kind: "error", text: `Sign-in refused: ${await errorOf(res)}` });
            return false;
          }
          const me = (await res.json()) as { address: Address; operator: boolean };
          if (!me.operator) {
            // A reader's session is no use here: drop it so the next try starts clean.
            await fetch(`${base}/auth/logout`, { method: "POST" });
            setMessage({
              kind: "error",
              text: `${me.address} is not an operator of this site. Connect the receiver's wallet or an admin address.`,
            });
            // The signature itself was good: answering true lets RainbowKit close its dialog
            // (false would keep it open over this message with a generic "error verifying
            // signature"). The status stays unauthenticated and the wallet is disconnected, so
            // the operator can connect another one.
            setTimeout(() => disconnect?.(), 0);
            return true;
          }
          setStatus("authenticated");
          setMessage({ kind: "ok", text: "Signed in. Opening the admin pages…" });
          // A full load: the console is rendered for the new session.
          window.location.assign(next);
          return true;
        },
        signOut: async () => {
          await fetch(`${base}/auth/logout`, { method: "POST" });
          setStatus("unauthenticated");
        },
      }),
    [base, next, disconnect],
  );

  return (
    <WalletProviders terms={terms} authentication={{ adapter, status }}>
      <DisconnectBridge onReady={setDisconnect} />
      <div className="admin-toolbar" data-testid="sign-in-ready">
        <ConnectButton label="Connect wallet to sign in" showBalance={false} chainStatus="none" />
      </div>
      {message && (
        <p
          role={message.kind === "error" ? "alert" : "status"}
          className={message.kind === "error" ? "admin-error" : "admin-ok"}
          data-testid={message.kind === "error" ? "sign-in-error" : "sign-in-status"}
        >
          {message.text}
        </p>
      )}
    </WalletProviders>
  );
}

export default SignIn;
