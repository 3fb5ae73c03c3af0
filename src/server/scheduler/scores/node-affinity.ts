/**
 * NodeAffinity score: the sum of the weights of the pod's preferred node-affinity terms the node
 * matches, scaled so the best node gets 100 (upstream plugin `NodeAffinity`, score half).
 */
import { termMatchesNode } from "../node-selector.js";
import type { Plugin } from "../types.js";
import { defaultNormalizeScore } from "./normalize.js";

export const NODE_AFFINITY_SCORE = "NodeAffinity";

/** @example nodeAffinityScore.score!(state, podInfo, nodeInfo) // raw weight sum before normalize */
export const nodeAffinityScore: Plugin = {
  name: NODE_AFFINITY_SCORE,
  weight: 2,
  score(_state, pod, node) {
    const preferred = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    let sum = 0;
    for (const p of preferred) if (p.weight !== 0 && termMatchesNode(p.preference, node.node)) sum += p.weight;
    return sum;
  },
  normalize: (_state, scores) => defaultNormalizeScore(scores, false),
};
