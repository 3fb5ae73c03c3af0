/**
 * What the runtime needs for a pod, derived from its spec: the sandbox config (hostname, DNS as the
 * pod's dnsPolicy says, hostPorts), the OOM score from the QoS class, and a hash of each container's
 * spec that the worker compares to notice a changed container (as upstream's container hash). Pure.
 */
import { createHash } from "node:crypto";
import type { Container, Pod } from "kubernetes-types/core/v1.js";
import type { PodDNSConfig, PodNetwork, PodSandboxConfig, PortMapping } from "../runtime/types.js";
import { parseQuantity } from "../runtime/resources.js";

/** Label on each container with the hash of its spec. */
export const LABEL_CONTAINER_HASH = "io.kubernetes.container.hash";
/** Upstream's ndots for cluster DNS: names with fewer dots try the search domains first. */
const CLUSTER_DNS_NDOTS = "ndots:5";
/** Upstream's OOM score adjustments by QoS class. */
export const GUARANTEED_OOM_SCORE_ADJ = -997;
export const BEST_EFFORT_OOM_SCORE_ADJ = 1000;

export interface PodConfigOptions {
  network?: PodNetwork;
  /** The cluster DNS service address (e.g. 10.43.0.10); empty means pods use the host's resolv.conf. */
  clusterDNS?: string;
  clusterDomain: string;
}

/**
 * DNS for the sandbox per `dnsPolicy` (upstream `getPodDNS`): ClusterFirst uses the cluster DNS with the
 * pod's search path (hostNetwork pods fall back to the host's unless ClusterFirstWithHostNet); Default
 * uses the host's; None uses only `dnsConfig`. `dnsConfig` is appended in every case.
 *
 * @example podDNS(pod, { clusterDNS: "10.43.0.10", clusterDomain: "cluster.local" })
 *   // { nameservers: ["10.43.0.10"], searches: ["default.svc.cluster.local", "svc.cluster.local", "cluster.local"], options: ["ndots:5"] }
 */
export function podDNS(pod: Pod, opts: PodConfigOptions): PodDNSConfig | undefined {
  const spec = pod.spec!;
  const policy = spec.dnsPolicy ?? "ClusterFirst";
  let dns: PodDNSConfig | undefined;
  const cluster = opts.clusterDNS && (policy === "ClusterFirstWithHostNet" || (policy === "ClusterFirst" && !spec.hostNetwork));
  if (cluster) {
    const ns = pod.metadata?.namespace ?? "default";
    const d = opts.clusterDomain;
    dns = { nameservers: [opts.clusterDNS!], searches: [`${ns}.svc.${d}`, `svc.${d}`, d], options: [CLUSTER_DNS_NDOTS] };
  } else if (policy === "None") {
    dns = { nameservers: [], searches: [], options: [] };
  }
  const extra = spec.dnsConfig;
  if (extra) {
    dns ??= { nameservers: [], searches: [], options: [] };
    dns.nameservers = [...new Set([...(dns.nameservers ?? []), ...(extra.nameservers ?? [])])];
    dns.searches = [...new Set([...(dns.searches ?? []), ...(extra.searches ?? [])])];
    const options = new Map<string, string>();
    for (const o of dns.options ?? []) options.set(o.split(":")[0]!, o);
    for (const o of extra.options ?? []) options.set(o.name ?? "", o.value !== undefined ? `${o.name}:${o.value}` : o.name ?? "");
    dns.options = [...options.values()];
  }
  return dns;
}

/** The sandbox of a pod (one per sandbox attempt). */
export function sandboxConfig(pod: Pod, opts: PodConfigOptions, attempt: number): PodSandboxConfig {
  const spec = pod.spec!;
  const meta = pod.metadata!;
  const hostname = (spec.hostname ?? meta.name ?? "").slice(0, 63).replace(/[-.]+$/, "");
  const portMappings: PortMapping[] = [];
  for (const c of spec.containers) {
    for (const p of c.ports ?? []) {
      if (p.hostPort) portMappings.push({ containerPort: p.containerPort, hostPort: p.hostPort, protocol: (p.protocol ?? "TCP") as PortMapping["protocol"], ...(p.hostIP ? { hostIP: p.hostIP } : {}) });
    }
  }
  const cfg: PodSandboxConfig = {
    podUid: meta.uid!,
    namespace: meta.namespace ?? "default",
    name: meta.name!,
    hostname,
    hostNetwork: !!spec.hostNetwork,
    shareProcessNamespace: !!spec.shareProcessNamespace,
    labels: meta.labels ?? {},
    attempt,
  };
  if (spec.subdomain) cfg.domainname = `${spec.subdomain}.${cfg.namespace}.svc.${opts.clusterDomain}`;
  if (portMappings.length) cfg.portMappings = portMappings;
  if (!spec.hostNetwork && opts.network) cfg.podCIDRNetwork = opts.network;
  const dns = podDNS(pod, opts);
  if (dns) cfg.dns = dns;
  if (spec.hostAliases?.length) cfg.hostAliases = spec.hostAliases.map((h) => ({ ip: h.ip ?? "", hostnames: h.hostnames ?? [] }));
  return cfg;
}

/**
 * Upstream's OOM score: Guaranteed -997, BestEffort 1000, Burstable 1000 − 1000·memoryRequest/capacity
 * clamped to [2, 999] (so it is always above Guaranteed and below BestEffort).
 *
 * @example oomScoreAdj("Burstable", container, 8 * 2 ** 30) // 1000 - 1000 * request / 8 GiB
 */
export function oomScoreAdj(qosClass: string | undefined, container: Container, memoryCapacityBytes: number): number | undefined {
  if (qosClass === "Guaranteed") return GUARANTEED_OOM_SCORE_ADJ;
  if (qosClass === "BestEffort") return BEST_EFFORT_OOM_SCORE_ADJ;
  if (qosClass !== "Burstable" || memoryCapacityBytes <= 0) return undefined;
  const request = parseQuantity(container.resources?.requests?.memory as string | undefined) ?? 0;
  const adj = Math.round(1000 - (1000 * request) / memoryCapacityBytes);
  return Math.min(999, Math.max(2, adj));
}

/** Key-sorted JSON, so the hash does not depend on field order. */
function canonical(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(",")}}`;
}

/**
 * Hash of the container spec fields whose change needs a new container (everything but the
 * probes' and resources' in-place updatable parts is included; a change restarts the container).
 *
 * @example containerHash(container) // "3e1f0a9c"
 */
export function containerHash(container: Container): string {
  const { name, image, command, args, workingDir, ports, env, envFrom, volumeMounts, securityContext, stdin, tty, terminationMessagePath } = container;
  return createHash("sha256")
    .update(canonical({ name, image, command, args, workingDir, ports, env, envFrom, volumeMounts, securityContext, stdin, tty, terminationMessagePath }))
    .digest("hex")
    .slice(0, 8);
}
