/**
 * The pod conditions the kubelet owns, as upstream's status generators write them:
 * PodScheduled, PodReadyToStartContainers, Initialized, ContainersReady and Ready, keeping each
 * condition's lastTransitionTime while its status does not change. Pure.
 */
import type { ContainerStatus, PodCondition, PodSpec } from "kubernetes-types/core/v1.js";
import type { PodPhase } from "./phase.js";
import { rfc3339 } from "../../../../shared/api/time.js";

/** Condition types the kubelet writes; others (set by controllers) are carried over untouched. */
export const KUBELET_CONDITIONS = ["PodScheduled", "PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready"] as const;

type Draft = Omit<PodCondition, "lastTransitionTime" | "lastProbeTime">;

function names(list: string[]): string {
  return `[${list.join(" ")}]`;
}

/**
 * Initialized: True once every init container exited 0 (or an app container has started, meaning
 * initialisation finished earlier); otherwise False with the unfinished ones named.
 *
 * @example initializedCondition(spec, [{ name: "init", state: { running: {} } }], [], "Pending")
 *   // { type: "Initialized", status: "False", reason: "ContainersNotInitialized", message: "containers with incomplete status: [init]" }
 */
export function initializedCondition(spec: PodSpec, initStatuses: ContainerStatus[], statuses: ContainerStatus[], phase: PodPhase): Draft {
  const inits = spec.initContainers ?? [];
  if (inits.length === 0) return { type: "Initialized", status: "True" };
  const anyRegularStarted = statuses.some((s) => !!s.state?.running || !!s.state?.terminated || !!s.lastState?.terminated);
  const incomplete = inits
    .filter((c) => {
      const s = initStatuses.find((x) => x.name === c.name);
      // A sidecar is done initialising once it runs and has started.
      if (c.restartPolicy === "Always") return !(s?.state?.running && s.started);
      return !(s?.state?.terminated?.exitCode === 0);
    })
    .map((c) => c.name);
  if (incomplete.length === 0 || anyRegularStarted) {
    return phase === "Succeeded" ? { type: "Initialized", status: "True", reason: "PodCompleted" } : { type: "Initialized", status: "True" };
  }
  return { type: "Initialized", status: "False", reason: "ContainersNotInitialized", message: `containers with incomplete status: ${names(incomplete)}` };
}

/**
 * ContainersReady: True when every sidecar and app container is ready. Upstream names those without a
 * status ("containers with unknown status"), then the unready ones.
 */
export function containersReadyCondition(spec: PodSpec, statuses: ContainerStatus[], phase: PodPhase, initStatuses: ContainerStatus[] = []): Draft {
  if (phase === "Succeeded") return { type: "ContainersReady", status: "False", reason: "PodCompleted" };
  const unknown: string[] = [];
  const unready: string[] = [];
  const sidecars = (spec.initContainers ?? []).filter((c) => c.restartPolicy === "Always");
  for (const c of [...sidecars, ...spec.containers]) {
    const s = (c.restartPolicy === "Always" ? initStatuses : statuses).find((x) => x.name === c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  }
  if (unknown.length === 0 && unready.length === 0) return { type: "ContainersReady", status: "True" };
  const parts: string[] = [];
  if (unknown.length) parts.push(`containers with unknown status: ${names(unknown)}`);
  if (unready.length) parts.push(`containers with unready status: ${names(unready)}`);
  return { type: "ContainersReady", status: "False", reason: "ContainersNotReady", message: parts.join(", ") };
}

/**
 * Ready: ContainersReady plus the pod's readiness gates (conditions other components set).
 *
 * @example readyCondition(containersReady, spec, existing).status
 */
export function readyCondition(containersReady: Draft, spec: PodSpec, existing: PodCondition[]): Draft {
  if (containersReady.status !== "True") return { ...containersReady, type: "Ready" };
  const missing: string[] = [];
  const unready: string[] = [];
  for (const g of spec.readinessGates ?? []) {
    const c = existing.find((x) => x.type === g.conditionType);
    if (!c) missing.push(g.conditionType);
    else if (c.status !== "True") unready.push(g.conditionType);
  }
  if (!missing.length && !unready.length) return { type: "Ready", status: "True" };
  const parts: string[] = [];
  if (missing.length) parts.push(`corresponding condition of pod readiness gate ${missing.map((m) => `"${m}"`).join(", ")} does not exist.`);
  if (unready.length) parts.push(`the status of pod readiness gate ${unready.map((m) => `"${m}"`).join(", ")} is not "True", but False.`);
  return { type: "Ready", status: "False", reason: "ReadinessGatesNotReady", message: parts.join(", ") };
}

/**
 * Gives each new condition the lastTransitionTime of the existing condition of its type when its
 * status did not change, `now` otherwise; conditions of other types in `existing` stay as they were.
 * The result is in upstream's order: PodReadyToStartContainers, Initialized, Ready, ContainersReady,
 * PodScheduled, then the others.
 *
 * @example mergeConditions(pod.status.conditions ?? [], drafts, new Date())
 */
export function mergeConditions(existing: PodCondition[], drafts: Draft[], now: Date): PodCondition[] {
  const order = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"];
  const out: PodCondition[] = [];
  const sorted = [...drafts].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
  for (const d of sorted) {
    const old = existing.find((c) => c.type === d.type);
    const lastTransitionTime = old && old.status === d.status && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(now);
    const c: PodCondition = { type: d.type, status: d.status, lastProbeTime: null as unknown as string, lastTransitionTime };
    if (d.reason) c.reason = d.reason;
    if (d.message) c.message = d.message;
    out.push(c);
  }
  for (const c of existing) if (!drafts.some((d) => d.type === c.type)) out.push(c);
  return out;
}
