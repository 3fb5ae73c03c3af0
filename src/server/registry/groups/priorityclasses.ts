/**
 * scheduling.k8s.io/v1 PriorityClass (cluster-scoped): defaults (preemptionPolicy), validation
 * (pkg/apis/scheduling/validation, reserved `system-` names) and table (`printPriorityClass`).
 */
import type { PriorityClass } from "kubernetes-types/scheduling/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { column, immutable } from "./common.js";

/** Values above this are reserved for system classes (upstream `HighestUserDefinablePriority`). */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
/** Upstream `SystemCriticalPriority`. */
export const SYSTEM_CRITICAL_PRIORITY = 2 * HIGHEST_USER_DEFINABLE_PRIORITY;
const SYSTEM_PREFIX = "system-";
/** The only classes allowed to use the `system-` prefix, with their fixed values. */
export const SYSTEM_PRIORITY_CLASSES: ReadonlyArray<{ name: string; value: number; globalDefault: boolean }> = [
  { name: "system-node-critical", value: SYSTEM_CRITICAL_PRIORITY + 1000, globalDefault: false },
  { name: "system-cluster-critical", value: SYSTEM_CRITICAL_PRIORITY, globalDefault: false },
];
const PREEMPTION_POLICIES = ["PreemptLowerPriority", "Never"];

/** Upstream `SetDefaults_PriorityClass`. */
export function defaultPriorityClass(obj: KubeObject): void {
  (obj as unknown as PriorityClass).preemptionPolicy ??= "PreemptLowerPriority";
}

/** Upstream `IsKnownSystemPriorityClass`: "" when allowed, else the reason. */
function systemClassError(name: string, value: number, globalDefault: boolean): string {
  const known = SYSTEM_PRIORITY_CLASSES.find((c) => c.name === name);
  if (!known) return `${name} is not a known system priority class`;
  if (known.value !== value) return `value of ${name} PriorityClass must be ${known.value}`;
  if (known.globalDefault !== globalDefault) return `globalDefault of ${name} PriorityClass must be ${known.globalDefault}`;
  return "";
}

/**
 * Upstream `ValidatePriorityClass` / `ValidatePriorityClassUpdate`.
 *
 * @example validatePriorityClass({ metadata: { name: "high" }, value: 1000 }, undefined) // []
 */
export function validatePriorityClass(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const pc = obj as unknown as PriorityClass;
  const name = pc.metadata?.name ?? "";
  const causes: StatusCause[] = [];
  if (name.startsWith(SYSTEM_PREFIX)) {
    const err = systemClassError(name, pc.value, pc.globalDefault ?? false);
    if (err) causes.push(fieldError.forbidden("metadata.name", `priority class names with '${SYSTEM_PREFIX}' prefix are reserved for system use only. error: ${err}`));
  } else if (pc.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    causes.push(fieldError.forbidden("value", `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  if (pc.preemptionPolicy !== undefined && !PREEMPTION_POLICIES.includes(pc.preemptionPolicy)) {
    causes.push(fieldError.notSupported("preemptionPolicy", pc.preemptionPolicy, PREEMPTION_POLICIES));
  }
  if (old) {
    const o = old as unknown as PriorityClass;
    if (pc.value !== o.value) causes.push(fieldError.forbidden("value", "may not be changed in an update."));
    causes.push(...immutable(pc.preemptionPolicy, o.preemptionPolicy, "preemptionPolicy"));
  }
  return causes;
}

export const priorityclasses: ResourceType = resourceType({
  group: "scheduling.k8s.io",
  version: "v1",
  kind: "PriorityClass",
  plural: "priorityclasses",
  namespaced: false,
  shortNames: ["pc"],
  generationTracksSpec: false,
  table: {
    columns: [
      NAME_COLUMN,
      column("Value", "integer", "value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec."),
      column("Global-Default", "boolean", "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority."),
      AGE_COLUMN,
      column("PreemptionPolicy", "string", "preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset."),
    ],
    cells(obj, now) {
      const pc = obj as unknown as PriorityClass;
      return [pc.metadata?.name ?? "", pc.value ?? 0, pc.globalDefault ?? false, age(obj, now), pc.preemptionPolicy ?? ""];
    },
  },
  defaults: defaultPriorityClass,
  validate: (obj, old) => validatePriorityClass(obj, old),
});
