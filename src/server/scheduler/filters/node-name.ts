/**
 * NodeName filter: a pod that names its node fits only there (upstream plugin `NodeName`).
 */
import { reject, type Plugin } from "../types.js";

export const NODE_NAME = "NodeName";
export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

/** @example nodeName.filter!(state, podInfo, nodeInfo) // undefined when it fits */
export const nodeName: Plugin = {
  name: NODE_NAME,
  filter(_state, pod, node) {
    const wanted = pod.pod.spec?.nodeName;
    if (!wanted || wanted === node.name) return undefined;
    return reject(NODE_NAME, "UnschedulableAndUnresolvable", ERR_REASON_NODE_NAME);
  },
};
