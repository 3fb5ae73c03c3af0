/**
 * PodTopologySpread score: for `ScheduleAnyway` constraints (and the cluster default for pods with a
 * controlling owner, which spreads a ReplicaSet's replicas over nodes and zones), nodes whose domains
 * hold fewer matching pods score higher (upstream plugin `PodTopologySpread`, score half). Each
 * constraint adds count × log(domains + 2) + (maxSkew − 1); scores are then flipped so the emptiest
 * node gets 100. Nodes without the topology labels score 0.
 */
import { LABEL_HOSTNAME, countSpread, nodeEligible, nodeHasSpreadKeys, spreadConstraints, type SpreadCounts } from "../spread.js";
import { MAX_NODE_SCORE, type NodeView, type Plugin, type SpreadConstraint } from "../types.js";

export const POD_TOPOLOGY_SPREAD_SCORE = "PodTopologySpread";

interface SpreadScoreState {
  constraints: SpreadConstraint[];
  spread: SpreadCounts;
  /** Per constraint: log(number of domains + 2), upstream's `topologyNormalizingWeight`. */
  weights: number[];
  /** Nodes that lack a topology key: scored 0 and left out of normalisation. */
  ignored: Set<string>;
}

/** @example podTopologySpreadScore.preScore!(state, podInfo, feasibleNodes, cache) */
export const podTopologySpreadScore: Plugin = {
  name: POD_TOPOLOGY_SPREAD_SCORE,
  weight: 2,
  preScore(state, pod, nodes, cluster) {
    const { constraints, byController } = spreadConstraints(pod, "ScheduleAnyway");
    if (constraints.length === 0) return;
    const spread = countSpread(pod, constraints, cluster, byController);
    // The pod's own constraints skip nodes missing a key; the system defaults use each key where present.
    const ignored = new Set<string>();
    if (!byController) for (const n of nodes) if (!nodeHasSpreadKeys(n, constraints)) ignored.add(n.name);
    const weights = constraints.map((c, i) => {
      let size = spread.domains[i]!.size;
      if (c.topologyKey === LABEL_HOSTNAME) size = nodes.filter((n) => !ignored.has(n.name) && nodeEligible(pod, c, n)).length;
      return Math.log(size + 2);
    });
    state.set(POD_TOPOLOGY_SPREAD_SCORE, { constraints, spread, weights, ignored } satisfies SpreadScoreState);
  },
  score(state, _pod, node: NodeView) {
    const s = state.get(POD_TOPOLOGY_SPREAD_SCORE) as SpreadScoreState | undefined;
    if (!s || s.ignored.has(node.name)) return 0;
    let score = 0;
    s.constraints.forEach((c, i) => {
      const value = node.labels[c.topologyKey];
      if (value === undefined) return;
      score += (s.spread.counts[i]!.get(value) ?? 0) * s.weights[i]! + (c.maxSkew - 1);
    });
    return Math.round(score);
  },
  normalize(state, scores, nodes) {
    const s = state.get(POD_TOPOLOGY_SPREAD_SCORE) as SpreadScoreState | undefined;
    if (!s) return;
    let min = Infinity;
    let max = -Infinity;
    nodes.forEach((n, i) => {
      if (s.ignored.has(n.name)) return;
      min = Math.min(min, scores[i]!);
      max = Math.max(max, scores[i]!);
    });
    nodes.forEach((n, i) => {
      if (s.ignored.has(n.name)) scores[i] = 0;
      else if (max === 0) scores[i] = MAX_NODE_SCORE;
      else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - scores[i]!)) / max);
    });
  },
};
