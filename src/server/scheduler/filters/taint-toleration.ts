/**
 * TaintToleration filter: a node's NoSchedule and NoExecute taints must all be tolerated
 * (upstream plugin `TaintToleration`, filter half). PreferNoSchedule taints only lower the score.
 */
import { firstUntolerated } from "../tolerations.js";
import { reject, type Plugin } from "../types.js";

export const TAINT_TOLERATION = "TaintToleration";

/** Upstream 1.32's reason text names the first untolerated taint. */
export function untoleratedTaintReason(key: string, value: string): string {
  return `node(s) had untolerated taint {${key}: ${value}}`;
}

/** @example taintTolerationFilter.filter!(state, podInfo, taintedNode)?.reasons[0] */
export const taintTolerationFilter: Plugin = {
  name: TAINT_TOLERATION,
  filter(_state, pod, node) {
    if (node.hardTaints.length === 0) return undefined;
    const taint = firstUntolerated(node.hardTaints, pod.tolerations);
    if (!taint) return undefined;
    return reject(TAINT_TOLERATION, "UnschedulableAndUnresolvable", untoleratedTaintReason(taint.key, taint.value ?? ""));
  },
};
