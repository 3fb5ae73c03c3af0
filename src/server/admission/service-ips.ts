/**
 * ClusterIP and NodePort allocation for Services (upstream's service REST allocators). Addresses come
 * from the service CIDR (10.43.0.0/16 by default, .1 reserved for the `kubernetes` Service); node
 * ports from 30000–32767. The allocated sets are rebuilt from stored Services at start.
 */
import { invalid, fieldError } from "../../shared/api/status.js";
import type { KubeObject } from "../../shared/api/types.js";
import { intToIpv4, ipv4ToInt, parseIpv4Cidr } from "../../shared/api/ipv4.js";

export const DEFAULT_SERVICE_CIDR = "10.43.0.0/16";
export const NODE_PORT_RANGE: [number, number] = [30000, 32767];

interface ServicePort {
  name?: string;
  port: number;
  nodePort?: number;
  protocol?: string;
}

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: ServicePort[];
}

export class ServiceIpAllocator {
  private readonly base: number;
  private readonly size: number;
  private readonly usedIps = new Set<string>();
  private readonly usedPorts = new Set<number>();
  private next = 0;

  constructor(cidr = DEFAULT_SERVICE_CIDR) {
    const parsed = parseIpv4Cidr(cidr);
    if (!parsed) throw new Error(`invalid service CIDR ${cidr}`);
    this.base = parsed.network;
    this.size = parsed.size;
  }

  /** The first usable address (x.x.x.1): the `kubernetes` Service's ClusterIP. */
  apiServerIp(): string {
    return intToIpv4(this.base + 1);
  }

  /** Marks what stored Services already use. */
  observe(svc: KubeObject): void {
    const spec = (svc.spec ?? {}) as ServiceSpec;
    for (const ip of spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])) if (ip !== "None") this.usedIps.add(ip);
    for (const p of spec.ports ?? []) if (p.nodePort) this.usedPorts.add(p.nodePort);
  }

  release(svc: KubeObject): void {
    const spec = (svc.spec ?? {}) as ServiceSpec;
    for (const ip of spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])) this.usedIps.delete(ip);
    for (const p of spec.ports ?? []) if (p.nodePort) this.usedPorts.delete(p.nodePort);
  }

  private inRange(ip: string): boolean {
    const n = ipv4ToInt(ip);
    return /^\d+\.\d+\.\d+\.\d+$/.test(ip) && n > this.base && n < this.base + this.size - 1;
  }

  private allocateIp(): string {
    for (let i = 0; i < this.size - 3; i++) {
      const offset = 2 + ((this.next + i) % (this.size - 3));
      const ip = intToIpv4(this.base + offset);
      if (!this.usedIps.has(ip)) {
        this.next = offset - 1;
        return ip;
      }
    }
    throw new Error("no ClusterIP addresses left in the service CIDR");
  }

  private allocatePort(): number {
    const [lo, hi] = NODE_PORT_RANGE;
    const span = hi - lo + 1;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      const p = lo + ((start + i) % span);
      if (!this.usedPorts.has(p)) return p;
    }
    throw new Error("no node ports left");
  }

  /** Fills clusterIP(s) and node ports of a new Service; rejects addresses already taken. `commit` false for dry runs. */
  assign(svc: KubeObject, commit: boolean): void {
    const spec = (svc.spec ?? {}) as ServiceSpec;
    const name = svc.metadata.name ?? "";
    const type = spec.type ?? "ClusterIP";
    if (type !== "ExternalName") {
      let ip = spec.clusterIP ?? spec.clusterIPs?.[0];
      if (ip && ip !== "None") {
        if (!this.inRange(ip)) throw invalid("", "Service", name, [fieldError.invalid("spec.clusterIPs", [ip], `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${intToIpv4(this.base)}/${32 - Math.log2(this.size)}`)]);
        if (this.usedIps.has(ip)) throw invalid("", "Service", name, [fieldError.invalid("spec.clusterIPs", [ip], `failed to allocate IP ${ip}: provided IP is already allocated`)]);
      } else if (!ip) {
        ip = this.allocateIp();
      }
      spec.clusterIP = ip;
      spec.clusterIPs = [ip];
      if (commit && ip !== "None") this.usedIps.add(ip);
    }
    if (type === "NodePort" || type === "LoadBalancer") {
      for (const p of spec.ports ?? []) {
        if (p.nodePort) {
          if (p.nodePort < NODE_PORT_RANGE[0] || p.nodePort > NODE_PORT_RANGE[1]) {
            throw invalid("", "Service", name, [fieldError.invalid("spec.ports[0].nodePort", p.nodePort, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE[0]}-${NODE_PORT_RANGE[1]}`)]);
          }
          if (this.usedPorts.has(p.nodePort)) throw invalid("", "Service", name, [fieldError.invalid("spec.ports[0].nodePort", p.nodePort, "provided port is already allocated")]);
        } else {
          p.nodePort = this.allocatePort();
        }
        if (commit) this.usedPorts.add(p.nodePort);
      }
    }
    svc.spec = spec;
  }

  /** Keeps allocations on update: ClusterIP is immutable; new NodePort ports get ports. */
  reassign(svc: KubeObject, old: KubeObject, commit: boolean): void {
    const spec = (svc.spec ?? {}) as ServiceSpec;
    const oldSpec = (old.spec ?? {}) as ServiceSpec;
    if ((spec.type ?? "ClusterIP") !== "ExternalName" && !spec.clusterIP && oldSpec.clusterIP) {
      spec.clusterIP = oldSpec.clusterIP;
      spec.clusterIPs = oldSpec.clusterIPs ?? [oldSpec.clusterIP];
    }
    if (spec.type === "NodePort" || spec.type === "LoadBalancer") {
      for (const p of spec.ports ?? []) {
        if (!p.nodePort) {
          const prev = (oldSpec.ports ?? []).find((o) => o.port === p.port && (o.protocol ?? "TCP") === (p.protocol ?? "TCP"));
          p.nodePort = prev?.nodePort ?? this.allocatePort();
          if (commit) this.usedPorts.add(p.nodePort);
        }
      }
    }
    svc.spec = spec;
  }
}
