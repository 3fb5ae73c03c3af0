/**
 * Node registration and status reporting for the kubelet.
 *
 * @example
 * const reporter = new NodeStatusReporter(client, { nodeName, containerRuntimeVersion: `docker://${dockerVersion}`, podCIDRs: [cidr] }, { dataDir, log });
 * await reporter.start();
 */
export { NodeStatusReporter, NODE_STATUS_REPORT_INTERVAL_MS, NODE_STATUS_UPDATE_INTERVAL_MS, PRESSURE_TRANSITION_PERIOD_MS, type NodeStatusReporterOptions } from "./status-reporter.js";
export { registerNode, updateNodeStatus, reconcileExistingNode, NODES, KUBELET_FIELD_MANAGER } from "./register.js";
export { initialNode, conditionEvents, nodeImages, nodeStatus, nodeConditions, nodeLabels, nodeStatusChanged, nodeSystemInfo, nodeAddresses, goArch, goOS, type NodeConfig, type NodeEvent, type NodeImage, type NodeObject, type StatusInputs } from "./node-object.js";
export { readHostFacts, DEFAULT_HOST_PATHS, type HostFacts, type HostPaths } from "./host-facts.js";
export { nodeCapacity, nodeAllocatable, pressureSignals, binaryQuantity, cpuQuantity, DEFAULT_EVICTION_HARD, DEFAULT_MAX_PODS, type EvictionThresholds, type Reservations, type Pressure } from "./resources.js";
