/**
 * The kubelet's pod lifecycle: `Kubelet` watches this node's pods and runs a `PodWorker` per pod.
 *
 * @example import { Kubelet } from "./kubelet/pod-workers/index.js";
 *          const kubelet = new Kubelet({ nodeName, client, runtime, dataDir, network, clusterDNS: "10.43.0.10", logger });
 *          await kubelet.start();
 */
export { Kubelet, DEFAULT_CLUSTER_DOMAIN, type KubeletOptions } from "./kubelet.js";
export { PodWorker, type PodWorkerDeps } from "./pod-worker.js";
export { computePodStatus, podStatusChanged, type PodObservation } from "./status/pod-status.js";
export { KubeletEventRecorder } from "./events.js";
