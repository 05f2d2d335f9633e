/**
 * Paywalled upstreams configured from the admin pages (`UpstreamRoute` rows). Each change drops
 * the proxy's in-memory copy of the rows in this process; other processes see it within a second.
 */
import { z } from "zod";
import { parseInput } from "@/lib/api/params";
import { forgetUpstreamRoutes, underPrefix } from "@/lib/content/upstream-routes";
import { db } from "@/lib/db/client";
import { tokenUnit } from "@/lib/chain/token-info";
import { env } from "@/lib/env";
import { BadRequestError } from "@/lib/errors";
import type { TokenUnit } from "@/lib/format";
import { checkUpstreamHost } from "@/lib/paywall/upstream-address";
import { tokenPriceSchema, upstreamPrefixSchema, upstreamUrlSchema } from "./content-validation";
import { isSitePath } from "./upstream-site-paths";

/** One configured upstream. */
export interface AdminUpstream {
  id: number;
  prefix: string;
  url: string;
  price: bigint;
  createdAt: Date;
}

/** What the upstream form sends (as typed). */
export interface UpstreamForm {
  prefix: string;
  url: string;
  price: string;
}

const upstreamSchema = (unit: TokenUnit) =>
  z.object({
    prefix: upstreamPrefixSchema,
    url: upstreamUrlSchema,
    price: tokenPriceSchema(unit),
  });
const editSchema = (unit: TokenUnit) => upstreamSchema(unit).pick({ url: true, price: true });

type Row = { id: number; prefix: string; url: string; price: string; createdAt: Date };
const toAdmin = (r: Row): AdminUpstream => ({ ...r, price: BigInt(r.price) });

/**
 * Refuses an upstream whose host resolves to a loopback, link-local or private address (or does
 * not resolve), unless UPSTREAM_ALLOW_PRIVATE is set. Each fetch checks again (DNS may change).
 *
 * @throws {@link BadRequestError} 400 naming the url field
 */
async function assertPublicUpstream(url: string): Promise<void> {
  if (env().UPSTREAM_ALLOW_PRIVATE) return;
  const parsed = new URL(url);
  const hostname = parsed.hostname;
  const check = await checkUpstreamHost(parsed, { allowPrivate: false });
  if (check.type === "unresolved")
    throw new BadRequestError(`url: ${hostname} does not resolve to an address`);
  if (check.type === "private")
    throw new BadRequestError(
      `url: ${hostname} resolves to ${check.address}, a loopback, link-local or private address ` +
        "(set UPSTREAM_ALLOW_PRIVATE=1 to allow upstreams on the site's own network)",
    );
}

/** Every configured upstream, by prefix. */
export async function listUpstreams(): Promise<AdminUpstream[]> {
  const rows = await db().upstreamRoute.findMany({ orderBy: { prefix: "asc" } });
  return rows.map(toAdmin);
}

/**
 * Configures a paywalled upstream: requests under `prefix` are fetched from `url` at `price`.
 *
 * @throws {@link BadRequestError} 400 naming the bad field (also a URL whose host resolves to a
 *   loopback, link-local or private address without UPSTREAM_ALLOW_PRIVATE); 409 when the prefix
 *   is one of the site's own paths, falls under UPSTREAM_PREFIX or is already configured
 */
export async function createUpstream(form: UpstreamForm): Promise<AdminUpstream> {
  const { prefix, url, price } = parseInput(upstreamSchema(await tokenUnit()), form);
  if (isSitePath(prefix))
    throw new BadRequestError(`prefix: ${prefix} collides with the site's own paths`, 409);
  const envPrefix = env().UPSTREAM_PREFIX.replace(/\/+$/, "");
  if (env().UPSTREAM_URL && underPrefix(prefix, envPrefix))
    throw new BadRequestError(`prefix: ${prefix} is served by UPSTREAM_PREFIX ${envPrefix}`, 409);
  const taken = await db().upstreamRoute.findUnique({ where: { prefix }, select: { id: true } });
  if (taken) throw new BadRequestError(`prefix: ${prefix} is taken`, 409);
  await assertPublicUpstream(url);
  try {
    const row = await db().upstreamRoute.create({
      data: { prefix, url, price: price.toString() },
    });
    return toAdmin(row);
  } catch (err) {
    if ((err as { code?: string }).code === "P2002")
      throw new BadRequestError(`prefix: ${prefix} is taken`, 409);
    throw err;
  } finally {
    forgetUpstreamRoutes();
  }
}

/**
 * Changes the URL and price of the upstream at `prefix` (new payments pay the new price).
 *
 * @throws {@link BadRequestError} 400 naming the bad field (the URL as for a new upstream), 404
 *   when no upstream has that prefix
 */
export async function updateUpstream(
  prefix: string,
  form: Omit<UpstreamForm, "prefix">,
): Promise<AdminUpstream> {
  const { url, price } = parseInput(editSchema(await tokenUnit()), form);
  const existing = await db().upstreamRoute.findUnique({ where: { prefix } });
  if (!existing) throw new BadRequestError(`prefix: no upstream at ${prefix}`, 404);
  await assertPublicUpstream(url);
  const row = await db().upstreamRoute.update({
    where: { prefix },
    data: { url, price: price.toString() },
  });
  forgetUpstreamRoutes();
  return toAdmin(row);
}

/**
 * Removes the upstream at `prefix`: its paths answer 404 from now on.
 *
 * @throws {@link BadRequestError} 404 when no upstream has that prefix
 */
export async function deleteUpstream(prefix: string): Promise<void> {
  const { count } = await db().upstreamRoute.deleteMany({ where: { prefix } });
  forgetUpstreamRoutes();
  if (count === 0) throw new BadRequestError(`prefix: no upstream at ${prefix}`, 404);
}
