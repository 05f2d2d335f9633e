"use client";

import dynamic from "next/dynamic";
import type { SignInProps } from "./sign-in-client";

// RainbowKit runs in the browser only (server-rendering it breaks the build).
const SignIn = dynamic(() => import("./sign-in-client"), {
  ssr: false,
  loading: () => (
    <p className="muted" data-testid="sign-in-status">
      Loading the wallet…
    </p>
  ),
});

/** The sign-in island, loaded in the browser only. */
export function SignInLoader(props: SignInProps) {
  return <SignIn {...props} />;
}
