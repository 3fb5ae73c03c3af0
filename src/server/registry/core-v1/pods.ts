/**
 * Pods (core/v1): defaults, validation, create-time status and field selectors as upstream's
 * `pkg/registry/core/pod/strategy.go`, and the `kubectl get pods` table.
 */
import type { Container, PodSpec, PodStatus } from "kubernetes-types/core/v1.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { isDNS1123Subdomain, isValidIP } from "../../../shared/api/validation.js";
import { resourceType, type HookContext, type ResourceType } from "../types.js";
import { addDefaultTolerations, defaultPodOnly, defaultPodSpec } from "./pod-defaults.js";
import { podTable } from "./pod-table.js";
import { validateEphemeralContainersUpdate, validatePodSpecUpdate } from "./pod-update.js";
import { validatePodContainerImages, validatePodSpec } from "./pod-validation.js";
import { parseQuantity } from "./quantity.js";

const POD_PHASES = ["Pending", "Running", "Succeeded", "Failed", "Unknown"];

/** Resources that decide a pod's QoS class (upstream `isSupportedQoSComputeResource`). */
const QOS_RESOURCES = ["cpu", "memory"];

/**
 * The pod's QoS class (upstream `GetPodQOS`): Guaranteed when every container limits cpu and memory and
 * requests equal limits, BestEffort when nothing is requested or limited, else Burstable. Requests default
 * to limits, as Pod defaulting does.
 *
 * @example podQOSClass({ containers: [{ name: "a", image: "x" }] }) === "BestEffort"
 */
export function podQOSClass(spec: PodSpec): "Guaranteed" | "Burstable" | "BestEffort" {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  const all: Container[] = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  for (const c of all) {
    const lim = c.resources?.limits ?? {};
    const req = { ...lim, ...(c.resources?.requests ?? {}) };
    for (const name of QOS_RESOURCES) {
      const r = req[name] !== undefined ? parseQuantity(req[name]!) ?? 0 : 0;
      if (r > 0) requests.set(name, (requests.get(name) ?? 0) + r);
    }
    const found = new Set<string>();
    for (const name of QOS_RESOURCES) {
      const l = lim[name] !== undefined ? parseQuantity(lim[name]!) ?? 0 : 0;
      if (l > 0) {
        found.add(name);
        limits.set(name, (limits.get(name) ?? 0) + l);
      }
    }
    if (!QOS_RESOURCES.every((n) => found.has(n))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return "BestEffort";
  if (guaranteed) {
    for (const [name, r] of requests) {
      if (limits.get(name) !== r) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? "Guaranteed" : "Burstable";
}

function podSpec(obj: KubeObject): PodSpec {
  return (obj.spec ?? { containers: [] }) as PodSpec;
}

function podStatus(obj: KubeObject): PodStatus {
  return (obj.status ?? {}) as PodStatus;
}

/**
 * Grace period for deleting a pod (upstream `podStrategy.CheckGracefulDelete`): the requested period, else
 * the pod's `terminationGracePeriodSeconds`; 0 for a pod not yet on a node or already finished; a negative
 * period becomes 1.
 *
 * @example podGracePeriod(runningPod, undefined) === 30
 */
export function podGracePeriod(obj: KubeObject, requestedSeconds: number | undefined): number {
  const spec = podSpec(obj);
  let period = requestedSeconds ?? spec.terminationGracePeriodSeconds ?? 0;
  if (!spec.nodeName) period = 0;
  const phase = podStatus(obj).phase;
  if (phase === "Failed" || phase === "Succeeded") period = 0;
  return period < 0 ? 1 : period;
}

/** What a status writer (the kubelet) may report (upstream `ValidatePodStatusUpdate`, the parts that matter here). */
function validatePodStatus(status: PodStatus): StatusCause[] {
  const errs: StatusCause[] = [];
  const ips = (status.podIPs ?? []).map((p) => p.ip ?? "");
  ips.forEach((ip, i) => {
    for (const m of isValidIP(ip)) errs.push(fieldError.invalid(`status.podIPs[${i}]`, ip, m));
  });
  if (new Set(ips).size !== ips.length) errs.push(fieldError.invalid("status.podIPs", ips, "may specify no more than one IP for each IP family"));
  if (ips.length > 1 && ips.every((ip) => ip.includes(":") === ips[0]!.includes(":"))) {
    errs.push(fieldError.invalid("status.podIPs", ips, "may specify no more than one IP for each IP family"));
  }
  if (status.podIP && ips.length && status.podIP !== ips[0]) errs.push(fieldError.invalid("status.podIP", status.podIP, "must match status.podIPs[0]"));
  if (status.hostIP) for (const m of isValidIP(status.hostIP)) errs.push(fieldError.invalid("status.hostIP", status.hostIP, m));
  if (status.nominatedNodeName) errs.push(...isDNS1123Subdomain(status.nominatedNodeName).map((m) => fieldError.invalid("status.nominatedNodeName", status.nominatedNodeName, m)));
  if (status.phase && !POD_PHASES.includes(status.phase)) errs.push(fieldError.notSupported("status.phase", status.phase, POD_PHASES));
  return errs;
}

function validatePod(obj: KubeObject, old: KubeObject | undefined, ctx: HookContext): StatusCause[] {
  const spec = obj.spec as PodSpec | undefined;
  if (ctx.subresource === "status") return validatePodStatus(podStatus(obj));
  const errs = validatePodSpec(spec, "spec");
  if (!spec) return errs;
  errs.push(...validatePodContainerImages(spec, "spec"));
  if (!old) {
    if (spec.ephemeralContainers?.length) errs.push(fieldError.forbidden("spec.ephemeralContainers", "cannot be set on create"));
    return errs;
  }
  if (ctx.subresource === "ephemeralcontainers") return [...errs, ...validateEphemeralContainersUpdate(spec, podSpec(old))];
  if (ctx.subresource === "binding") {
    // A binding sets spec.nodeName (once; a second binding is a conflict the binding handler reports).
    return [...errs, ...validatePodSpecUpdate(spec, { ...podSpec(old), nodeName: spec.nodeName })];
  }
  return [...errs, ...validatePodSpecUpdate(spec, podSpec(old))];
}

export const pods: ResourceType = resourceType({
  group: "",
  version: "v1",
  kind: "Pod",
  plural: "pods",
  namespaced: true,
  // No metadata.generation: upstream (1.32) sets it only for kinds whose controllers report observedGeneration.
  generationTracksSpec: false,
  shortNames: ["po"],
  categories: ["all"],
  hasStatus: true,
  returnDeletedObject: true,
  subresources: [
    { name: "attach", kind: "PodAttachOptions", verbs: ["create", "get"] },
    { name: "binding", kind: "Binding", verbs: ["create"] },
    { name: "ephemeralcontainers", verbs: ["get", "patch", "update"] },
    { name: "eviction", group: "policy", version: "v1", kind: "Eviction", verbs: ["create"] },
    { name: "exec", kind: "PodExecOptions", verbs: ["create", "get"] },
    { name: "log", verbs: ["get"] },
    { name: "portforward", kind: "PodPortForwardOptions", verbs: ["create", "get"] },
    { name: "proxy", verbs: ["create", "delete", "get", "patch", "update"] },
    { name: "status", verbs: ["get", "patch", "update"] },
  ],
  table: podTable,
  defaults(obj) {
    obj.spec ??= { containers: [] };
    const spec = podSpec(obj);
    defaultPodSpec(spec);
    defaultPodOnly(spec);
  },
  validate: validatePod,
  prepareForCreate(obj) {
    // Upstream resets status on create: a new pod is Pending with its QoS class; a gated pod says why it waits.
    // The DefaultTolerationSeconds admission runs here too (create only).
    const spec = podSpec(obj);
    addDefaultTolerations(spec);
    const status: PodStatus = { phase: "Pending", qosClass: podQOSClass(spec) };
    if (spec.schedulingGates?.length) {
      status.conditions = [{ type: "PodScheduled", status: "False", reason: "SchedulingGated", message: "Scheduling is blocked due to non-empty scheduling gates" }];
    }
    obj.status = status;
  },
  gracefulDeletion: podGracePeriod,
  fieldSelectors: {
    "spec.nodeName": (o) => podSpec(o).nodeName ?? "",
    "spec.restartPolicy": (o) => podSpec(o).restartPolicy ?? "",
    "spec.schedulerName": (o) => podSpec(o).schedulerName ?? "",
    "spec.serviceAccountName": (o) => podSpec(o).serviceAccountName ?? "",
    "spec.hostNetwork": (o) => String(podSpec(o).hostNetwork ?? false),
    "status.phase": (o) => podStatus(o).phase ?? "",
    "status.podIP": (o) => podStatus(o).podIPs?.[0]?.ip ?? podStatus(o).podIP ?? "",
    "status.nominatedNodeName": (o) => podStatus(o).nominatedNodeName ?? "",
  },
});
