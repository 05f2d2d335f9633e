import { CliError, EXIT } from "./exit-codes";

/**
 * Parses a site URL given on the command line (`http://host:port[/...]`).
 *
 * @throws {@link CliError} (exit 1) when it is not an http(s) URL
 */
export function parseSiteUrl(value: string, what = "URL"): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(
      `${what} "${value}" is not a URL (e.g. http://127.0.0.1:3000/...)`,
      EXIT.usage,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new CliError(`${what} "${value}" must be an http or https URL`, EXIT.usage);
  }
  return url;
}

/** The text of a network failure's innermost cause (`ECONNREFUSED 127.0.0.1:9`). */
export function networkReason(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause) e = e.cause;
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    return code && !e.message.includes(code) ? `${code} ${e.message}` : e.message;
  }
  return String(e);
}

/**
 * `fetch` that turns a network failure into a {@link CliError} with exit 3 naming the site.
 */
export async function fetchSite(
  url: URL,
  init?: RequestInit,
  timeoutMs = 15_000,
): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) });
  } catch (cause) {
    throw new CliError(
      `the site ${url.origin} is unreachable: ${networkReason(cause)}`,
      EXIT.network,
      {
        cause,
      },
    );
  }
}
