/**
 * Which addresses an upstream configured on the admin pages may be fetched from
 * (lib/paywall/upstream-address.ts): public unicast only, also when an IPv6 address carries an
 * IPv4 one, and every address a host resolves to is checked.
 */
import { describe, expect, it } from "vitest";
import { checkUpstreamHost, isPrivateAddress } from "@/lib/paywall/upstream-address";

describe("isPrivateAddress", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["0.0.0.0", "this network"],
    ["0.1.2.3", "this network"],
    ["10.0.0.1", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["100.127.255.255", "carrier-grade NAT"],
    ["169.254.169.254", "link-local (cloud metadata)"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["::1", "IPv6 loopback"],
    ["::", "IPv6 unspecified"],
    ["[::1]", "bracketed, as in a URL"],
    ["fe80::1", "IPv6 link-local"],
    ["fe80::1%eth0", "IPv6 link-local with a zone"],
    ["febf:ffff::1", "IPv6 link-local, top of the range"],
    ["fc00::1", "unique local"],
    ["fd12:3456::1", "unique local"],
    ["ff02::1", "IPv6 multicast"],
    ["::ffff:127.0.0.1", "IPv4-mapped loopback"],
    ["::ffff:7f00:1", "IPv4-mapped loopback, hex"],
    ["::FFFF:A9FE:A9FE", "IPv4-mapped metadata address, upper case"],
    ["0:0:0:0:0:ffff:10.0.0.1", "IPv4-mapped private, written out"],
    ["::127.0.0.1", "IPv4-compatible loopback"],
    ["64:ff9b::a9fe:a9fe", "NAT64 of the metadata address"],
    ["2002:7f00:1::", "6to4 of loopback"],
    ["localhost", "a name, not an address"],
    ["", "empty"],
  ])("%s is refused (%s)", (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });

  it.each([
    ["93.184.216.34"],
    ["8.8.8.8"],
    ["1.1.1.1"],
    ["172.32.0.1"],
    ["172.15.255.255"],
    ["100.128.0.1"],
    ["169.255.0.1"],
    ["192.169.0.1"],
    ["2606:2800:220:1:248:1893:25c8:1946"],
    ["2001:4860:4860::8888"],
    ["::ffff:8.8.8.8"],
    ["64:ff9b::808:808"],
    ["2a00::1:0:0:0:1"],
  ])("%s is public", (ip) => {
    expect(isPrivateAddress(ip)).toBe(false);
  });
});

describe("checkUpstreamHost", () => {
  it("resolves a name and refuses it when it resolves to loopback", async () => {
    const check = await checkUpstreamHost(new URL("http://localhost:8080/x"), {
      allowPrivate: false,
    });
    expect(check.type).toBe("private");
  });

  it("refuses IP literals of private ranges, IPv6 in brackets included", async () => {
    for (const url of ["http://169.254.169.254/latest", "http://[::1]:3000/", "http://10.0.0.1/"])
      expect((await checkUpstreamHost(new URL(url), { allowPrivate: false })).type, url).toBe(
        "private",
      );
  });

  it("allows them, with the address to connect to, when private addresses are allowed", async () => {
    expect(await checkUpstreamHost(new URL("http://[::1]:3000/"), { allowPrivate: true })).toEqual({
      type: "allowed",
      address: { address: "::1", family: 6 },
    });
  });

  it("allows a public IP literal without any lookup", async () => {
    expect(
      await checkUpstreamHost(new URL("https://93.184.216.34/"), { allowPrivate: false }),
    ).toEqual({ type: "allowed", address: { address: "93.184.216.34", family: 4 } });
  });

  it("answers unresolved for a name that does not resolve", async () => {
    const check = await checkUpstreamHost(new URL("http://no-such-host.invalid/"), {
      allowPrivate: false,
    });
    expect(check.type).toBe("unresolved");
  });
});
