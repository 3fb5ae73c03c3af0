/**
 * Pod facts the workload controllers decide on (upstream `pkg/api/v1/pod` and `controller_utils.go`):
 * active (neither finished nor being deleted), ready (Ready condition True), available (ready for
 * minReadySeconds), and the order in which surplus pods are deleted.
 */
import type { Pod, PodCondition } from "kubernetes-types/core/v1.js";
import type { KubeObject } from "../../shared/api/types.js";

/** A pod as cached: our KubeObject shape, read through the upstream Pod type. */
export function asPod(obj: KubeObject): Pod {
  return obj as unknown as Pod;
}

/**
 * True for pods that still count towards a replica total: not Succeeded/Failed, not being deleted.
 *
 * @example pods.filter(isPodActive)
 */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !pod.metadata?.deletionTimestamp;
}

function readyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === "Ready");
}

/**
 * True when the pod's Ready condition is True (the kubelet sets it).
 *
 * @example isPodReady(pod)
 */
export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === "True";
}

/**
 * True when the pod has been ready for at least `minReadySeconds` at `now` (upstream `IsPodAvailable`).
 *
 * @example isPodAvailable(pod, rs.spec.minReadySeconds ?? 0, Date.now())
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const c = readyCondition(pod);
  if (c?.status !== "True") return false;
  if (minReadySeconds <= 0) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return !Number.isNaN(since) && since + minReadySeconds * 1000 < now;
}

/** Upstream's phase order for deletion: Pending pods go first, then Unknown, then Running. */
const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function phaseOrdinal(pod: Pod): number {
  return PHASE_ORDER[pod.status?.phase ?? "Pending"] ?? 0;
}

function maxRestarts(pod: Pod): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((s) => s.restartCount ?? 0));
}

/** Milliseconds of a timestamp, or undefined when unset. */
function millis(t: string | undefined): number | undefined {
  if (!t) return undefined;
  const v = Date.parse(t);
  return Number.isNaN(v) ? undefined : v;
}

/** Upstream `afterOrZero`: an unset time sorts first; otherwise the later time does. */
function laterFirst(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined) return a === undefined ? (b === undefined ? 0 : -1) : 1;
  return b - a;
}

/**
 * Sorts pods so the ones to delete first come first (upstream `ActivePodsWithRanks.Less`): not yet
 * scheduled; Pending before Unknown before Running; not ready; more sibling pods on the same node
 * (`rank`); ready for less time; more container restarts; created more recently.
 *
 * @example const victims = rankPodsForDeletion(pods, rankByNode(pods, related)).slice(0, surplus);
 */
export function rankPodsForDeletion(pods: Pod[], rank: (pod: Pod) => number = () => 0): Pod[] {
  return [...pods].sort((a, b) => {
    const na = a.spec?.nodeName ?? "";
    const nb = b.spec?.nodeName ?? "";
    if (na !== nb && (na === "" || nb === "")) return na === "" ? -1 : 1;
    if (phaseOrdinal(a) !== phaseOrdinal(b)) return phaseOrdinal(a) - phaseOrdinal(b);
    const ra = isPodReady(a);
    const rb = isPodReady(b);
    if (ra !== rb) return ra ? 1 : -1;
    if (rank(a) !== rank(b)) return rank(b) - rank(a);
    if (ra && rb) {
      const byReady = laterFirst(millis(readyCondition(a)?.lastTransitionTime), millis(readyCondition(b)?.lastTransitionTime));
      if (byReady !== 0) return byReady;
    }
    if (maxRestarts(a) !== maxRestarts(b)) return maxRestarts(b) - maxRestarts(a);
    return laterFirst(millis(a.metadata?.creationTimestamp), millis(b.metadata?.creationTimestamp));
  });
}

/**
 * A rank function: how many `related` active pods (this controller's and its siblings') share the
 * pod's node, so scaling down thins out doubled-up nodes first (upstream `getPodsRankedByRelatedPodsOnSameNode`).
 *
 * @example rankPodsForDeletion(pods, rankByNode(related))
 */
export function rankByNode(related: Pod[]): (pod: Pod) => number {
  const perNode = new Map<string, number>();
  for (const p of related) {
    const node = p.spec?.nodeName;
    if (node && isPodActive(p)) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  return (pod) => (pod.spec?.nodeName ? perNode.get(pod.spec.nodeName) ?? 0 : 0);
}
