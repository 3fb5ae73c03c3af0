/**
 * InterPodAffinity filter (upstream plugin `InterPodAffinity`, filter half): required pod affinity (some
 * matching pod must run in the node's topology domain), required pod anti-affinity (none may), and the
 * required anti-affinity of pods already running (the incoming pod may not join a domain they exclude it
 * from). Counts per topology pair are computed once per pod, then each node is a few map lookups.
 */
import { termMatches } from "../pod-info.js";
import { reject, type AffinityTerm, type ClusterView, type CycleState, type NodeView, type Plugin, type PodInfo } from "../types.js";

export const INTER_POD_AFFINITY = "InterPodAffinity";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

interface AffinityState {
  /** Topology pairs ("key\0value") where a running pod's required anti-affinity excludes the incoming pod. */
  existingAnti: Map<string, number>;
  /** Pairs holding pods that match all of the incoming pod's required affinity terms. */
  affinity: Map<string, number>;
  /** Pairs holding pods that match one of the incoming pod's required anti-affinity terms. */
  anti: Map<string, number>;
}

const pair = (key: string, value: string) => `${key}\0${value}`;

function bump(m: Map<string, number>, key: string): void {
  m.set(key, (m.get(key) ?? 0) + 1);
}

function matchesAll(terms: readonly AffinityTerm[], pod: PodInfo): boolean {
  return terms.every((t) => termMatches(t, pod));
}

function computeState(pod: PodInfo, cluster: ClusterView): AffinityState {
  const state: AffinityState = { existingAnti: new Map(), affinity: new Map(), anti: new Map() };
  for (const { pod: other, node } of cluster.podsWithRequiredAntiAffinity()) {
    for (const term of other.requiredAntiAffinity) {
      const value = node.labels[term.topologyKey];
      if (value !== undefined && termMatches(term, pod)) bump(state.existingAnti, pair(term.topologyKey, value));
    }
  }
  if (pod.requiredAffinity.length === 0 && pod.requiredAntiAffinity.length === 0) return state;
  for (const node of cluster.nodes) {
    for (const other of node.pods.values()) {
      if (other.key === pod.key) continue;
      if (pod.requiredAffinity.length && matchesAll(pod.requiredAffinity, other)) {
        for (const term of pod.requiredAffinity) {
          const value = node.labels[term.topologyKey];
          if (value !== undefined) bump(state.affinity, pair(term.topologyKey, value));
        }
      }
      for (const term of pod.requiredAntiAffinity) {
        const value = node.labels[term.topologyKey];
        if (value !== undefined && termMatches(term, other)) bump(state.anti, pair(term.topologyKey, value));
      }
    }
  }
  return state;
}

function satisfiesAffinity(pod: PodInfo, s: AffinityState, node: NodeView): boolean {
  let podsExist = true;
  for (const term of pod.requiredAffinity) {
    const value = node.labels[term.topologyKey];
    if (value === undefined) return false; // every topology label must exist on the node
    if ((s.affinity.get(pair(term.topologyKey, value)) ?? 0) <= 0) podsExist = false;
  }
  // The first pod of a group with affinity to itself may go anywhere its topology keys exist.
  return podsExist || (s.affinity.size === 0 && matchesAll(pod.requiredAffinity, pod));
}

function satisfiesAntiAffinity(pod: PodInfo, s: AffinityState, node: NodeView): boolean {
  if (s.anti.size === 0) return true;
  for (const term of pod.requiredAntiAffinity) {
    const value = node.labels[term.topologyKey];
    if (value !== undefined && (s.anti.get(pair(term.topologyKey, value)) ?? 0) > 0) return false;
  }
  return true;
}

function satisfiesExistingAntiAffinity(s: AffinityState, node: NodeView): boolean {
  if (s.existingAnti.size === 0) return true;
  for (const [key, value] of Object.entries(node.labels)) if ((s.existingAnti.get(pair(key, value)) ?? 0) > 0) return false;
  return true;
}

/** @example interPodAffinityFilter.preFilter!(state, podInfo, cache); interPodAffinityFilter.filter!(state, podInfo, node) */
export const interPodAffinityFilter: Plugin = {
  name: INTER_POD_AFFINITY,
  preFilter(state: CycleState, pod, cluster) {
    state.set(INTER_POD_AFFINITY, computeState(pod, cluster));
    return undefined;
  },
  filter(state, pod, node) {
    const s = state.get(INTER_POD_AFFINITY) as AffinityState | undefined;
    if (!s) return undefined;
    if (pod.requiredAffinity.length && !satisfiesAffinity(pod, s, node)) return reject(INTER_POD_AFFINITY, "UnschedulableAndUnresolvable", ERR_REASON_AFFINITY);
    if (!satisfiesAntiAffinity(pod, s, node)) return reject(INTER_POD_AFFINITY, "Unschedulable", ERR_REASON_ANTI_AFFINITY);
    if (!satisfiesExistingAntiAffinity(s, node)) return reject(INTER_POD_AFFINITY, "Unschedulable", ERR_REASON_EXISTING_ANTI_AFFINITY);
    return undefined;
  },
};
