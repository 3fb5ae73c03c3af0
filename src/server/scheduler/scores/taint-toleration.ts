/**
 * TaintToleration score: fewer untolerated PreferNoSchedule taints is better; the node with the most
 * scores 0 and a node with none scores 100 (upstream plugin `TaintToleration`, score half).
 */
import { countUntolerated } from "../tolerations.js";
import type { Plugin } from "../types.js";
import { defaultNormalizeScore } from "./normalize.js";

export const TAINT_TOLERATION_SCORE = "TaintToleration";

/** @example taintTolerationScore.score!(state, podInfo, nodeInfo) // count of intolerable soft taints */
export const taintTolerationScore: Plugin = {
  name: TAINT_TOLERATION_SCORE,
  weight: 3,
  score(_state, pod, node) {
    if (node.softTaints.length === 0) return 0;
    const tolerations = pod.tolerations.filter((t) => !t.effect || t.effect === "PreferNoSchedule");
    return countUntolerated(node.softTaints, tolerations);
  },
  normalize: (_state, scores) => defaultNormalizeScore(scores, true),
};
