/**
 * Pod sandbox pieces that need the Docker engine: the locally made sandbox image, the per-node
 * pod network, and the sandbox container's create options.
 */
import type Docker from "dockerode";
import { pauseArch, pauseBinary } from "./pause-binary.js";
import { tarArchive } from "./tar.js";
import { readProgress } from "../images/json-progress.js";
import { statusCode } from "./docker-client.js";
import { ipv4CidrsOverlap } from "../../../shared/api/ipv4.js";
import type { PodNetwork, PodSandboxConfig } from "./types.js";
import {
  LABEL_NODE, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID, LABEL_SANDBOX_ATTEMPT, LABEL_SHARE_PID, LABEL_TYPE,
  POD_LABEL_PREFIX, TYPE_SANDBOX, containerName,
} from "./labels.js";

/** Bump when the pause program changes, so nodes build the new image instead of reusing the old. */
export const SANDBOX_IMAGE_VERSION = "2";
export const SANDBOX_IMAGE_REPOSITORY = "kube-lite/pause";
export const SANDBOX_IMAGE = `${SANDBOX_IMAGE_REPOSITORY}:${SANDBOX_IMAGE_VERSION}`;
export const PAUSE_PATH = "/pause";
/** Docker's CPU shares floor for the sandbox: it only sleeps. */
const SANDBOX_CPU_SHARES = 2;

/**
 * Makes sure the sandbox image exists, creating it from a generated static `pause` executable with
 * `docker import` (an empty root file system plus one file): no registry, no base image.
 *
 * @example await ensureSandboxImage(docker); // "kube-lite/pause:1"
 */
export async function ensureSandboxImage(docker: Docker): Promise<string> {
  try {
    await docker.getImage(SANDBOX_IMAGE).inspect();
    return SANDBOX_IMAGE;
  } catch (err) {
    if (statusCode(err) !== 404) throw err;
  }
  const engineArch = (await docker.info()).Architecture as string;
  const arch = pauseArch(engineArch);
  if (!arch) throw new Error(`cannot make the pod sandbox image for architecture ${engineArch}: only x86_64 and aarch64 are supported`);
  const rootfs = tarArchive([{ name: "pause", data: pauseBinary(arch), mode: 0o755 }]);
  const response = await docker.importImage(rootfs as unknown as string, {
    repo: SANDBOX_IMAGE_REPOSITORY,
    tag: SANDBOX_IMAGE_VERSION,
    changes: [`CMD ["${PAUSE_PATH}"]`],
  });
  await readProgress(response as unknown as import("node:stream").Readable);
  return SANDBOX_IMAGE;
}

/**
 * The gateway of an IPv4 pod CIDR: its first host address, as Docker would pick.
 *
 * @example gatewayOf("10.42.0.0/24") === "10.42.0.1"
 */
export function gatewayOf(cidr: string): string {
  const [addr, bitsText] = cidr.split("/");
  const parts = (addr ?? "").split(".").map(Number);
  const bits = Number(bitsText);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255) || !Number.isInteger(bits) || bits < 1 || bits > 30) {
    throw new Error(`pod CIDR ${cidr} is not an IPv4 CIDR with room for pods`);
  }
  const value = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const gw = ((value & mask) + 1) >>> 0;
  return [gw >>> 24, (gw >>> 16) & 255, (gw >>> 8) & 255, gw & 255].join(".");
}

/**
 * Creates the node's pod bridge network if missing; fails clearly if a network of that name has
 * another subnet (a changed pod CIDR needs the old network removed first).
 *
 * @example await ensurePodNetwork(docker, { name: "kube-lite-node1", subnet: "10.42.0.0/24" }, "node1");
 */
export async function ensurePodNetwork(docker: Docker, net: PodNetwork, nodeName: string): Promise<void> {
  const check = async (): Promise<boolean> => {
    try {
      const info = await docker.getNetwork(net.name).inspect();
      const subnets = ((info.IPAM?.Config ?? []) as { Subnet?: string }[]).map((c) => c.Subnet);
      if (!subnets.includes(net.subnet)) {
        throw new Error(`Docker network ${net.name} exists with subnet ${subnets.join(", ") || "none"}, not the node's pod CIDR ${net.subnet}; remove it with "docker network rm ${net.name}"`);
      }
      return true;
    } catch (err) {
      if (statusCode(err) === 404) return false;
      throw err;
    }
  };
  if (await check()) return;
  try {
    await docker.createNetwork({
      Name: net.name,
      Driver: "bridge",
      CheckDuplicate: true,
      IPAM: { Driver: "default", Config: [{ Subnet: net.subnet, Gateway: gatewayOf(net.subnet) }] },
      Labels: { [LABEL_NODE]: nodeName },
    });
  } catch (err) {
    // Another pod worker may have created it at the same moment.
    if (statusCode(err) === 409 && (await check())) return;
    const clash = await overlappingNetwork(docker, net.subnet).catch(() => undefined);
    if (clash) {
      throw new Error(`cannot create Docker network ${net.name} for the node's pod CIDR ${net.subnet}: Docker network ${clash.name} already uses ${clash.subnet}; remove it ("docker network rm ${clash.name}") or give the server a --cluster-cidr that does not overlap it`);
    }
    throw err;
  }
}

/** The first Docker network whose IPv4 subnet shares an address with `subnet`, if any. */
async function overlappingNetwork(docker: Docker, subnet: string): Promise<{ name: string; subnet: string } | undefined> {
  for (const info of await docker.listNetworks()) {
    for (const c of (info.IPAM?.Config ?? []) as { Subnet?: string }[]) {
      if (c.Subnet && ipv4CidrsOverlap(c.Subnet, subnet)) return { name: info.Name, subnet: c.Subnet };
    }
  }
  return undefined;
}

/**
 * Create options of a sandbox container: the pause program owning the pod's network namespace
 * (on the node's pod network), a shareable IPC namespace, the pod's hostname and DNS.
 *
 * @example const opts = sandboxCreateOptions(cfg, "node1", SANDBOX_IMAGE);
 */
export function sandboxCreateOptions(cfg: PodSandboxConfig, nodeName: string, image: string): Docker.ContainerCreateOptions {
  if (!cfg.hostNetwork && !cfg.podCIDRNetwork) throw new Error(`pod ${cfg.namespace}/${cfg.name}: no pod network given for a pod without hostNetwork`);
  const attempt = cfg.attempt ?? 0;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(cfg.labels ?? {})) labels[POD_LABEL_PREFIX + k] = v;
  Object.assign(labels, {
    [LABEL_TYPE]: TYPE_SANDBOX,
    [LABEL_NODE]: nodeName,
    [LABEL_POD_UID]: cfg.podUid,
    [LABEL_POD_NAMESPACE]: cfg.namespace,
    [LABEL_POD_NAME]: cfg.name,
    [LABEL_SANDBOX_ATTEMPT]: String(attempt),
    [LABEL_SHARE_PID]: String(cfg.shareProcessNamespace ?? false),
  });
  const network = cfg.hostNetwork ? "host" : cfg.podCIDRNetwork!.name;
  const opts: Docker.ContainerCreateOptions = {
    name: containerName("POD", cfg.name, cfg.namespace, cfg.podUid, attempt),
    Image: image,
    Cmd: [PAUSE_PATH],
    Labels: labels,
    // The pause program has no SIGTERM handler and, as PID 1, would ignore it.
    StopSignal: "SIGKILL",
    HostConfig: {
      NetworkMode: network,
      IpcMode: "shareable",
      CpuShares: SANDBOX_CPU_SHARES,
      RestartPolicy: { Name: "no" },
      ...(cfg.sysctls && Object.keys(cfg.sysctls).length ? { Sysctls: cfg.sysctls } : {}),
      ...(cfg.dns?.nameservers?.length ? { Dns: cfg.dns.nameservers } : {}),
      ...(cfg.dns?.searches?.length ? { DnsSearch: cfg.dns.searches } : {}),
      ...(cfg.dns?.options?.length ? { DnsOptions: cfg.dns.options } : {}),
      ...(cfg.hostAliases?.length ? { ExtraHosts: cfg.hostAliases.flatMap((a) => a.hostnames.map((h) => `${h}:${a.ip}`)) } : {}),
    },
  };
  if (!cfg.hostNetwork) {
    if (cfg.hostname) opts.Hostname = cfg.hostname;
    if (cfg.domainname) opts.Domainname = cfg.domainname;
    if (cfg.portMappings?.length) {
      opts.ExposedPorts = {};
      const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
      for (const m of cfg.portMappings) {
        const key = `${m.containerPort}/${(m.protocol ?? "TCP").toLowerCase()}`;
        opts.ExposedPorts[key] = {};
        (bindings[key] ??= []).push({ HostIp: m.hostIP ?? "", HostPort: String(m.hostPort) });
      }
      opts.HostConfig!.PortBindings = bindings;
    }
    opts.NetworkingConfig = { EndpointsConfig: { [network]: {} } };
  }
  return opts;
}

/**
 * resolv.conf content for a pod, as the kubelet writes it.
 *
 * @example resolvConf({ nameservers: ["10.43.0.10"], searches: ["default.svc.cluster.local"], options: ["ndots:5"] })
 */
export function resolvConf(dns: { nameservers?: string[]; searches?: string[]; options?: string[] }): string {
  const lines: string[] = [];
  if (dns.searches?.length) lines.push(`search ${dns.searches.join(" ")}`);
  for (const ns of dns.nameservers ?? []) lines.push(`nameserver ${ns}`);
  if (dns.options?.length) lines.push(`options ${dns.options.join(" ")}`);
  return lines.join("\n") + "\n";
}
