/** IPv4 addresses as unsigned 32-bit numbers, for CIDR arithmetic (service and pod allocators). */

/** @example ipv4ToInt("10.43.0.1") === 0x0a2b0001 */
export function ipv4ToInt(ip: string): number {
  return ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0) >>> 0;
}

/** @example intToIpv4(0x0a2b0001) === "10.43.0.1" */
export function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}
