/**
 * One scheduling cycle for one pod, after upstream's framework: pre-filter, filter every node (until
 * enough feasible nodes are found in big clusters), pre-score, score, normalise, weigh, pick the best
 * node (ties at random). A pod that fits nowhere gets a `Diagnosis` saying why, node by node.
 * The cycle is synchronous over the live cache, so no other decision can interleave with it.
 */
import { interPodAffinityFilter } from "./filters/inter-pod-affinity.js";
import { nodeAffinityFilter } from "./filters/node-affinity.js";
import { nodeName } from "./filters/node-name.js";
import { nodePorts } from "./filters/node-ports.js";
import { nodeResourcesFit } from "./filters/node-resources-fit.js";
import { nodeUnschedulable } from "./filters/node-unschedulable.js";
import { podTopologySpreadFilter } from "./filters/pod-topology-spread.js";
import { taintTolerationFilter } from "./filters/taint-toleration.js";
import { balancedAllocation } from "./scores/balanced-allocation.js";
import { interPodAffinityScore } from "./scores/inter-pod-affinity.js";
import { leastAllocated } from "./scores/least-allocated.js";
import { nodeAffinityScore } from "./scores/node-affinity.js";
import { podTopologySpreadScore } from "./scores/pod-topology-spread.js";
import { taintTolerationScore } from "./scores/taint-toleration.js";
import type { ClusterView, CycleState, FilterStatus, NodeView, Plugin, PodInfo } from "./types.js";

/** Filters in upstream's default-profile order; a node is rejected by the first that fails. */
export const DEFAULT_FILTERS: readonly Plugin[] = [
  nodeUnschedulable,
  nodeName,
  taintTolerationFilter,
  nodeAffinityFilter,
  nodePorts,
  nodeResourcesFit,
  podTopologySpreadFilter,
  interPodAffinityFilter,
];

/** Scores with their default-profile weights (set on each plugin). */
export const DEFAULT_SCORES: readonly Plugin[] = [
  taintTolerationScore,
  nodeAffinityScore,
  leastAllocated,
  podTopologySpreadScore,
  interPodAffinityScore,
  balancedAllocation,
];

/** Below this many nodes every node is checked (upstream `minFeasibleNodesToFind`). */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
/** Smallest share of nodes checked in big clusters (upstream `minFeasibleNodesPercentageToFind`). */
const MIN_FEASIBLE_NODES_PERCENTAGE = 5;

/** Why a pod fits nowhere: each rejected node's status, or a pre-filter's verdict for all of them. */
export interface Diagnosis {
  numAllNodes: number;
  nodeStatuses: Map<string, FilterStatus>;
  preFilterMsg?: string;
  /** Plugins that rejected the pod somewhere: which cluster changes could make it fit. */
  unschedulablePlugins: Set<string>;
}

export type CycleResult = { node: string; feasibleNodes: number; state: CycleState } | { diagnosis: Diagnosis; state: CycleState };

/** How many feasible nodes to look for before scoring (upstream's adaptive `numFeasibleNodesToFind`). */
export function numFeasibleNodesToFind(numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  const percentage = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE, 50 - Math.trunc(numAllNodes / 125));
  return Math.max(MIN_FEASIBLE_NODES_TO_FIND, Math.trunc((numAllNodes * percentage) / 100));
}

/** Runs every filter on one node; the first rejection wins. */
export function runFilters(filters: readonly Plugin[], state: CycleState, pod: PodInfo, node: NodeView): FilterStatus | undefined {
  for (const f of filters) {
    const s = f.filter?.(state, pod, node);
    if (s) return s;
  }
  return undefined;
}

export class Framework {
  /** Where the next cycle starts looking, so big clusters are searched round-robin. */
  private nextStartNodeIndex = 0;

  constructor(
    readonly filters: readonly Plugin[] = DEFAULT_FILTERS,
    readonly scores: readonly Plugin[] = DEFAULT_SCORES,
  ) {}

  /**
   * Picks a node for the pod, or explains why none fits.
   *
   * @example const r = new Framework().schedule(buildPodInfo(pod), cache); if ("node" in r) bind(r.node);
   */
  schedule(pod: PodInfo, cluster: ClusterView): CycleResult {
    const state: CycleState = new Map();
    const nodes = cluster.nodes;
    const diagnosis: Diagnosis = { numAllNodes: nodes.length, nodeStatuses: new Map(), unschedulablePlugins: new Set() };
    for (const f of this.filters) {
      const s = f.preFilter?.(state, pod, cluster);
      if (s) {
        diagnosis.preFilterMsg = s.reasons.join(", ");
        diagnosis.unschedulablePlugins.add(s.plugin);
        for (const n of nodes) diagnosis.nodeStatuses.set(n.name, s);
        return { diagnosis, state };
      }
    }
    const want = numFeasibleNodesToFind(nodes.length);
    const feasible: NodeView[] = [];
    const start = nodes.length ? this.nextStartNodeIndex % nodes.length : 0;
    let checked = 0;
    for (; checked < nodes.length && feasible.length < want; checked++) {
      const node = nodes[(start + checked) % nodes.length]!;
      const s = runFilters(this.filters, state, pod, node);
      if (s) {
        diagnosis.nodeStatuses.set(node.name, s);
        diagnosis.unschedulablePlugins.add(s.plugin);
      } else {
        feasible.push(node);
      }
    }
    if (nodes.length) this.nextStartNodeIndex = (start + checked) % nodes.length;
    if (feasible.length === 0) return { diagnosis, state };
    if (feasible.length === 1) return { node: feasible[0]!.name, feasibleNodes: 1, state };
    return { node: this.selectHost(state, pod, feasible, cluster), feasibleNodes: feasible.length, state };
  }

  /** Weighted sum of normalised scores; the best node, ties broken at random (reservoir sampling). */
  private selectHost(state: CycleState, pod: PodInfo, nodes: NodeView[], cluster: ClusterView): string {
    const totals = new Array<number>(nodes.length).fill(0);
    const scores = new Array<number>(nodes.length);
    for (const p of this.scores) {
      p.preScore?.(state, pod, nodes, cluster);
      if (!p.score) continue;
      for (let i = 0; i < nodes.length; i++) scores[i] = p.score(state, pod, nodes[i]!);
      p.normalize?.(state, scores, nodes);
      const w = p.weight ?? 1;
      for (let i = 0; i < nodes.length; i++) totals[i]! += scores[i]! * w;
    }
    let best = 0;
    let ties = 1;
    for (let i = 1; i < nodes.length; i++) {
      if (totals[i]! > totals[best]!) {
        best = i;
        ties = 1;
      } else if (totals[i] === totals[best]) {
        ties++;
        if (Math.random() * ties < 1) best = i;
      }
    }
    return nodes[best]!.name;
  }
}
