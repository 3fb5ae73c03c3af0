/**
 * What the kubelet reports about its machine, read where cAdvisor reads it: /proc/meminfo for memory,
 * /etc/os-release for the OS image, /etc/machine-id, the DMI product UUID and the kernel boot ID for
 * identity, statfs of the data dir for ephemeral storage, /proc/loadavg and pid_max for process IDs.
 * Every path is a parameter, so tests feed a fake /proc.
 */
import { readFileSync, statfsSync } from "node:fs";
import os from "node:os";

export interface HostPaths {
  meminfo: string;
  osRelease: string[];
  machineId: string[];
  productUuid: string;
  bootId: string;
  loadavg: string;
  pidMax: string;
  route: string;
}

/** Where Linux keeps each fact (os-release and machine-id have a fallback location each). */
export const DEFAULT_HOST_PATHS: HostPaths = {
  meminfo: "/proc/meminfo",
  osRelease: ["/etc/os-release", "/usr/lib/os-release"],
  machineId: ["/etc/machine-id", "/var/lib/dbus/machine-id"],
  productUuid: "/sys/class/dmi/id/product_uuid",
  bootId: "/proc/sys/kernel/random/boot_id",
  loadavg: "/proc/loadavg",
  pidMax: "/proc/sys/kernel/pid_max",
  route: "/proc/net/route",
};

export interface FilesystemStats {
  capacityBytes: number;
  availableBytes: number;
  inodes: number;
  inodesFree: number;
}

export interface HostFacts {
  hostname: string;
  cpus: number;
  /** MemTotal, in KiB. */
  memoryKi: number;
  /** MemAvailable, in KiB (the eviction manager's memory.available). */
  memoryAvailableKi: number;
  kernelVersion: string;
  osImage: string;
  machineID: string;
  /** Empty on machines without DMI (most ARM boards), as cAdvisor reports it. */
  systemUUID: string;
  bootID: string;
  /** The filesystem holding the data dir (the kubelet's "nodefs"). */
  nodeFs: FilesystemStats;
  /** Tasks (processes and threads) running, and the kernel's PID limit. */
  pidsInUse: number;
  pidMax: number;
  /** The IPv4 address of the default route's interface, else the first non-loopback one. */
  defaultIPv4?: string;
}

/**
 * /proc/meminfo as a map of field → KiB.
 *
 * @example parseMeminfo("MemTotal:  8049920 kB\nMemAvailable: 6000000 kB\n").MemTotal === 8049920
 */
export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

/**
 * os-release(5) key=value pairs, quotes and backslash escapes removed.
 *
 * @example parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian').PRETTY_NAME === "Debian GNU/Linux 12 (bookworm)"
 */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    let value = line.slice(eq + 1);
    const q = value[0];
    if ((q === '"' || q === "'") && value.endsWith(q) && value.length >= 2) value = value.slice(1, -1);
    out[line.slice(0, eq)] = value.replace(/\\(.)/g, "$1");
  }
  return out;
}

/**
 * The interface carrying the IPv4 default route in /proc/net/route (lowest metric wins), the way
 * the kubelet's `ChooseHostInterface` finds the node IP.
 *
 * @example defaultRouteInterface("Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\neth0\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000") === "eth0"
 */
export function defaultRouteInterface(routeTable: string): string | undefined {
  let best: { iface: string; metric: number } | undefined;
  for (const line of routeTable.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, dest, , flags, , , metric, mask] = f;
    // RTF_UP (0x1) must be set; destination and mask 0 make it a default route.
    if (dest !== "00000000" || mask !== "00000000" || !(parseInt(flags!, 16) & 1)) continue;
    const m = Number(metric);
    if (!best || m < best.metric) best = { iface: iface!, metric: m };
  }
  return best?.iface;
}

/**
 * The node's IPv4: the default route's interface address, else the first non-internal IPv4.
 *
 * @example chooseHostIPv4("eth0", { eth0: [{ family: "IPv4", address: "192.168.1.5", internal: false, … }] }) === "192.168.1.5"
 */
export function chooseHostIPv4(routeIface: string | undefined, interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>): string | undefined {
  const v4 = (list: os.NetworkInterfaceInfo[] | undefined): string | undefined => list?.find((a) => a.family === "IPv4" && !a.internal)?.address;
  if (routeIface) {
    const a = v4(interfaces[routeIface]);
    if (a) return a;
  }
  for (const name of Object.keys(interfaces).sort()) {
    const a = v4(interfaces[name]);
    if (a) return a;
  }
  return undefined;
}

function firstReadable(paths: string[]): string | undefined {
  for (const p of paths) {
    try {
      return readFileSync(p, "utf8");
    } catch {
      // try the next location
    }
  }
  return undefined;
}

function readTrimmed(p: string): string {
  return (firstReadable([p]) ?? "").trim();
}

/**
 * Statfs of a path: capacity and space available to unprivileged users (what `df` shows), inodes.
 *
 * @example filesystemStats("/var/lib/kube-lite").capacityBytes > 0
 */
export function filesystemStats(path: string): FilesystemStats {
  const s = statfsSync(path);
  return { capacityBytes: s.bsize * s.blocks, availableBytes: s.bsize * s.bavail, inodes: s.files, inodesFree: s.ffree };
}

/**
 * Reads every fact; a missing identity file gives "" (as cAdvisor), a missing /proc/meminfo throws
 * (a node without a memory size cannot be scheduled on).
 *
 * @example const facts = readHostFacts("/var/lib/kube-lite"); facts.memoryKi // 8049920
 */
export function readHostFacts(dataDir: string, paths: HostPaths = DEFAULT_HOST_PATHS): HostFacts {
  const meminfoText = firstReadable([paths.meminfo]);
  if (meminfoText === undefined) throw new Error(`cannot read ${paths.meminfo}: the node's memory size is unknown`);
  const mem = parseMeminfo(meminfoText);
  if (!mem.MemTotal) throw new Error(`${paths.meminfo} has no MemTotal`);
  const osRelease = parseOsRelease(firstReadable(paths.osRelease) ?? "");
  // /proc/loadavg: "0.10 0.20 0.30 4/195 24120": the fourth field is running/total tasks.
  const tasks = /\s\d+\/(\d+)\s/.exec(firstReadable([paths.loadavg]) ?? "");
  return {
    hostname: os.hostname(),
    cpus: os.cpus().length || os.availableParallelism(),
    memoryKi: mem.MemTotal,
    memoryAvailableKi: mem.MemAvailable ?? mem.MemFree ?? 0,
    kernelVersion: os.release(),
    osImage: osRelease.PRETTY_NAME || "Linux",
    machineID: (firstReadable(paths.machineId) ?? "").trim(),
    systemUUID: readTrimmed(paths.productUuid),
    bootID: readTrimmed(paths.bootId),
    nodeFs: filesystemStats(dataDir),
    pidsInUse: tasks ? Number(tasks[1]) : 0,
    pidMax: Number(readTrimmed(paths.pidMax)) || 0,
    defaultIPv4: chooseHostIPv4(defaultRouteInterface(firstReadable([paths.route]) ?? ""), os.networkInterfaces()),
  };
}
