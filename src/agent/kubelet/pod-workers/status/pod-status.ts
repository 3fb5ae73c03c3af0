/**
 * The whole `PodStatus` the kubelet writes, from the pod, its container observations and the
 * sandbox, and the comparison that decides whether it must be written at all. Pure.
 */
import type { Pod, PodCondition, PodStatus } from "kubernetes-types/core/v1.js";
import { rfc3339 } from "../../../../shared/api/time.js";
import { containerStatus, REASON_POD_INITIALIZING, type ContainerObservation } from "./container-status.js";
import { containersReadyCondition, initializedCondition, mergeConditions, readyCondition } from "./conditions.js";
import { podPhase } from "./phase.js";

export interface PodObservation {
  /** Per container name, for init and app containers. */
  containers: Map<string, ContainerObservation>;
  /** The running sandbox's pod IP ("" for host-network pods or no sandbox). */
  podIP?: string;
  /** A ready sandbox exists (PodReadyToStartContainers). */
  sandboxReady: boolean;
  /** The node's IP (status.hostIP). */
  hostIP?: string;
  /** The pod is being torn down for good: its phase becomes terminal. */
  terminal?: boolean;
  /** A pod-level reason/message (e.g. a failure before any container could start). */
  reason?: string;
  message?: string;
  /** Forces the Failed phase (activeDeadlineSeconds exceeded), whatever the containers say. */
  failed?: boolean;
}

/**
 * Computes the pod's status. Keeps what the kubelet does not own (qosClass, nominatedNodeName, other
 * conditions) and the first startTime; a terminal phase already reported is never taken back.
 *
 * @example const status = computePodStatus(pod, { containers, podIP: "10.42.0.5", sandboxReady: true, hostIP }, new Date());
 */
export function computePodStatus(pod: Pod, obs: PodObservation, now: Date): PodStatus {
  const spec = pod.spec!;
  const old = pod.status ?? {};
  const initStatuses = (spec.initContainers ?? []).map((c) => containerStatus(c, obs.containers.get(c.name) ?? { ready: false, started: false }, "PodInitializing"));
  const initializing = (spec.initContainers ?? []).some((c, i) => {
    const s = initStatuses[i]!;
    return c.restartPolicy === "Always" ? !(s.state?.running && s.started) : s.state?.terminated?.exitCode !== 0;
  });
  const appStatuses = spec.containers.map((c) => {
    const o = obs.containers.get(c.name) ?? { ready: false, started: false };
    return containerStatus(c, o, initializing && !o.latest ? REASON_POD_INITIALIZING : undefined);
  });
  // Regular init containers are ready once they completed; sidecars by their readiness probe.
  for (const [i, s] of initStatuses.entries()) if (spec.initContainers![i]!.restartPolicy !== "Always") s.ready = s.state?.terminated?.exitCode === 0;
  let phase = obs.failed ? "Failed" : podPhase(spec, initStatuses, appStatuses, obs.terminal);
  // A terminal phase is final (upstream status manager refuses to leave it).
  if (old.phase === "Succeeded" || old.phase === "Failed") phase = old.phase;

  const existing: PodCondition[] = old.conditions ?? [];
  const containersReady = containersReadyCondition(spec, appStatuses, phase, initStatuses);
  const drafts = [
    { type: "PodReadyToStartContainers", status: obs.sandboxReady ? "True" : "False" },
    initializedCondition(spec, initStatuses, appStatuses, phase),
    readyCondition(containersReady, spec, existing),
    containersReady,
    { type: "PodScheduled", status: "True" },
  ];
  const status: PodStatus = {
    phase,
    conditions: mergeConditions(existing, drafts, now),
  };
  // Upstream keeps the reason and message that came with the phase while the phase holds.
  const reason = obs.reason ?? (old.phase === phase ? old.reason : undefined);
  const message = obs.message ?? (old.phase === phase ? old.message : undefined);
  if (reason) status.reason = reason;
  if (message) status.message = message;
  const hostIP = obs.hostIP || old.hostIP;
  if (hostIP) {
    status.hostIP = hostIP;
    status.hostIPs = [{ ip: hostIP }];
  }
  const podIP = spec.hostNetwork ? hostIP : obs.podIP || (obs.terminal ? old.podIP : undefined);
  if (podIP) {
    status.podIP = podIP;
    status.podIPs = [{ ip: podIP }];
  }
  status.startTime = old.startTime ?? rfc3339(now);
  if (initStatuses.length) status.initContainerStatuses = initStatuses;
  status.containerStatuses = appStatuses;
  if (old.qosClass) status.qosClass = old.qosClass;
  if (old.nominatedNodeName) status.nominatedNodeName = old.nominatedNodeName;
  return status;
}

/** Key-order-independent deep equality of JSON values. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return (a ?? null) === (b ?? null);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => sameJson(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!sameJson(ao[k] ?? null, bo[k] ?? null)) return false;
  return true;
}

/**
 * Whether `next` differs from the status the API holds, ignoring key order and absent-vs-null, so the
 * kubelet writes only real changes.
 *
 * @example if (podStatusChanged(pod.status, next)) await client.update(PODS, ns, { ...pod, status: next }, "status");
 */
export function podStatusChanged(current: PodStatus | undefined, next: PodStatus): boolean {
  return !sameJson(current ?? {}, next);
}
