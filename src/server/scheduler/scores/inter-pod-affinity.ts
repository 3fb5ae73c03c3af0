/**
 * InterPodAffinity score (upstream plugin `InterPodAffinity`, score half): each topology domain gains
 * the weight of the incoming pod's preferred affinity terms matched by pods running there (anti-affinity
 * subtracts), plus what running pods' own terms say about the incoming pod (their required affinity
 * counts with weight 1, upstream's `hardPodAffinityWeight`). Scores are scaled to 0…100 between the
 * lowest and highest node.
 */
import { termMatches } from "../pod-info.js";
import { MAX_NODE_SCORE, type AffinityTerm, type NodeView, type Plugin, type PodInfo } from "../types.js";

export const INTER_POD_AFFINITY_SCORE = "InterPodAffinity";
/** Weight of a running pod's required affinity term that the incoming pod satisfies (upstream default 1). */
export const HARD_POD_AFFINITY_WEIGHT = 1;

type TopologyScores = Map<string, Map<string, number>>;

function add(scores: TopologyScores, term: AffinityTerm, weight: number, node: NodeView): void {
  const value = node.labels[term.topologyKey];
  if (value === undefined) return;
  let byValue = scores.get(term.topologyKey);
  if (!byValue) scores.set(term.topologyKey, (byValue = new Map()));
  byValue.set(value, (byValue.get(value) ?? 0) + weight);
}

function processExistingPod(scores: TopologyScores, incoming: PodInfo, existing: PodInfo, node: NodeView): void {
  for (const t of incoming.preferredAffinity) if (termMatches(t, existing)) add(scores, t, t.weight, node);
  for (const t of incoming.preferredAntiAffinity) if (termMatches(t, existing)) add(scores, t, -t.weight, node);
  for (const t of existing.requiredAffinity) if (termMatches(t, incoming)) add(scores, t, HARD_POD_AFFINITY_WEIGHT, node);
  for (const t of existing.preferredAffinity) if (termMatches(t, incoming)) add(scores, t, t.weight, node);
  for (const t of existing.preferredAntiAffinity) if (termMatches(t, incoming)) add(scores, t, -t.weight, node);
}

/** @example interPodAffinityScore.preScore!(state, podInfo, nodes, cache) */
export const interPodAffinityScore: Plugin = {
  name: INTER_POD_AFFINITY_SCORE,
  weight: 2,
  preScore(state, pod, _nodes, cluster) {
    const scores: TopologyScores = new Map();
    if (pod.preferredAffinity.length || pod.preferredAntiAffinity.length) {
      for (const node of cluster.nodes) for (const existing of node.pods.values()) processExistingPod(scores, pod, existing, node);
    } else {
      for (const { pod: existing, node } of cluster.podsWithAffinity()) processExistingPod(scores, pod, existing, node);
    }
    state.set(INTER_POD_AFFINITY_SCORE, scores);
  },
  score(state, _pod, node) {
    const scores = state.get(INTER_POD_AFFINITY_SCORE) as TopologyScores | undefined;
    if (!scores || scores.size === 0) return 0;
    let sum = 0;
    for (const [key, byValue] of scores) {
      const value = node.labels[key];
      if (value !== undefined) sum += byValue.get(value) ?? 0;
    }
    return sum;
  },
  normalize(state, scores) {
    const topo = state.get(INTER_POD_AFFINITY_SCORE) as TopologyScores | undefined;
    if (!topo || topo.size === 0) return;
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) {
      min = Math.min(min, s);
      max = Math.max(max, s);
    }
    const diff = max - min;
    for (let i = 0; i < scores.length; i++) scores[i] = diff > 0 ? Math.trunc((MAX_NODE_SCORE * (scores[i]! - min)) / diff) : 0;
  },
};
