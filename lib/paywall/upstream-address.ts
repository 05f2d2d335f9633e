/**
 * Where a paywalled upstream may be fetched from. An upstream configured on the admin pages must not
 * reach the site's own machine or network (the cloud metadata service at 169.254.169.254, the
 * database, the RPC node): its host is resolved and every address checked, when the operator saves
 * it and again before each fetch (DNS may change in between), and the fetch connects to the address
 * checked (`lib/paywall/upstream.ts`). UPSTREAM_ALLOW_PRIVATE=1 lifts the rule.
 */
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/** An address a host resolved to, as `net.connect`'s `lookup` hands it on. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** The outcome of checking an upstream's host. */
export type UpstreamHostCheck =
  | { type: "allowed"; address: ResolvedAddress }
  | { type: "private"; address: string }
  | { type: "unresolved"; cause: unknown };

const IPV4_BLOCKED: [string, number][] = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local: cloud metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["224.0.0.0", 3], // multicast, reserved, broadcast
];
const IPV6_BLOCKED: [string, number][] = [
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
];

const blocked = new BlockList();
for (const [net, prefix] of IPV4_BLOCKED) blocked.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of IPV6_BLOCKED) blocked.addSubnet(net, prefix, "ipv6");

/** The 16 bytes of an IPv6 address (`::` expanded, a trailing dotted IPv4 read as 4 bytes). */
function ipv6Bytes(ip: string): number[] {
  let text = ip;
  const tail: number[] = [];
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    tail.push(...dotted.slice(1).map(Number));
    text = `${text.slice(0, dotted.index)}0:0`;
  }
  const [head, rest] = text.includes("::") ? text.split("::") : [text, undefined];
  const groups = (s: string | undefined) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = groups(rest);
  const all =
    rest === undefined
      ? left
      : [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
  const bytes = all.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any. */
function embeddedIpv4(bytes: number[]): string | undefined {
  const zero = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  const v4 = (at: number) => bytes.slice(at, at + 4).join(".");
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible; `::` and `::1` are 0.0.0.0 and 0.0.0.1)
  if (zero(0, 10) && ((bytes[10] === 0xff && bytes[11] === 0xff) || zero(10, 12))) return v4(12);
  // 64:ff9b::a.b.c.d (NAT64)
  if (bytes[0] === 0 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zero(4, 12))
    return v4(12);
  // 2002:aabb:ccdd:: (6to4)
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return v4(2);
  return undefined;
}

/**
 * Whether `ip` is not a public unicast address: loopback, link-local, private, carrier-grade NAT,
 * "this network", multicast or reserved, also when an IPv6 address carries such an IPv4 address
 * (`::ffff:127.0.0.1`). Anything that is not an IP address counts as private.
 *
 * @example isPrivateAddress("169.254.169.254") // true
 */
export function isPrivateAddress(ip: string): boolean {
  const bare = ip.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const family = isIP(bare);
  if (family === 4) return blocked.check(bare, "ipv4");
  if (family !== 6) return true;
  const v4 = embeddedIpv4(ipv6Bytes(bare.toLowerCase()));
  if (v4 !== undefined) return blocked.check(v4, "ipv4");
  return blocked.check(bare, "ipv6");
}

/** Every address `hostname` resolves to (an IP literal resolves to itself). */
export async function resolveHost(hostname: string): Promise<ResolvedAddress[]> {
  const host = hostname.replace(/^\[|\]$/g, "");
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

/**
 * Resolves `url`'s host and checks every address it has: `private` names the first that is not
 * public (unless `allowPrivate`), `allowed` carries the address to connect to.
 *
 * @example
 * const check = await checkUpstreamHost(new URL("http://localhost/"), { allowPrivate: false });
 * // { type: "private", address: "127.0.0.1" }
 */
export async function checkUpstreamHost(
  url: URL,
  opts: { allowPrivate: boolean },
): Promise<UpstreamHostCheck> {
  let addresses: ResolvedAddress[];
  try {
    addresses = await resolveHost(url.hostname);
  } catch (cause) {
    return { type: "unresolved", cause };
  }
  if (addresses.length === 0) return { type: "unresolved", cause: undefined };
  if (!opts.allowPrivate) {
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad) return { type: "private", address: bad.address };
  }
  return { type: "allowed", address: addresses[0]! };
}
