/**
 * Nodes (core/v1, cluster-scoped): taint and pod CIDR validation, CIDR/providerID set-once rules
 * (upstream `ValidateNode`, `ValidateNodeUpdate`), `spec.unschedulable` field selector and the
 * `kubectl get nodes` table.
 */
import { isIP } from "node:net";
import type { NodeSpec, NodeStatus, Taint } from "kubernetes-types/core/v1.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { isValidLabelValue, validateLabelName } from "../../../shared/api/validation.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type ResourceType, type TableSpec } from "../types.js";
import { FIELD_DOCS } from "./column-docs.js";
import { column } from "./columns.js";

/** Node role labels `kubectl get nodes` reads (upstream `labelNodeRolePrefix`, `nodeLabelRole`). */
const NODE_ROLE_PREFIX = "node-role.kubernetes.io/";
const NODE_ROLE_LABEL = "kubernetes.io/role";
const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
/** A node has at most one pod CIDR per IP family. */
const MAX_POD_CIDRS = 2;
const CIDR_CHANGE_MESSAGE = 'node updates may not change podCIDR except from "" to valid';

function specOf(obj: KubeObject): NodeSpec {
  return (obj.spec ?? {}) as NodeSpec;
}

function statusOf(obj: KubeObject): NodeStatus {
  return (obj.status ?? {}) as NodeStatus;
}

/**
 * True for an IPv4 or IPv6 CIDR.
 *
 * @example isValidCIDR("10.42.0.0/24") === true; isValidCIDR("10.42.0.0") === false
 */
export function isValidCIDR(value: string): boolean {
  const slash = value.indexOf("/");
  if (slash < 0) return false;
  const ip = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  const family = isIP(ip);
  if (!family || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

function validateTaints(taints: Taint[] | undefined): StatusCause[] {
  const errs: StatusCause[] = [];
  const seen = new Set<string>();
  (taints ?? []).forEach((t, i) => {
    const p = `spec.taints[${i}]`;
    errs.push(...validateLabelName(t.key ?? "", `${p}.key`));
    const vmsgs = isValidLabelValue(t.value ?? "");
    if (vmsgs.length) errs.push(fieldError.invalid(`${p}.value`, t.value ?? "", vmsgs.join(";")));
    if (!t.effect) errs.push(fieldError.required(`${p}.effect`));
    else if (!TAINT_EFFECTS.includes(t.effect)) errs.push(fieldError.notSupported(`${p}.effect`, t.effect, TAINT_EFFECTS));
    const key = `${t.effect}\u0000${t.key}`;
    if (seen.has(key)) errs.push({ reason: "FieldValueDuplicate", field: p, message: "Duplicate value: taints must be unique by key and effect pair" });
    seen.add(key);
  });
  return errs;
}

function validateNode(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const spec = specOf(obj);
  const errs = validateTaints(spec.taints);
  const cidrs = spec.podCIDRs ?? [];
  cidrs.forEach((c, i) => {
    if (!isValidCIDR(c)) errs.push(fieldError.invalid(`spec.podCIDRs[${i}]`, c, "must be a valid CIDR"));
  });
  if (cidrs.length > MAX_POD_CIDRS) errs.push(fieldError.invalid("spec.podCIDRs", cidrs, "may specify no more than one CIDR for each IP family"));
  if (cidrs.length === 2 && isIP(cidrs[0]!.split("/")[0]!) === isIP(cidrs[1]!.split("/")[0]!)) {
    errs.push(fieldError.invalid("spec.podCIDRs", cidrs, "may specify no more than one CIDR for each IP family"));
  }
  if (old) {
    const prev = specOf(old);
    const prevCidrs = prev.podCIDRs ?? [];
    if (prevCidrs.length && (prevCidrs.length !== cidrs.length || prevCidrs.some((c, i) => c !== cidrs[i]))) {
      errs.push(fieldError.forbidden("spec.podCIDRs", CIDR_CHANGE_MESSAGE));
    }
    if (prev.providerID && prev.providerID !== spec.providerID) {
      errs.push(fieldError.forbidden("spec.providerID", 'node updates may not change providerID except from "" to valid'));
    }
  }
  return errs;
}

/**
 * Roles from `node-role.kubernetes.io/<role>` and `kubernetes.io/role=<role>` labels, sorted (upstream `findNodeRoles`).
 *
 * @example nodeRoles({ metadata: { labels: { "node-role.kubernetes.io/control-plane": "" } } }) → ["control-plane"]
 */
export function nodeRoles(obj: KubeObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
    if (k.startsWith(NODE_ROLE_PREFIX) && k.length > NODE_ROLE_PREFIX.length) roles.add(k.slice(NODE_ROLE_PREFIX.length));
    else if (k === NODE_ROLE_LABEL && v) roles.add(v);
  }
  return [...roles].sort();
}

/**
 * STATUS cell: Ready / NotReady / Unknown, plus SchedulingDisabled when cordoned (upstream `printNode`).
 *
 * @example nodeStatusCell(cordonedReadyNode) === "Ready,SchedulingDisabled"
 */
export function nodeStatusCell(obj: KubeObject): string {
  const ready = (statusOf(obj).conditions ?? []).find((c) => c.type === "Ready");
  const parts = [ready ? (ready.status === "True" ? "Ready" : "NotReady") : "Unknown"];
  if (specOf(obj).unschedulable) parts.push("SchedulingDisabled");
  return parts.join(",");
}

function address(obj: KubeObject, type: string): string {
  return (statusOf(obj).addresses ?? []).find((a) => a.type === type)?.address ?? "<none>";
}

const nodeTable: TableSpec = {
  columns: [
    NAME_COLUMN,
    column("Status", "The status of the node"),
    column("Roles", "The roles of the node"),
    AGE_COLUMN,
    column("Version", FIELD_DOCS["NodeSystemInfo.kubeletVersion"]),
    column("Internal-IP", FIELD_DOCS["NodeStatus.addresses"], 1),
    column("External-IP", FIELD_DOCS["NodeStatus.addresses"], 1),
    column("OS-Image", FIELD_DOCS["NodeSystemInfo.osImage"], 1),
    column("Kernel-Version", FIELD_DOCS["NodeSystemInfo.kernelVersion"], 1),
    column("Container-Runtime", FIELD_DOCS["NodeSystemInfo.containerRuntimeVersion"], 1),
  ],
  cells(obj, now) {
    const info = statusOf(obj).nodeInfo;
    const roles = nodeRoles(obj).join(",");
    return [
      obj.metadata.name ?? "",
      nodeStatusCell(obj),
      roles || "<none>",
      age(obj, now),
      info?.kubeletVersion ?? "",
      address(obj, "InternalIP"),
      address(obj, "ExternalIP"),
      info?.osImage || "<unknown>",
      info?.kernelVersion || "<unknown>",
      info?.containerRuntimeVersion || "<unknown>",
    ];
  },
};

export const nodes: ResourceType = resourceType({
  group: "",
  version: "v1",
  kind: "Node",
  plural: "nodes",
  namespaced: false,
  // No metadata.generation: upstream (1.32) sets it only for kinds whose controllers report observedGeneration.
  generationTracksSpec: false,
  shortNames: ["no"],
  hasStatus: true,
  keepStatusOnCreate: true,
  subresources: [
    { name: "proxy", verbs: ["create", "delete", "get", "patch", "update"] },
    { name: "status", verbs: ["get", "patch", "update"] },
  ],
  table: nodeTable,
  defaults(obj) {
    const spec = (obj.spec ??= {}) as NodeSpec;
    // podCIDR is the first of podCIDRs; upstream keeps the two in step.
    if (spec.podCIDR && !spec.podCIDRs?.length) spec.podCIDRs = [spec.podCIDR];
    if (!spec.podCIDR && spec.podCIDRs?.length) spec.podCIDR = spec.podCIDRs[0];
    const status = obj.status as NodeStatus | undefined;
    // Allocatable defaults to capacity (upstream SetDefaults_NodeStatus).
    if (status?.capacity && !status.allocatable) status.allocatable = { ...status.capacity };
  },
  validate: (obj, old) => validateNode(obj, old),
  fieldSelectors: {
    "spec.unschedulable": (o) => String(specOf(o).unschedulable ?? false),
  },
});
