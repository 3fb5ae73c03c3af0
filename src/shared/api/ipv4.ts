/** IPv4 addresses as unsigned 32-bit numbers, for CIDR arithmetic (service and pod allocators). */

/** @example ipv4ToInt("10.43.0.1") === 0x0a2b0001 */
export function ipv4ToInt(ip: string): number {
  return ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0) >>> 0;
}

/** @example intToIpv4(0x0a2b0001) === "10.43.0.1" */
export function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}

/** An IPv4 CIDR as numbers: its network address (host bits cleared), prefix length and address count. */
export interface Ipv4Cidr {
  network: number;
  prefix: number;
  size: number;
}

/**
 * Parses `a.b.c.d/n`; undefined when it is not an IPv4 CIDR (callers say what it was for).
 * @example parseIpv4Cidr("10.42.3.0/24") // { network: 0x0a2a0300, prefix: 24, size: 256 }
 */
export function parseIpv4Cidr(cidr: string): Ipv4Cidr | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const prefix = Number(m?.[5]);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || prefix > 32) return undefined;
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return { network: (ipv4ToInt(cidr.slice(0, cidr.indexOf("/"))) & mask) >>> 0, prefix, size: 2 ** (32 - prefix) };
}

/**
 * Whether two IPv4 CIDRs share an address (one contains the other's network address); false when
 * either is not an IPv4 CIDR.
 * @example ipv4CidrsOverlap("10.42.0.0/16", "10.42.7.0/24") === true
 */
export function ipv4CidrsOverlap(a: string, b: string): boolean {
  const x = parseIpv4Cidr(a);
  const y = parseIpv4Cidr(b);
  if (!x || !y) return false;
  return x.network < y.network + y.size && y.network < x.network + x.size;
}
