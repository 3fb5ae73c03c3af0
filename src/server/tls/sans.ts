/**
 * The names the apiserver's serving certificate must cover: every way a client on this machine, in a
 * pod, or on the LAN may address it (as k3s does), plus the user's `--tls-san` entries.
 */
import os from "node:os";
import { sanKey, subjectAltName, type SubjectAltName } from "./certificates.js";

/**
 * First address of the default service CIDR 10.43.0.0/16: the `kubernetes` Service's ClusterIP, which
 * pods use to reach the apiserver.
 */
export const DEFAULT_KUBERNETES_SERVICE_IP = "10.43.0.1";

/** Names every serving certificate carries: loopback and the in-cluster `kubernetes` Service names. */
const FIXED_SANS = [
  "localhost",
  "127.0.0.1",
  "::1",
  "kubernetes",
  "kubernetes.default",
  "kubernetes.default.svc",
  "kubernetes.default.svc.cluster.local",
];

/**
 * The host's non-loopback interface addresses, from `os.networkInterfaces()`.
 * @example externalAddresses() // ["192.168.1.5", "fe80::…"]
 */
export function externalAddresses(): string[] {
  const out: string[] = [];
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (!a.internal) out.push(a.address);
  }
  return out;
}

/**
 * The serving certificate's SANs: loopback, `kubernetes[.default[.svc[.cluster.local]]]`, the
 * kubernetes Service IP, the hostname, every non-internal interface address, then `extra` (each entry
 * an IP or a DNS name). Deduplicated, order kept.
 * @example servingSans(["pi.example.com", "192.168.1.50"])
 */
export function servingSans(extra: readonly string[] = [], opts: { serviceIP?: string; hostname?: string; addresses?: readonly string[] } = {}): SubjectAltName[] {
  const entries = [
    ...FIXED_SANS,
    opts.serviceIP ?? DEFAULT_KUBERNETES_SERVICE_IP,
    opts.hostname ?? os.hostname(),
    ...(opts.addresses ?? externalAddresses()),
    ...extra,
  ];
  const seen = new Set<string>();
  const out: SubjectAltName[] = [];
  for (const e of entries) {
    if (!e || !e.trim()) continue;
    const san = subjectAltName(e);
    const key = sanKey(san);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(san);
  }
  return out;
}
