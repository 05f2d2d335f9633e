import type { Address, Hex } from "viem";
import { z } from "zod";
import { RDN, type RdnHeader } from "./headers";
import { addressSchema, openBlockSchema, signatureSchema, uint192Schema } from "./wire";

/** The payment values a request carries (all present: a signature was sent). */
export interface PaymentRequest {
  sender: Address;
  openBlock: number;
  balance: bigint;
  signature: Hex;
  /** `RDN-Payment`: when present it must equal the balance increase. */
  payment?: bigint;
  receiver?: Address;
  contract?: Address;
  /** The chain the payment names (an x402 `accepted.network`); RDN-* headers name none. */
  chainId?: number;
}

/** Result of {@link parsePaymentRequest}. `payment` is undefined when the request carries none. */
export type ParsePaymentResult =
  { ok: true; payment?: PaymentRequest } | { ok: false; header: RdnHeader; error: string };

/** Reads a request value by header name (case-insensitive); undefined when absent. */
export type ValueSource = (name: string) => string | undefined | null;

/**
 * The RDN-* values of a request, each optional, checked with the wire schemas clients and the API
 * use. Keys are checked in this order, so the header named is the first malformed one.
 */
const paymentValuesSchema = z.object({
  receiver: addressSchema.optional(),
  contract: addressSchema.optional(),
  sender: addressSchema.optional(),
  openBlock: openBlockSchema.optional(),
  balance: uint192Schema.optional(),
  payment: uint192Schema.optional(),
  signature: signatureSchema.optional(),
});
type PaymentValues = z.input<typeof paymentValuesSchema>;

const REQUIRED = "is required with RDN-Balance-Signature";

/**
 * Parses the payment headers of a request (PROTOCOL.md §2). Values come from `headers`; when the
 * request has no `RDN-Balance-Signature` header they come from `cookies` instead (a browser
 * navigation), so values of the two sources are never mixed. A malformed value is an error naming
 * the header (answered with 409); a request without a signature carries no payment.
 *
 * @example
 * const parsed = parsePaymentRequest((n) => req.headers.get(n), (n) => cookies.get(n)?.value);
 * if (!parsed.ok) return Response.json({ error: parsed.error }, { status: 409 });
 */
export function parsePaymentRequest(
  headers: ValueSource,
  cookies?: ValueSource,
): ParsePaymentResult {
  const fromHeaders = nonEmpty(headers(RDN.signature)) !== undefined;
  const source: ValueSource = fromHeaders || !cookies ? headers : cookies;
  const get = (name: string) => nonEmpty(source(name));

  const balanceHeader = get(RDN.balance) !== undefined ? RDN.balance : RDN.balanceAlias;
  const names: Record<keyof PaymentValues, RdnHeader> = {
    receiver: RDN.receiver,
    contract: RDN.contract,
    sender: RDN.sender,
    openBlock: RDN.openBlock,
    balance: balanceHeader,
    payment: RDN.payment,
    signature: RDN.signature,
  };
  const raw = Object.fromEntries(
    Object.entries(names).map(([key, header]) => [key, get(header)]),
  ) as PaymentValues;
  const parsed = paymentValuesSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return fail(names[issue.path[0] as keyof PaymentValues], issue.message);
  }
  const { sender, openBlock, balance, signature, payment, receiver, contract } = parsed.data;
  if (signature === undefined) return { ok: true };
  if (sender === undefined) return fail(RDN.sender, REQUIRED);
  if (openBlock === undefined) return fail(RDN.openBlock, REQUIRED);
  if (balance === undefined) return fail(RDN.balance, REQUIRED);
  return {
    ok: true,
    payment: { sender, openBlock, balance, signature, payment, receiver, contract },
  };
}

function fail(header: RdnHeader, error: string): ParsePaymentResult {
  return { ok: false, header, error: `${header}: ${error}` };
}

function nonEmpty(v: string | undefined | null): string | undefined {
  if (v === undefined || v === null) return undefined;
  const t = v.trim();
  return t === "" ? undefined : t;
}
