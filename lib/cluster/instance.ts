import { env } from "@/lib/env";

/** Header naming the instance that answered, when several serve the site behind a load balancer. */
export const INSTANCE_HEADER = "X-Paychan-Instance";

/** Adds {@link INSTANCE_HEADER} (PAYCHAN_INSTANCE) to `headers` when this instance has a name. */
export function nameInstance(headers: Headers): void {
  const instance = env().PAYCHAN_INSTANCE;
  if (instance) headers.set(INSTANCE_HEADER, instance);
}
