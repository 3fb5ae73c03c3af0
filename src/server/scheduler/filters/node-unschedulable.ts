/**
 * NodeUnschedulable filter: a cordoned node (`spec.unschedulable`) takes only pods that tolerate the
 * `node.kubernetes.io/unschedulable:NoSchedule` taint (upstream plugin `NodeUnschedulable`).
 */
import type { Taint } from "kubernetes-types/core/v1.js";
import { toleratesTaint } from "../tolerations.js";
import { reject, type Plugin } from "../types.js";

export const NODE_UNSCHEDULABLE = "NodeUnschedulable";
export const ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable";
/** The taint a cordoned node implies (upstream `v1.TaintNodeUnschedulable`). */
const UNSCHEDULABLE_TAINT: Taint = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" };

/** @example nodeUnschedulable.filter!(state, podInfo, cordonedNode)?.reasons */
export const nodeUnschedulable: Plugin = {
  name: NODE_UNSCHEDULABLE,
  filter(_state, pod, node) {
    if (!node.unschedulable) return undefined;
    if (pod.tolerations.some((t) => toleratesTaint(t, UNSCHEDULABLE_TAINT))) return undefined;
    return reject(NODE_UNSCHEDULABLE, "UnschedulableAndUnresolvable", ERR_REASON_UNSCHEDULABLE);
  },
};
