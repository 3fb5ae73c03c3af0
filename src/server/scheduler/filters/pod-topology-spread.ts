/**
 * PodTopologySpread filter: for each `whenUnsatisfiable: DoNotSchedule` constraint, placing the pod in
 * the node's domain must keep the skew (its count minus the smallest domain's) within `maxSkew`
 * (upstream plugin `PodTopologySpread`, filter half).
 */
import { countSpread, nodeHasSpreadKeys, spreadConstraints, type SpreadCounts } from "../spread.js";
import { reject, type Plugin, type SpreadConstraint } from "../types.js";

export const POD_TOPOLOGY_SPREAD = "PodTopologySpread";
export const ERR_REASON_SPREAD = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_SPREAD_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)";

interface SpreadFilterState {
  constraints: SpreadConstraint[];
  spread: SpreadCounts;
  /** Smallest matching count over each constraint's domains (0 when fewer domains than minDomains). */
  minMatch: number[];
}

/** @example podTopologySpreadFilter.preFilter!(state, podInfo, cache) */
export const podTopologySpreadFilter: Plugin = {
  name: POD_TOPOLOGY_SPREAD,
  preFilter(state, pod, cluster) {
    const { constraints } = spreadConstraints(pod, "DoNotSchedule");
    if (constraints.length === 0) return undefined;
    const spread = countSpread(pod, constraints, cluster, false);
    const minMatch = constraints.map((c, i) => {
      const domains = spread.domains[i]!;
      if (domains.size < c.minDomains) return 0;
      let min = Infinity;
      for (const d of domains) min = Math.min(min, spread.counts[i]!.get(d) ?? 0);
      return Number.isFinite(min) ? min : 0;
    });
    state.set(POD_TOPOLOGY_SPREAD, { constraints, spread, minMatch } satisfies SpreadFilterState);
    return undefined;
  },
  filter(state, pod, node) {
    const s = state.get(POD_TOPOLOGY_SPREAD) as SpreadFilterState | undefined;
    if (!s) return undefined;
    if (!nodeHasSpreadKeys(node, s.constraints)) return reject(POD_TOPOLOGY_SPREAD, "UnschedulableAndUnresolvable", ERR_REASON_SPREAD_LABEL);
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      const value = node.labels[c.topologyKey]!;
      const self = c.selector.matches(pod.labels) ? 1 : 0;
      const skew = (s.spread.counts[i]!.get(value) ?? 0) + self - s.minMatch[i]!;
      if (skew > c.maxSkew) return reject(POD_TOPOLOGY_SPREAD, "Unschedulable", ERR_REASON_SPREAD);
    }
    return undefined;
  },
};
