import { createSiweMessage } from "viem/siwe";
import type { PrivateKeyAccount } from "viem";

/** Signs in over HTTP at `siteUrl` as `account`; returns the session cookie (`rdn_session=…`). */
export async function signIn(
  siteUrl: string,
  account: PrivateKeyAccount,
  chainId: number,
): Promise<string> {
  const { nonce } = (await (await fetch(`${siteUrl}/api/1/auth/nonce`)).json()) as {
    nonce: string;
  };
  const message = createSiweMessage({
    domain: new URL(siteUrl).host,
    address: account.address,
    uri: siteUrl,
    version: "1",
    chainId,
    nonce,
    issuedAt: new Date(),
  });
  const res = await fetch(`${siteUrl}/api/1/auth/verify`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: siteUrl },
    body: JSON.stringify({ message, signature: await account.signMessage({ message }) }),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return res.headers.get("set-cookie")!.split(";")[0]!;
}
