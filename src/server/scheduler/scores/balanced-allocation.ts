/**
 * NodeResourcesBalancedAllocation score: prefers nodes whose cpu and memory would be used in similar
 * proportions after placing the pod. Score = (1 − standard deviation of the used fractions) × 100,
 * as upstream's `balancedResourceScorer`, on actual requests.
 */
import { MAX_NODE_SCORE, type NodeView, type Plugin, type PodInfo } from "../types.js";

export const BALANCED_ALLOCATION = "NodeResourcesBalancedAllocation";

/** @example balancedAllocationScore(podInfo, nodeInfo) // 100 when cpu and memory are equally used */
export function balancedAllocationScore(pod: PodInfo, node: NodeView): number {
  const fractions: number[] = [];
  const add = (requested: number, capacity: number) => {
    if (capacity > 0) fractions.push(Math.min(requested / capacity, 1));
  };
  add(node.requested.milliCPU + pod.requests.milliCPU, node.allocatable.milliCPU);
  add(node.requested.memory + pod.requests.memory, node.allocatable.memory);
  let std = 0;
  if (fractions.length === 2) {
    std = Math.abs(fractions[0]! - fractions[1]!) / 2;
  } else if (fractions.length > 2) {
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    std = Math.sqrt(fractions.reduce((a, f) => a + (f - mean) ** 2, 0) / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export const balancedAllocation: Plugin = {
  name: BALANCED_ALLOCATION,
  weight: 1,
  score: (_state, pod, node) => balancedAllocationScore(pod, node),
};
