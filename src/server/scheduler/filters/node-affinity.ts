/**
 * NodeAffinity filter: the pod's `nodeSelector` and required node affinity must match the node's labels
 * and fields (upstream plugin `NodeAffinity`, filter half).
 */
import { podMatchesNodeSelectorAndAffinity } from "../node-selector.js";
import { reject, type Plugin } from "../types.js";

export const NODE_AFFINITY = "NodeAffinity";
export const ERR_REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";

/** @example nodeAffinityFilter.filter!(state, podInfo, nodeInfo) */
export const nodeAffinityFilter: Plugin = {
  name: NODE_AFFINITY,
  filter(_state, pod, node) {
    if (podMatchesNodeSelectorAndAffinity(pod.pod, node.node)) return undefined;
    return reject(NODE_AFFINITY, "UnschedulableAndUnresolvable", ERR_REASON_NODE_AFFINITY);
  },
};
