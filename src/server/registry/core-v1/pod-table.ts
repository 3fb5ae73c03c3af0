/**
 * `kubectl get pods` columns and cells, as upstream's `printPod` computes them: READY counts ready
 * containers (sidecars included), STATUS is the most telling reason (Init:0/1, CrashLoopBackOff,
 * Completed, Terminating, …), RESTARTS shows "3 (5m ago)" after a restart.
 */
import type { ContainerStatus, Pod, PodSpec, PodStatus } from "kubernetes-types/core/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { AGE_COLUMN, NAME_COLUMN, age, humanDuration } from "../printing.js";
import type { TableCell, TableSpec } from "../types.js";
import { FIELD_DOCS } from "./column-docs.js";
import { column } from "./columns.js";

/** Status reason upstream gives a pod whose node stopped answering (`NodeUnreachablePodReason`). */
const NODE_LOST_REASON = "NodeLost";

function isRestartableInit(spec: PodSpec, name: string): boolean {
  return (spec.initContainers ?? []).some((c) => c.name === name && c.restartPolicy === "Always");
}

function lastTerminated(cs: ContainerStatus): number {
  const at = cs.lastState?.terminated?.finishedAt;
  return at ? Date.parse(at) : 0;
}

function terminatedReason(t: NonNullable<NonNullable<ContainerStatus["state"]>["terminated"]>, prefix: string): string {
  if (t.reason) return prefix + t.reason;
  return t.signal ? `${prefix}Signal:${t.signal}` : `${prefix}ExitCode:${t.exitCode}`;
}

/**
 * The READY, STATUS and RESTARTS cells of a pod.
 *
 * @example podSummary(pod, Date.now()) → { ready: "1/2", status: "CrashLoopBackOff", restarts: "3 (5m ago)" }
 */
export function podSummary(pod: KubeObject, now: number): { ready: string; status: string; restarts: string } {
  const spec = (pod.spec ?? { containers: [] }) as PodSpec;
  const status = (pod.status ?? {}) as PodStatus;
  let total = (spec.containers ?? []).length;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart = 0;
  let lastSidecarRestart = 0;
  const phase = status.phase ?? "";
  let reason = status.reason || phase;
  for (const c of status.conditions ?? []) {
    if (c.type === "PodScheduled" && c.reason === "SchedulingGated") reason = "SchedulingGated";
  }
  for (const c of spec.initContainers ?? []) if (c.restartPolicy === "Always") total++;

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i]!;
    restarts += cs.restartCount ?? 0;
    lastRestart = Math.max(lastRestart, lastTerminated(cs));
    const sidecar = isRestartableInit(spec, cs.name);
    if (sidecar) {
      sidecarRestarts += cs.restartCount ?? 0;
      lastSidecarRestart = Math.max(lastSidecarRestart, lastTerminated(cs));
    }
    const st = cs.state ?? {};
    if (st.terminated && st.terminated.exitCode === 0) continue;
    if (sidecar && cs.started) {
      if (cs.ready) ready++;
      continue;
    }
    if (st.terminated) reason = terminatedReason(st.terminated, "Init:");
    else if (st.waiting?.reason && st.waiting.reason !== "PodInitializing") reason = `Init:${st.waiting.reason}`;
    else reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    initializing = true;
    break;
  }

  const initializedTrue = (status.conditions ?? []).some((c) => c.type === "Initialized" && c.status === "True");
  if (!initializing || initializedTrue) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i]!;
      restarts += cs.restartCount ?? 0;
      lastRestart = Math.max(lastRestart, lastTerminated(cs));
      const st = cs.state ?? {};
      if (st.waiting?.reason) reason = st.waiting.reason;
      else if (st.terminated) reason = terminatedReason(st.terminated, "");
      else if (cs.ready && st.running) {
        hasRunning = true;
        ready++;
      }
    }
    // A completed container next to a running one does not make the pod "Completed".
    if (reason === "Completed" && hasRunning) {
      const podReady = (status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
      reason = podReady ? "Running" : "NotReady";
    }
  }

  if (pod.metadata.deletionTimestamp && status.reason === NODE_LOST_REASON) reason = "Unknown";
  else if (pod.metadata.deletionTimestamp && phase !== "Succeeded" && phase !== "Failed") reason = "Terminating";

  const restartsCell = restarts !== 0 && lastRestart > 0 ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);
  return { ready: `${ready}/${total}`, status: reason, restarts: restartsCell };
}

function readinessGatesCell(spec: PodSpec, status: PodStatus): string {
  const gates = spec.readinessGates ?? [];
  if (!gates.length) return "<none>";
  let trueCount = 0;
  for (const g of gates) {
    const cond = (status.conditions ?? []).find((c) => c.type === g.conditionType);
    if (cond?.status === "True") trueCount++;
  }
  return `${trueCount}/${gates.length}`;
}

export const podTable: TableSpec = {
  columns: [
    NAME_COLUMN,
    column("Ready", "The aggregate readiness state of this pod for accepting traffic."),
    column("Status", "The aggregate status of the containers in this pod."),
    column("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
    AGE_COLUMN,
    column("IP", FIELD_DOCS["PodStatus.podIP"], 1),
    column("Node", FIELD_DOCS["PodSpec.nodeName"], 1),
    column("Nominated Node", FIELD_DOCS["PodStatus.nominatedNodeName"], 1),
    column("Readiness Gates", FIELD_DOCS["PodSpec.readinessGates"], 1),
  ],
  cells(obj: KubeObject, now: number): TableCell[] {
    const pod = obj as unknown as Pod & KubeObject;
    const spec = (pod.spec ?? { containers: [] }) as PodSpec;
    const status = (pod.status ?? {}) as PodStatus;
    const s = podSummary(obj, now);
    const ip = status.podIPs?.[0]?.ip || status.podIP || "<none>";
    return [
      obj.metadata.name ?? "",
      s.ready,
      s.status,
      s.restarts,
      age(obj, now),
      ip,
      spec.nodeName || "<none>",
      status.nominatedNodeName || "<none>",
      readinessGatesCell(spec, status),
    ];
  },
};
