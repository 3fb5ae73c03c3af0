/**
 * NodeResourcesBalancedAllocation score: prefers nodes whose cpu and memory would be used in similar
 * proportions after placing the pod. Score = (1 − standard deviation of the used fractions) × 100,
 * as upstream's `balancedResourceScorer`, on actual requests.
 */
import { MAX_NODE_SCORE, type NodeView, type Plugin, type PodInfo } from "../types.js";

export const BALANCED_ALLOCATION = "NodeResourcesBalancedAllocation";

/** @example balancedAllocationScore(podInfo, nodeInfo) // 100 when cpu and memory are equally used */
export function balancedAllocationScore(pod: PodInfo, node: NodeView): number {
  const cpuCap = node.allocatable.milliCPU;
  const memCap = node.allocatable.memory;
  // Resources the node does not offer are left out, as upstream skips zero allocatable.
  if (cpuCap <= 0 || memCap <= 0) return MAX_NODE_SCORE;
  const cpu = Math.min((node.requested.milliCPU + pod.requests.milliCPU) / cpuCap, 1);
  const memory = Math.min((node.requested.memory + pod.requests.memory) / memCap, 1);
  // The standard deviation of two fractions is half their difference.
  const std = Math.abs(cpu - memory) / 2;
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export const balancedAllocation: Plugin = {
  name: BALANCED_ALLOCATION,
  weight: 1,
  score: (_state, pod, node) => balancedAllocationScore(pod, node),
};
