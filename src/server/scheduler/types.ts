/**
 * The scheduler's shared vocabulary, after upstream's scheduling framework: precomputed pod and node
 * facts, the status a filter returns, and the plugin shape every filter and score implements.
 */
import type { Node, Pod, Taint, Toleration } from "kubernetes-types/core/v1.js";
import type { LabelSelectorMatcher } from "../../shared/api/selectors.js";

/** Quantities a pod requests or a node offers, in the units upstream's scheduler uses. */
export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended resources, hugepages and anything else, by resource name. */
  scalar: Map<string, number>;
}

/** A host port a pod claims: `ip` "0.0.0.0" means every address. */
export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** One pod (anti-)affinity term, parsed once. */
export interface AffinityTerm {
  selector: LabelSelectorMatcher;
  /** Namespaces the term looks in; `undefined` with `allNamespaces` false means the pod's own. */
  namespaces: Set<string>;
  /** An empty `namespaceSelector` ({}) selects every namespace. */
  allNamespaces: boolean;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

/** A topology spread constraint, parsed once. */
export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelectorMatcher;
  minDomains: number;
  /** Whether nodes outside the pod's node affinity/selector count as domains (default Honor). */
  honorNodeAffinity: boolean;
  /** Whether nodes with untolerated taints count as domains (default Ignore). */
  honorNodeTaints: boolean;
}

/** Everything the plugins need about a pod, computed once per pod (upstream `PodInfo`). */
export interface PodInfo {
  /** "namespace/name". */
  key: string;
  pod: Pod;
  namespace: string;
  labels: Record<string, string>;
  /** Effective requests: containers summed, init containers' peak, plus overhead. */
  requests: Resources;
  /** Requests with upstream's defaults for containers that set none (for scoring). */
  nonZeroMilliCPU: number;
  nonZeroMemory: number;
  hostPorts: HostPort[];
  tolerations: Toleration[];
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: WeightedAffinityTerm[];
  preferredAntiAffinity: WeightedAffinityTerm[];
  /** UID of the controlling ReplicaSet, ReplicationController or StatefulSet, for default spreading. */
  controllerUid?: string;
  priority: number;
  terminating: boolean;
}

/** Filter outcomes as upstream's status codes (only the rejecting ones). */
export type RejectCode = "Unschedulable" | "UnschedulableAndUnresolvable";

/** Why a node was rejected; `reasons` are the strings the FailedScheduling message counts. */
export interface FilterStatus {
  code: RejectCode;
  reasons: string[];
  plugin: string;
}

/** What a filter or score sees of a node (see `NodeInfo`). */
export interface NodeView {
  name: string;
  node: Node;
  labels: Record<string, string>;
  allocatable: Resources;
  allowedPodNumber: number;
  requested: Resources;
  nonZeroMilliCPU: number;
  nonZeroMemory: number;
  pods: ReadonlyMap<string, PodInfo>;
  usedPorts: readonly HostPort[];
  /** Taints with NoSchedule or NoExecute effect. */
  hardTaints: readonly Taint[];
  /** Taints with PreferNoSchedule effect. */
  softTaints: readonly Taint[];
  unschedulable: boolean;
}

/** The cluster as a scheduling cycle sees it. */
export interface ClusterView {
  nodes: readonly NodeView[];
  node(name: string): NodeView | undefined;
  /** Assigned pods that have pod affinity or anti-affinity terms of their own. */
  podsWithAffinity(): Iterable<{ pod: PodInfo; node: NodeView }>;
  /** Assigned pods with required anti-affinity terms. */
  podsWithRequiredAntiAffinity(): Iterable<{ pod: PodInfo; node: NodeView }>;
  /** Assigned, non-terminating pods in `namespace` (for topology spreading). */
  podsInNamespace(namespace: string): Iterable<{ pod: PodInfo; node: NodeView }>;
  /** Assigned pods whose controlling owner has this UID (for default spreading). */
  podsOfController(uid: string): Iterable<{ pod: PodInfo; node: NodeView }>;
}

/** Data one plugin computes before filtering or scoring a pod, keyed by plugin name. */
export type CycleState = Map<string, unknown>;

/** Highest score a score plugin gives a node (upstream `MaxNodeScore`). */
export const MAX_NODE_SCORE = 100;

/**
 * One scheduling plugin. Filters implement `filter` (and optionally `preFilter`, which may reject the
 * pod outright); scores implement `score` and optionally `preScore` and `normalize`.
 */
export interface Plugin {
  name: string;
  preFilter?(state: CycleState, pod: PodInfo, cluster: ClusterView): FilterStatus | undefined;
  filter?(state: CycleState, pod: PodInfo, node: NodeView): FilterStatus | undefined;
  /** Score weight in the default profile. */
  weight?: number;
  preScore?(state: CycleState, pod: PodInfo, nodes: readonly NodeView[], cluster: ClusterView): void;
  score?(state: CycleState, pod: PodInfo, node: NodeView): number;
  /** Rescales raw scores in place to 0…MAX_NODE_SCORE. */
  normalize?(state: CycleState, scores: number[], nodes: readonly NodeView[]): void;
}

/** Shorthand for a rejection. */
export function reject(plugin: string, code: RejectCode, ...reasons: string[]): FilterStatus {
  return { plugin, code, reasons };
}
