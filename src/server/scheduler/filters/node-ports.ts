/**
 * NodePorts filter: the pod's host ports must be free on the node (upstream plugin `NodePorts`). Two
 * claims conflict on the same protocol and port when either binds every address (0.0.0.0) or both
 * bind the same one.
 */
import { reject, type HostPort, type Plugin } from "../types.js";

export const NODE_PORTS = "NodePorts";
export const ERR_REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";

const ANY_IP = "0.0.0.0";

/** Whether two host-port claims collide. @example portsConflict({ ip: "0.0.0.0", protocol: "TCP", port: 80 }, other) */
export function portsConflict(a: HostPort, b: HostPort): boolean {
  if (a.port !== b.port || a.protocol !== b.protocol) return false;
  return a.ip === ANY_IP || b.ip === ANY_IP || a.ip === b.ip;
}

/** @example nodePorts.filter!(state, podInfo, nodeInfo) */
export const nodePorts: Plugin = {
  name: NODE_PORTS,
  filter(_state, pod, node) {
    if (pod.hostPorts.length === 0 || node.usedPorts.length === 0) return undefined;
    for (const want of pod.hostPorts) {
      if (node.usedPorts.some((used) => portsConflict(want, used))) return reject(NODE_PORTS, "Unschedulable", ERR_REASON_NODE_PORTS);
    }
    return undefined;
  },
};
