import { getAddress, isAddress, type Address, type Hex } from "viem";
import { RDN, type RdnHeader } from "./headers";

const MAX_UINT32 = 2n ** 32n - 1n;
const MAX_UINT192 = 2n ** 192n - 1n;
const DECIMAL_RE = /^[0-9]{1,80}$/;
const SIGNATURE_RE = /^0x[0-9a-fA-F]{130}$/;

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
}

/** Result of {@link parsePaymentRequest}. `payment` is undefined when the request carries none. */
export type ParsePaymentResult =
  { ok: true; payment?: PaymentRequest } | { ok: false; header: RdnHeader; error: string };

/** Reads a request value by header name (case-insensitive); undefined when absent. */
export type ValueSource = (name: string) => string | undefined | null;

function fail(header: RdnHeader, error: string): ParsePaymentResult {
  return { ok: false, header, error: `${header}: ${error}` };
}

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

  const receiver = get(RDN.receiver);
  if (receiver !== undefined && !isAddress(receiver, { strict: false })) {
    return fail(RDN.receiver, "must be a 0x-prefixed 20-byte address");
  }
  const contract = get(RDN.contract);
  if (contract !== undefined && !isAddress(contract, { strict: false })) {
    return fail(RDN.contract, "must be a 0x-prefixed 20-byte address");
  }
  const sender = get(RDN.sender);
  if (sender !== undefined && !isAddress(sender, { strict: false })) {
    return fail(RDN.sender, "must be a 0x-prefixed 20-byte address");
  }
  const openBlock = get(RDN.openBlock);
  if (
    openBlock !== undefined &&
    !(DECIMAL_RE.test(openBlock) && BigInt(openBlock) <= MAX_UINT32 && BigInt(openBlock) > 0n)
  ) {
    return fail(RDN.openBlock, "must be a block number between 1 and 2^32-1");
  }
  const balanceHeader = get(RDN.balance) !== undefined ? RDN.balance : RDN.balanceAlias;
  const balance = get(balanceHeader);
  if (balance !== undefined && !(DECIMAL_RE.test(balance) && BigInt(balance) <= MAX_UINT192)) {
    return fail(balanceHeader, "must be a decimal integer between 0 and 2^192-1");
  }
  const payment = get(RDN.payment);
  if (payment !== undefined && !(DECIMAL_RE.test(payment) && BigInt(payment) <= MAX_UINT192)) {
    return fail(RDN.payment, "must be a decimal integer between 0 and 2^192-1");
  }
  const signature = get(RDN.signature);
  if (signature === undefined) return { ok: true };
  if (!SIGNATURE_RE.test(signature)) {
    return fail(RDN.signature, "must be a 65-byte signature as 0x-hex (132 characters)");
  }
  if (sender === undefined) return fail(RDN.sender, "is required with RDN-Balance-Signature");
  if (openBlock === undefined) return fail(RDN.openBlock, "is required with RDN-Balance-Signature");
  if (balance === undefined) return fail(RDN.balance, "is required with RDN-Balance-Signature");
  return {
    ok: true,
    payment: {
      sender: getAddress(sender),
      openBlock: Number(openBlock),
      balance: BigInt(balance),
      signature: signature.toLowerCase() as Hex,
      payment: payment === undefined ? undefined : BigInt(payment),
      receiver: receiver === undefined ? undefined : getAddress(receiver),
      contract: contract === undefined ? undefined : getAddress(contract),
    },
  };
}

function nonEmpty(v: string | undefined | null): string | undefined {
  if (v === undefined || v === null) return undefined;
  const t = v.trim();
  return t === "" ? undefined : t;
}
