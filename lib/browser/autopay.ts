/**
 * Auto-pay settings, one per (chainId, contract, sender): whether articles are paid without a
 * prompt (by the channel's session key) or each proof is confirmed in the wallet, the most one
 * article may cost, and a spending cap with what was spent under it. Amounts are base units as
 * decimal strings. Revoking disables the setting; it is never deleted (the spent sum stays).
 */
import { getAddress, type Address } from "viem";
import { getAll, getOne, putOne, STORES, updateOne, withoutKey } from "./idb";

/** How a channel's payments are signed: by the session key (auto) or the wallet (confirm). */
export type PayMode = "auto" | "confirm";

/** An auto-pay setting as stored. */
export interface AutoPaySettings {
  chainId: number;
  contract: Address;
  sender: Address;
  mode: PayMode;
  /** Largest price paid automatically for one article (base units). */
  maxPerArticle: string;
  /** Largest total paid automatically (base units). */
  cap: string;
  /** Paid automatically so far, counted against `cap` (base units). */
  spent: string;
  /** False once revoked: nothing is paid automatically any more. */
  enabled: boolean;
  /** Last change (ms since the epoch). */
  updatedAt: number;
}

/** Who a setting belongs to. */
export interface AutoPayOwner {
  chainId: number;
  contract: Address;
  sender: Address;
}

/** The record key of a setting: `chainId:contract:sender` in lower case. */
export function autoPayKey(o: AutoPayOwner): string {
  return `${o.chainId}:${o.contract}:${o.sender}`.toLowerCase();
}

/** Why an automatic payment is not allowed, or `ok`. */
export type AutoPayCheck =
  { ok: true } | { ok: false; reason: "disabled" | "confirm-mode" | "over-max" | "over-cap" };

/**
 * Whether `settings` allow paying `price` automatically (pure): enabled, auto mode, price within
 * the per-article maximum and spent + price within the cap.
 */
export function checkAutoPay(settings: AutoPaySettings | undefined, price: bigint): AutoPayCheck {
  if (!settings || !settings.enabled) return { ok: false, reason: "disabled" };
  if (settings.mode !== "auto") return { ok: false, reason: "confirm-mode" };
  if (price > BigInt(settings.maxPerArticle)) return { ok: false, reason: "over-max" };
  if (BigInt(settings.spent) + price > BigInt(settings.cap))
    return { ok: false, reason: "over-cap" };
  return { ok: true };
}

/** What is left under the cap (never negative). */
export function remainingUnderCap(settings: AutoPaySettings): bigint {
  const left = BigInt(settings.cap) - BigInt(settings.spent);
  return left > 0n ? left : 0n;
}

/** The setting of one sender on one contract, if any. */
export async function getAutoPay(owner: AutoPayOwner): Promise<AutoPaySettings | undefined> {
  const stored = await getOne<AutoPaySettings & { key: string }>(STORES.autopay, autoPayKey(owner));
  return stored && (withoutKey(stored) as AutoPaySettings);
}

/** A filter of settings by chain, contract and whether they are enabled. */
export interface AutoPayFilter {
  chainId?: number;
  contract?: Address;
  enabledOnly?: boolean;
}

/** The stored settings that pass `filter`, without their record key (pure). */
export function filterAutoPay(
  stored: readonly (AutoPaySettings & { key?: string })[],
  filter: AutoPayFilter = {},
): AutoPaySettings[] {
  return stored
    .filter(
      (s) =>
        (filter.chainId === undefined || s.chainId === filter.chainId) &&
        (filter.contract === undefined ||
          s.contract.toLowerCase() === filter.contract.toLowerCase()) &&
        (!filter.enabledOnly || s.enabled),
    )
    .map((s) => withoutKey(s) as AutoPaySettings);
}

/** Every setting on `contract` (all senders), optionally only the enabled ones. */
export async function listAutoPay(filter: AutoPayFilter = {}): Promise<AutoPaySettings[]> {
  return filterAutoPay(await getAll<AutoPaySettings & { key: string }>(STORES.autopay), filter);
}

/**
 * Writes a setting (the mode, maximum, cap and enabled flag given; `spent` is kept from the stored
 * one unless given).
 */
export async function putAutoPay(
  settings: AutoPayOwner &
    Pick<AutoPaySettings, "mode" | "maxPerArticle" | "cap"> &
    Partial<Pick<AutoPaySettings, "spent" | "enabled">>,
): Promise<AutoPaySettings> {
  const key = autoPayKey(settings);
  const stored = await updateOne<AutoPaySettings & { key: string }>(
    STORES.autopay,
    key,
    (current) => ({
      key,
      chainId: settings.chainId,
      contract: getAddress(settings.contract),
      sender: getAddress(settings.sender),
      mode: settings.mode,
      maxPerArticle: settings.maxPerArticle,
      cap: settings.cap,
      spent: settings.spent ?? current?.spent ?? "0",
      enabled: settings.enabled ?? true,
      updatedAt: Date.now(),
    }),
  );
  return withoutKey(stored) as AutoPaySettings;
}

/** Disables automatic payments of `owner` (the session key can no longer pay by itself). */
export async function revokeAutoPay(owner: AutoPayOwner): Promise<AutoPaySettings | undefined> {
  const current = await getAutoPay(owner);
  if (!current) return undefined;
  const next = { ...current, enabled: false, updatedAt: Date.now() };
  await putOne(STORES.autopay, { ...next, key: autoPayKey(owner) });
  return next;
}

/** Adds `amount` to what was spent under the cap (in one transaction). */
export async function recordAutoPaySpend(
  owner: AutoPayOwner,
  amount: bigint,
): Promise<AutoPaySettings | undefined> {
  const key = autoPayKey(owner);
  let found = false;
  const next = await updateOne<(AutoPaySettings & { key: string }) | undefined>(
    STORES.autopay,
    key,
    (current) => {
      if (!current) return current;
      found = true;
      return { ...current, spent: (BigInt(current.spent) + amount).toString() };
    },
  );
  if (!found || !next) return undefined;
  return withoutKey(next) as AutoPaySettings;
}

/**
 * Raises the cap by `amount` (a top-up of an auto-pay channel: the reader added money to spend).
 * Does nothing without a stored setting.
 */
export async function raiseAutoPayCap(
  owner: AutoPayOwner,
  amount: bigint,
): Promise<AutoPaySettings | undefined> {
  const key = autoPayKey(owner);
  const next = await updateOne<(AutoPaySettings & { key: string }) | undefined>(
    STORES.autopay,
    key,
    (current) =>
      current && {
        ...current,
        cap: (BigInt(current.cap) + amount).toString(),
        updatedAt: Date.now(),
      },
  );
  return next ? (withoutKey(next) as AutoPaySettings) : undefined;
}
