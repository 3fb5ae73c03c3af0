/**
 * Resource arithmetic as upstream's scheduler does it: a pod's effective request (containers summed,
 * init containers' peak, sidecars counted alongside, plus overhead) and a node's allocatable.
 */
import type { Container, Node, PodSpec } from "kubernetes-types/core/v1.js";
import { parseQuantity } from "../registry/core-v1/quantity.js";
import type { Resources } from "./types.js";

/** CPU counted for a container that requests none, when scoring (upstream `DefaultMilliCPURequest`). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** Memory counted for a container that requests none, when scoring (upstream `DefaultMemoryRequest`, 200 MiB). */
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;
/** Pods a node holds when its allocatable does not say (the kubelet's default `maxPods`). */
export const DEFAULT_ALLOWED_PODS = 110;

type Quantities = Record<string, string | number> | undefined;

export function emptyResources(): Resources {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, scalar: new Map() };
}

function amount(name: string, q: string | number): number {
  const v = parseQuantity(q) ?? 0;
  // CPU in millicores and everything else in whole units, rounded up as Quantity.MilliValue/Value do.
  return name === "cpu" ? Math.ceil(Math.round(v * 1e9) / 1e6) : Math.ceil(v);
}

/**
 * Quantities as `Resources` (the `pods` entry is left out: it is a count, not a request).
 *
 * @example fromQuantities({ cpu: "500m", memory: "1Gi" }).milliCPU === 500
 */
export function fromQuantities(list: Quantities): Resources {
  const r = emptyResources();
  for (const [name, q] of Object.entries(list ?? {})) {
    if (name === "pods") continue;
    const v = amount(name, q);
    if (name === "cpu") r.milliCPU = v;
    else if (name === "memory") r.memory = v;
    else if (name === "ephemeral-storage") r.ephemeralStorage = v;
    else r.scalar.set(name, v);
  }
  return r;
}

export function addInto(into: Resources, r: Resources, sign = 1): void {
  into.milliCPU += sign * r.milliCPU;
  into.memory += sign * r.memory;
  into.ephemeralStorage += sign * r.ephemeralStorage;
  for (const [k, v] of r.scalar) into.scalar.set(k, (into.scalar.get(k) ?? 0) + sign * v);
}

function maxInto(into: Resources, r: Resources): void {
  into.milliCPU = Math.max(into.milliCPU, r.milliCPU);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  for (const [k, v] of r.scalar) into.scalar.set(k, Math.max(into.scalar.get(k) ?? 0, v));
}

function cloneResources(r: Resources): Resources {
  return { ...r, scalar: new Map(r.scalar) };
}

function requestsOf(c: Container): Resources {
  // Defaulting copies limits into missing requests; do the same for objects that skipped it.
  return fromQuantities({ ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) });
}

/**
 * A pod's effective request (upstream `resourcehelper.PodRequests`): app containers and sidecars
 * (restartable init containers) run together and are summed; each regular init container runs alone
 * beside the sidecars started before it, so the pod needs the larger of the two; overhead is added.
 *
 * @example podRequests(pod.spec).milliCPU
 */
export function podRequests(spec: PodSpec, each: (c: Container) => Resources = requestsOf): Resources {
  const total = emptyResources();
  for (const c of spec.containers ?? []) addInto(total, each(c));
  const sidecars = emptyResources();
  const initPeak = emptyResources();
  for (const c of spec.initContainers ?? []) {
    const r = each(c);
    if (c.restartPolicy === "Always") {
      addInto(sidecars, r);
      maxInto(initPeak, sidecars);
    } else {
      const during = cloneResources(sidecars);
      addInto(during, r);
      maxInto(initPeak, during);
    }
  }
  addInto(total, sidecars);
  maxInto(total, initPeak);
  if (spec.overhead) addInto(total, fromQuantities(spec.overhead));
  return total;
}

/** A container's request with upstream's scoring defaults for unset cpu and memory. */
function nonZeroRequestsOf(c: Container): Resources {
  const r = requestsOf(c);
  const req = { ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) };
  if (req.cpu === undefined) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
  if (req.memory === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
  return r;
}

/**
 * CPU and memory requests with defaults for containers that set none (upstream `NonZeroRequested`),
 * so many zero-request pods do not all land on one node.
 */
export function podNonZeroRequests(spec: PodSpec): { milliCPU: number; memory: number } {
  const r = podRequests(spec, nonZeroRequestsOf);
  return { milliCPU: r.milliCPU, memory: r.memory };
}

/** A node's allocatable (falling back to capacity, as the kubelet reports both) and its pod limit. */
export function nodeAllocatable(node: Node): { resources: Resources; pods: number } {
  const list = node.status?.allocatable ?? node.status?.capacity ?? {};
  const pods = list.pods !== undefined ? Math.floor(parseQuantity(list.pods) ?? 0) : DEFAULT_ALLOWED_PODS;
  return { resources: fromQuantities(list), pods };
}
