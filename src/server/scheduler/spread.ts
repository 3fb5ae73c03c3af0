/**
 * Topology spread constraints as the PodTopologySpread plugin reads them: the pod's own constraints
 * (label selector plus `matchLabelKeys`), or the cluster default (spread over hostnames with maxSkew 3
 * and zones with maxSkew 5, ScheduleAnyway) for pods with a controlling owner, and the per-domain
 * counts of matching pods both the filter and the score use.
 */
import type { TopologySpreadConstraint } from "kubernetes-types/core/v1.js";
import { everythingLabelSelector, labelSelectorFromObject } from "../../shared/api/selectors.js";
import { podMatchesNodeSelectorAndAffinity } from "./node-selector.js";
import { firstUntolerated } from "./tolerations.js";
import type { ClusterView, NodeView, PodInfo, SpreadConstraint } from "./types.js";

export const LABEL_HOSTNAME = "kubernetes.io/hostname";
export const LABEL_ZONE = "topology.kubernetes.io/zone";
/** Upstream's system default constraints (`systemDefaultConstraints`). */
const DEFAULT_HOSTNAME_SKEW = 3;
const DEFAULT_ZONE_SKEW = 5;

function parseConstraint(pod: PodInfo, c: TopologySpreadConstraint): SpreadConstraint {
  const base = c.labelSelector ?? null;
  let selector = labelSelectorFromObject(base);
  const extra = (c.matchLabelKeys ?? []).filter((k) => pod.labels[k] !== undefined);
  if (base && extra.length) {
    const matchExpressions = [...(base.matchExpressions ?? []), ...extra.map((k) => ({ key: k, operator: "In", values: [pod.labels[k]!] }))];
    selector = labelSelectorFromObject({ ...base, matchExpressions });
  }
  return {
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    selector,
    minDomains: c.minDomains ?? 1,
    honorNodeAffinity: (c.nodeAffinityPolicy ?? "Honor") === "Honor",
    honorNodeTaints: (c.nodeTaintsPolicy ?? "Ignore") === "Honor",
  };
}

/**
 * The pod's constraints with the given `whenUnsatisfiable`; for ScheduleAnyway, a pod with no
 * constraints of its own and a controlling owner gets the system defaults.
 *
 * @example spreadConstraints(podInfo, "DoNotSchedule")
 */
export function spreadConstraints(pod: PodInfo, when: "DoNotSchedule" | "ScheduleAnyway"): { constraints: SpreadConstraint[]; byController: boolean } {
  const own = pod.pod.spec?.topologySpreadConstraints ?? [];
  if (own.length) return { constraints: own.filter((c) => c.whenUnsatisfiable === when).map((c) => parseConstraint(pod, c)), byController: false };
  if (when === "DoNotSchedule" || !pod.controllerUid) return { constraints: [], byController: false };
  // Stands in for upstream's selector built from the owning Service/ReplicaSet/StatefulSet: the candidate
  // pods are already those with the same controlling owner (see `countSpread`), so it selects them all.
  const selector = everythingLabelSelector();
  const common = { selector, minDomains: 1, honorNodeAffinity: true, honorNodeTaints: false };
  return {
    constraints: [
      { ...common, maxSkew: DEFAULT_HOSTNAME_SKEW, topologyKey: LABEL_HOSTNAME },
      { ...common, maxSkew: DEFAULT_ZONE_SKEW, topologyKey: LABEL_ZONE },
    ],
    byController: true,
  };
}

/** Whether a node has every topology key the constraints use. */
export function nodeHasSpreadKeys(node: NodeView, constraints: readonly SpreadConstraint[]): boolean {
  return constraints.every((c) => node.labels[c.topologyKey] !== undefined);
}

/** Whether a node counts as a domain for a constraint (its affinity and taint policies). */
export function nodeEligible(pod: PodInfo, c: SpreadConstraint, node: NodeView): boolean {
  if (c.honorNodeAffinity && !podMatchesNodeSelectorAndAffinity(pod.pod, node.node)) return false;
  if (c.honorNodeTaints && firstUntolerated(node.hardTaints, pod.tolerations)) return false;
  return true;
}

/** Matching pods per domain value for each constraint, and each constraint's set of domains. */
export interface SpreadCounts {
  counts: Map<string, number>[];
  domains: Set<string>[];
}

/**
 * Counts pods that match each constraint in each topology domain, over eligible nodes that carry every
 * constraint key. Only pods in the incoming pod's namespace count, and never terminating ones.
 */
export function countSpread(pod: PodInfo, constraints: readonly SpreadConstraint[], cluster: ClusterView, byController: boolean): SpreadCounts {
  // The pod's own constraints need nodes with every key; the system defaults take each key on its own.
  const requireAll = !byController;
  const counts = constraints.map(() => new Map<string, number>());
  const domains = constraints.map(() => new Set<string>());
  const eligible = constraints.map(() => new Set<NodeView>());
  for (let i = 0; i < constraints.length; i++) {
    const c = constraints[i]!;
    for (const node of cluster.nodes) {
      const value = node.labels[c.topologyKey];
      if (value === undefined || (requireAll && !nodeHasSpreadKeys(node, constraints)) || !nodeEligible(pod, c, node)) continue;
      domains[i]!.add(value);
      eligible[i]!.add(node);
    }
  }
  const candidates = byController && pod.controllerUid ? cluster.podsOfController(pod.controllerUid) : cluster.podsInNamespace(pod.namespace);
  for (const { pod: other, node } of candidates) {
    if (other.terminating || other.key === pod.key || other.namespace !== pod.namespace) continue;
    for (let i = 0; i < constraints.length; i++) {
      const c = constraints[i]!;
      if (!eligible[i]!.has(node) || !c.selector.matches(other.labels)) continue;
      const v = node.labels[c.topologyKey]!;
      counts[i]!.set(v, (counts[i]!.get(v) ?? 0) + 1);
    }
  }
  return { counts, domains };
}
