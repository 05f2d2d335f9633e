/** The price of one request to the environment's upstream (UPSTREAM_URL). */
import { tokenUnit } from "@/lib/chain/token-info";
import { env } from "@/lib/env";
import { centsToUnits } from "@/lib/format";

/**
 * UPSTREAM_PRICE in token base units, or one cent of the token when it is unset (10⁴ base units of
 * a 6-decimals dollar token, 10¹⁶ of an 18-decimals one).
 *
 * @throws {@link ConfigError} or {@link ChainUnavailableError} when the token cannot be read
 */
export async function upstreamPrice(): Promise<bigint> {
  const configured = env().UPSTREAM_PRICE;
  if (configured !== undefined) return configured;
  return centsToUnits(1, (await tokenUnit()).decimals);
}
