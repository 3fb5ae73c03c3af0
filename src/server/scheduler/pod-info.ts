/**
 * Precomputes what the plugins read from a pod (requests, host ports, parsed affinity terms, owner),
 * once per pod version, so a scheduling cycle over many nodes does no parsing.
 */
import type { Pod, PodAffinityTerm } from "kubernetes-types/core/v1.js";
import { labelSelectorFromObject } from "../../shared/api/selectors.js";
import { podNonZeroRequests, podRequests } from "./resources.js";
import type { AffinityTerm, HostPort, PodInfo, WeightedAffinityTerm } from "./types.js";

/**
 * Owners whose replicas are spread by default (upstream builds the default spreading selector from the
 * ReplicationControllers, ReplicaSets and StatefulSets selecting the pod).
 */
const SPREAD_OWNER_KINDS = new Set(["ReplicaSet", "ReplicationController", "StatefulSet"]);

/** Parses one affinity term; the namespaces default to the pod's own (upstream `newAffinityTerm`). */
export function affinityTerm(pod: Pod, term: PodAffinityTerm): AffinityTerm {
  const namespaces = new Set(term.namespaces ?? []);
  const nsSel = term.namespaceSelector;
  const allNamespaces = nsSel != null && Object.keys(nsSel.matchLabels ?? {}).length === 0 && (nsSel.matchExpressions ?? []).length === 0;
  if (namespaces.size === 0 && nsSel == null) namespaces.add(pod.metadata?.namespace ?? "");
  return { selector: labelSelectorFromObject(term.labelSelector ?? null), namespaces, allNamespaces, topologyKey: term.topologyKey };
}

/** Whether an affinity term selects `target` (namespace and labels). */
export function termMatches(term: AffinityTerm, target: PodInfo): boolean {
  return (term.allNamespaces || term.namespaces.has(target.namespace)) && term.selector.matches(target.labels);
}

function hostPorts(pod: Pod): HostPort[] {
  const ports: HostPort[] = [];
  const spec = pod.spec;
  const containers = [...(spec?.containers ?? []), ...(spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always")];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      ports.push({ ip: p.hostIP || "0.0.0.0", protocol: p.protocol || "TCP", port: p.hostPort });
    }
  }
  return ports;
}

/**
 * Builds the `PodInfo` for a pod object.
 *
 * @example const info = buildPodInfo(pod); info.requests.milliCPU
 */
export function buildPodInfo(pod: Pod): PodInfo {
  const spec = pod.spec ?? { containers: [] };
  const affinity = spec.affinity;
  const parse = (terms: PodAffinityTerm[] | undefined) => (terms ?? []).map((t) => affinityTerm(pod, t));
  const weighted = (terms: { weight: number; podAffinityTerm: PodAffinityTerm }[] | undefined): WeightedAffinityTerm[] =>
    (terms ?? []).map((t) => ({ ...affinityTerm(pod, t.podAffinityTerm), weight: t.weight }));
  const nonZero = podNonZeroRequests(spec);
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller && SPREAD_OWNER_KINDS.has(o.kind));
  return {
    key: `${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}`,
    pod,
    namespace: pod.metadata?.namespace ?? "",
    labels: pod.metadata?.labels ?? {},
    requests: podRequests(spec),
    nonZeroMilliCPU: nonZero.milliCPU,
    nonZeroMemory: nonZero.memory,
    hostPorts: hostPorts(pod),
    tolerations: spec.tolerations ?? [],
    requiredAffinity: parse(affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    requiredAntiAffinity: parse(affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    preferredAffinity: weighted(affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinity: weighted(affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    controllerUid: owner?.uid,
    priority: spec.priority ?? 0,
    terminating: Boolean(pod.metadata?.deletionTimestamp),
  };
}

/** Whether the pod carries pod affinity or anti-affinity terms of its own. */
export function hasPodAffinity(p: PodInfo): boolean {
  return p.requiredAffinity.length + p.requiredAntiAffinity.length + p.preferredAffinity.length + p.preferredAntiAffinity.length > 0;
}
