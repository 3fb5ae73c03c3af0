/**
 * NodeResourcesFit score, LeastAllocated strategy (upstream's default): prefers nodes with the most cpu
 * and memory left after placing the pod, counting upstream's defaults for containers without requests.
 * Each resource scores (allocatable − requested) × 100 / allocatable; the node scores their weighted mean.
 */
import { MAX_NODE_SCORE, type NodeView, type Plugin, type PodInfo } from "../types.js";

export const NODE_RESOURCES_FIT_SCORE = "NodeResourcesFit";
/** Default resource weights: cpu 1, memory 1 (upstream `defaultResourceSpec`). */
const CPU_WEIGHT = 1;
const MEMORY_WEIGHT = 1;

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** @example leastAllocatedScore(podInfo, nodeInfo) // 0…100 */
export function leastAllocatedScore(pod: PodInfo, node: NodeView): number {
  let sum = 0;
  let weights = 0;
  const cpuCap = node.allocatable.milliCPU;
  const memCap = node.allocatable.memory;
  if (cpuCap > 0) {
    sum += leastRequested(node.nonZeroMilliCPU + pod.nonZeroMilliCPU, cpuCap) * CPU_WEIGHT;
    weights += CPU_WEIGHT;
  }
  if (memCap > 0) {
    sum += leastRequested(node.nonZeroMemory + pod.nonZeroMemory, memCap) * MEMORY_WEIGHT;
    weights += MEMORY_WEIGHT;
  }
  return weights === 0 ? 0 : Math.trunc(sum / weights);
}

export const leastAllocated: Plugin = {
  name: NODE_RESOURCES_FIT_SCORE,
  weight: 1,
  score: (_state, pod, node) => leastAllocatedScore(pod, node),
};
