/**
 * Container resources → Docker cgroup settings, as the kubelet's dockershim mapped them:
 * `limits.memory` → Memory (and MemorySwap equal to it, so a limit is not silently extended by
 * swap), `limits.cpu` → a CFS quota (NanoCpus), `requests.cpu` → CpuShares.
 */
import type { ResourceRequirements } from "kubernetes-types/core/v1.js";

/** Binary (Ki…Ei) and decimal (n…E) suffixes of `resource.Quantity`, with their multipliers. */
const SUFFIXES: Record<string, number> = {
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
  n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};
const QUANTITY_RE = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/** Upstream's minimum CPU shares (cgroup v1 refuses less than 2); BestEffort containers get it. */
export const MIN_CPU_SHARES = 2;
/** CPU shares for one whole CPU (cgroup v1 convention the kubelet follows). */
export const SHARES_PER_CPU = 1024;
/** Upstream's smallest CFS quota, 1 ms per 100 ms period: smaller limits are raised to it. */
export const MIN_NANO_CPUS = 10_000_000;

/**
 * Parses a Kubernetes quantity (`500m`, `1.5Gi`, `2e3`, 3) to a number; `undefined` if malformed.
 *
 * @example parseQuantity("500m") === 0.5; parseQuantity("64Mi") === 67108864
 */
export function parseQuantity(q: string | number | undefined): number | undefined {
  if (q === undefined) return undefined;
  if (typeof q === "number") return Number.isFinite(q) ? q : undefined;
  const m = QUANTITY_RE.exec(q.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  return base * SUFFIXES[m[3] ?? ""]!;
}

export interface DockerResources {
  Memory?: number;
  MemorySwap?: number;
  NanoCpus?: number;
  CpuShares: number;
}

/**
 * Docker cgroup settings for a container's resources. A CPU request defaults to the limit, as API
 * defaulting does; no CPU request at all gets the minimum shares (BestEffort), as upstream.
 *
 * @example dockerResources({ limits: { memory: "64Mi", cpu: "500m" } })
 *   // { Memory: 67108864, MemorySwap: 67108864, NanoCpus: 500000000, CpuShares: 512 }
 */
export function dockerResources(r: ResourceRequirements | undefined): DockerResources {
  const memLimit = parseQuantity(r?.limits?.["memory"]);
  const cpuLimit = parseQuantity(r?.limits?.["cpu"]);
  const cpuRequest = parseQuantity(r?.requests?.["cpu"]) ?? cpuLimit;
  const out: DockerResources = { CpuShares: MIN_CPU_SHARES };
  if (memLimit !== undefined && memLimit > 0) {
    out.Memory = Math.ceil(memLimit);
    out.MemorySwap = out.Memory;
  }
  if (cpuLimit !== undefined && cpuLimit > 0) out.NanoCpus = Math.max(MIN_NANO_CPUS, Math.round(cpuLimit * 1e9));
  if (cpuRequest !== undefined && cpuRequest > 0) {
    // Upstream converts milli-CPU to shares with integer division, never below the minimum.
    const milli = Math.ceil(cpuRequest * 1000);
    out.CpuShares = Math.max(MIN_CPU_SHARES, Math.floor((milli * SHARES_PER_CPU) / 1000));
  }
  return out;
}
