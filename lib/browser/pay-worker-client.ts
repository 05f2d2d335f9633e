/**
 * Registering the auto-pay service worker (`/pay-worker.js`, see `./pay-worker.ts`), which pays a
 * reader's own clicks on articles on the request itself. Registered when auto-pay is on in this
 * browser; it needs nothing else from the page, and pays nothing once auto-pay is off.
 */

/** The worker's script path. */
export const PAY_WORKER_PATH = "/pay-worker.js";

/**
 * Registers (or keeps) the worker for this site, reading the chain at `rpcUrl`. Does nothing where
 * service workers are unavailable (an insecure origin other than localhost, a private window that
 * disallows them): the paywall pays as before.
 */
export async function ensurePayWorker(rpcUrl: string): Promise<void> {
  if (typeof navigator === "undefined" || !("serviceWorker" in navigator)) return;
  const url = `${PAY_WORKER_PATH}?rpc=${encodeURIComponent(rpcUrl)}`;
  try {
    const current = await navigator.serviceWorker.getRegistration("/");
    const active = current?.active ?? current?.waiting ?? current?.installing;
    if (active && new URL(active.scriptURL).search === new URL(url, location.href).search) return;
    await navigator.serviceWorker.register(url, { scope: "/" });
  } catch {
    // Not allowed here: the paywall pays after the page loads, as it always did.
  }
}
