/**
 * NodeResourcesFit filter: the pod's requests must fit in the node's allocatable minus what its pods
 * already request, and the node must have room for one more pod (upstream plugin `NodeResourcesFit`,
 * filter half). Every shortfall is reported, in upstream's order: pods, cpu, memory, ephemeral-storage,
 * then other resources.
 */
import { reject, type NodeView, type Plugin, type PodInfo } from "../types.js";

export const NODE_RESOURCES_FIT = "NodeResourcesFit";

/**
 * The reasons a pod does not fit on a node; empty when it fits.
 *
 * @example insufficientResources(podInfo, nodeInfo) // ["Insufficient cpu"]
 */
export function insufficientResources(pod: PodInfo, node: NodeView): string[] {
  const reasons: string[] = [];
  if (node.pods.size + 1 > node.allowedPodNumber) reasons.push("Too many pods");
  const r = pod.requests;
  if (r.milliCPU === 0 && r.memory === 0 && r.ephemeralStorage === 0 && r.scalar.size === 0) return reasons;
  const a = node.allocatable;
  const used = node.requested;
  if (r.milliCPU > 0 && a.milliCPU < r.milliCPU + used.milliCPU) reasons.push("Insufficient cpu");
  if (r.memory > 0 && a.memory < r.memory + used.memory) reasons.push("Insufficient memory");
  if (r.ephemeralStorage > 0 && a.ephemeralStorage < r.ephemeralStorage + used.ephemeralStorage) reasons.push("Insufficient ephemeral-storage");
  for (const [name, want] of r.scalar) {
    if (want > 0 && (a.scalar.get(name) ?? 0) < want + (used.scalar.get(name) ?? 0)) reasons.push(`Insufficient ${name}`);
  }
  return reasons;
}

/** @example nodeResourcesFit.filter!(state, podInfo, nodeInfo)?.reasons */
export const nodeResourcesFit: Plugin = {
  name: NODE_RESOURCES_FIT,
  filter(_state, pod, node) {
    const reasons = insufficientResources(pod, node);
    return reasons.length ? reject(NODE_RESOURCES_FIT, "Unschedulable", ...reasons) : undefined;
  },
};
