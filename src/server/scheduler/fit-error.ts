/**
 * The FailedScheduling message, as upstream's `FitError.Error()` plus the DefaultPreemption post-filter
 * message: "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint
 * {node-role.kubernetes.io/control-plane: }. preemption: 0/3 nodes are available: 1 No preemption
 * victims found for incoming pod, 2 Preemption is not helpful for scheduling."
 *
 * kube-lite does not evict pods to make room (no preemption); the preemption part is upstream's
 * dry run, so the message says what upstream's would whenever preemption could not help.
 */
import type { Diagnosis } from "./framework.js";
import { runFilters } from "./framework.js";
import { NodeInfo } from "./node-info.js";
import type { ClusterView, CycleState, FilterStatus, Plugin, PodInfo } from "./types.js";

export const NO_NODES_AVAILABLE = "no nodes available to schedule pods";
export const PREEMPTION_NOT_HELPFUL = "Preemption is not helpful for scheduling";
export const NO_PREEMPTION_VICTIMS = "No preemption victims found for incoming pod";

/** Counts reasons over nodes and formats them "N reason", sorted as Go's sort.Strings (byte order). */
function histogram(statuses: Iterable<FilterStatus | string>): string {
  const counts = new Map<string, number>();
  for (const s of statuses) {
    for (const reason of typeof s === "string" ? [s] : s.reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  const parts = [...counts].map(([reason, n]) => `${n} ${reason}`);
  parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return parts.join(", ");
}

/**
 * The filter part: "0/N nodes are available: <histogram>." (or the pre-filter's message).
 *
 * @example fitErrorMessage(diagnosis) === "0/3 nodes are available: 3 Insufficient cpu."
 */
export function fitErrorMessage(d: Diagnosis): string {
  let msg = `0/${d.numAllNodes} nodes are available:`;
  if (d.preFilterMsg) return `${msg} ${d.preFilterMsg}.`;
  const reasons = histogram(d.nodeStatuses.values());
  if (reasons) msg += ` ${reasons}.`;
  return msg;
}

/**
 * Upstream's preemption dry run, for the message only: nodes rejected for good are "not helpful";
 * elsewhere the pod's lower-priority pods are set aside and the filters run again. Returns the
 * post-filter message, or undefined when evicting would make room somewhere (upstream would preempt
 * there; kube-lite leaves the pod pending and says only why it does not fit now).
 */
export function preemptionMessage(pod: PodInfo, d: Diagnosis, cluster: ClusterView, filters: readonly Plugin[], state: CycleState): string | undefined {
  if (pod.pod.spec?.preemptionPolicy === "Never") return "preemption: not eligible due to preemptionPolicy=Never.";
  const outcomes: (FilterStatus | string)[] = [];
  let candidates = 0;
  for (const node of cluster.nodes) {
    const status = d.nodeStatuses.get(node.name);
    if (!status || status.code === "UnschedulableAndUnresolvable") {
      outcomes.push(PREEMPTION_NOT_HELPFUL);
      continue;
    }
    const lower = [...node.pods.values()].filter((p) => p.priority < pod.priority);
    if (lower.length === 0) {
      outcomes.push(NO_PREEMPTION_VICTIMS);
      continue;
    }
    const trial = new NodeInfo(node.node);
    for (const p of node.pods.values()) if (p.priority >= pod.priority) trial.addPod(p);
    const again = runFilters(filters, state, pod, trial);
    if (again) outcomes.push(again);
    else candidates++;
  }
  if (candidates > 0) return undefined;
  return `preemption: 0/${cluster.nodes.length} nodes are available: ${histogram(outcomes)}.`;
}

/**
 * The full message for a pod that fits nowhere.
 *
 * @example failedSchedulingMessage(podInfo, diagnosis, cache, DEFAULT_FILTERS, state)
 */
export function failedSchedulingMessage(pod: PodInfo, d: Diagnosis, cluster: ClusterView, filters: readonly Plugin[], state: CycleState): string {
  if (d.numAllNodes === 0) return NO_NODES_AVAILABLE;
  const post = preemptionMessage(pod, d, cluster, filters, state);
  return post ? `${fitErrorMessage(d)} ${post}` : fitErrorMessage(d);
}
