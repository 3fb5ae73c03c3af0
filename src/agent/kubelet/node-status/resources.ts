/**
 * Node capacity and allocatable, as the kubelet computes them: capacity from the machine, allocatable
 * = capacity − kube/system reservations − the hard eviction thresholds (upstream
 * `GetNodeAllocatableAbsolute`), with quantities in the canonical form the API server prints.
 */
import type { HostFacts } from "./host-facts.js";

/** Upstream's default `maxPods`. */
export const DEFAULT_MAX_PODS = 110;
/** Upstream's default hard eviction thresholds (`DefaultEvictionHard`, Linux). */
export const DEFAULT_EVICTION_HARD: EvictionThresholds = {
  memoryAvailableBytes: 100 * 1024 * 1024,
  nodefsAvailableFraction: 0.1,
  nodefsInodesFreeFraction: 0.05,
};

export interface EvictionThresholds {
  /** memory.available below this many bytes is memory pressure. */
  memoryAvailableBytes: number;
  /** nodefs.available below this fraction of capacity is disk pressure. */
  nodefsAvailableFraction: number;
  /** nodefs.inodesFree below this fraction of all inodes is disk pressure. */
  nodefsInodesFreeFraction: number;
  /** pid.available below this fraction of pid_max is PID pressure; upstream sets no default. */
  pidAvailableFraction?: number;
}

/** `--kube-reserved` plus `--system-reserved`. */
export interface Reservations {
  cpuMillis?: number;
  memoryBytes?: number;
  ephemeralStorageBytes?: number;
}

export type ResourceList = Record<string, string>;

const BINARY_SUFFIXES = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

/**
 * Bytes as a canonical binary-SI quantity: the largest power-of-1024 suffix that divides it evenly,
 * else plain bytes (how `resource.NewQuantity(n, BinarySI)` prints).
 *
 * @example binaryQuantity(8243118080) === "8049920Ki"; binaryQuantity(2 * 1024 ** 3) === "2Gi"; binaryQuantity(1000) === "1000"
 */
export function binaryQuantity(bytes: number): string {
  let n = Math.max(0, Math.floor(bytes));
  let i = 0;
  while (n >= 1024 && n % 1024 === 0 && i < BINARY_SUFFIXES.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n}${BINARY_SUFFIXES[i]}`;
}

/**
 * CPU millicores as a canonical quantity: whole cores without a suffix, else millicores.
 *
 * @example cpuQuantity(4000) === "4"; cpuQuantity(3500) === "3500m"
 */
export function cpuQuantity(millis: number): string {
  const m = Math.max(0, Math.floor(millis));
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}

/**
 * Capacity: cpu (cores), memory (MemTotal), pods, ephemeral-storage (the data dir's filesystem).
 *
 * @example nodeCapacity(facts) // { cpu: "4", memory: "8049920Ki", pods: "110", "ephemeral-storage": "61255492Ki" }
 */
export function nodeCapacity(facts: HostFacts, maxPods = DEFAULT_MAX_PODS): ResourceList {
  return {
    cpu: cpuQuantity(facts.cpus * 1000),
    "ephemeral-storage": binaryQuantity(facts.nodeFs.capacityBytes),
    memory: binaryQuantity(facts.memoryKi * 1024),
    pods: String(maxPods),
  };
}

/**
 * Allocatable: capacity less reservations and the hard eviction thresholds, never below zero.
 *
 * @example nodeAllocatable(facts, {}, DEFAULT_EVICTION_HARD).memory // MemTotal − 100Mi
 */
export function nodeAllocatable(facts: HostFacts, reserved: Reservations = {}, eviction: EvictionThresholds = DEFAULT_EVICTION_HARD, maxPods = DEFAULT_MAX_PODS): ResourceList {
  const fsCap = facts.nodeFs.capacityBytes;
  return {
    cpu: cpuQuantity(facts.cpus * 1000 - (reserved.cpuMillis ?? 0)),
    "ephemeral-storage": binaryQuantity(fsCap - Math.floor(fsCap * eviction.nodefsAvailableFraction) - (reserved.ephemeralStorageBytes ?? 0)),
    memory: binaryQuantity(facts.memoryKi * 1024 - eviction.memoryAvailableBytes - (reserved.memoryBytes ?? 0)),
    pods: String(maxPods),
  };
}

export interface Pressure {
  memory: boolean;
  disk: boolean;
  pid: boolean;
}

/**
 * Which eviction signals are past their hard threshold right now.
 *
 * @example pressureSignals(facts, DEFAULT_EVICTION_HARD) // { memory: false, disk: false, pid: false }
 */
export function pressureSignals(facts: HostFacts, eviction: EvictionThresholds = DEFAULT_EVICTION_HARD): Pressure {
  const fs = facts.nodeFs;
  const disk = fs.availableBytes < fs.capacityBytes * eviction.nodefsAvailableFraction || (fs.inodes > 0 && fs.inodesFree < fs.inodes * eviction.nodefsInodesFreeFraction);
  const pid = eviction.pidAvailableFraction !== undefined && facts.pidMax > 0 && facts.pidMax - facts.pidsInUse < facts.pidMax * eviction.pidAvailableFraction;
  return { memory: facts.memoryAvailableKi * 1024 < eviction.memoryAvailableBytes, disk, pid };
}
