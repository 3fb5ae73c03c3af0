/**
 * policy/v1 PodDisruptionBudget: validation (pkg/apis/policy/validation
 * `ValidatePodDisruptionBudgetSpec`), strategy (status reset on create) and table.
 */
import type { PodDisruptionBudget, PodDisruptionBudgetSpec, PodDisruptionBudgetStatus } from "kubernetes-types/policy/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { validateLabelSelector } from "../../../shared/api/validation.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { STATUS_SUBRESOURCE, column, intOrStringText, nonNegative, notMoreThan100Percent, specOf, statusOf, validatePositiveIntOrPercent } from "./common.js";

const UNHEALTHY_POD_EVICTION_POLICIES = ["AlwaysAllow", "IfHealthyBudget"];

/**
 * Upstream `ValidatePodDisruptionBudgetSpec`.
 *
 * @example validatePodDisruptionBudget({ metadata: { name: "web" }, spec: { minAvailable: 1, selector: { matchLabels: { app: "web" } } } }) // []
 */
export function validatePodDisruptionBudget(obj: KubeObject): StatusCause[] {
  const spec = specOf<PodDisruptionBudgetSpec>(obj);
  const causes: StatusCause[] = [];
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    causes.push(fieldError.invalid("spec", spec, "minAvailable and maxUnavailable cannot be both set"));
  }
  for (const f of ["minAvailable", "maxUnavailable"] as const) {
    if (spec[f] === undefined) continue;
    causes.push(...validatePositiveIntOrPercent(spec[f], `spec.${f}`));
    causes.push(...notMoreThan100Percent(spec[f], `spec.${f}`));
  }
  causes.push(...validateLabelSelector(spec.selector, "spec.selector"));
  if (spec.unhealthyPodEvictionPolicy !== undefined && !UNHEALTHY_POD_EVICTION_POLICIES.includes(spec.unhealthyPodEvictionPolicy)) {
    causes.push(fieldError.notSupported("spec.unhealthyPodEvictionPolicy", spec.unhealthyPodEvictionPolicy, UNHEALTHY_POD_EVICTION_POLICIES));
  }
  return causes;
}

/** Upstream `ValidatePodDisruptionBudgetStatusUpdate` essentials. */
export function validatePodDisruptionBudgetStatus(obj: KubeObject): StatusCause[] {
  const st = statusOf<PodDisruptionBudgetStatus>(obj);
  return (["disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"] as const).flatMap((f) => nonNegative(st[f], `status.${f}`));
}

export const poddisruptionbudgets: ResourceType = resourceType({
  group: "policy",
  version: "v1",
  kind: "PodDisruptionBudget",
  plural: "poddisruptionbudgets",
  namespaced: true,
  shortNames: ["pdb"],
  subresources: [STATUS_SUBRESOURCE],
  hasStatus: true,
  table: {
    columns: [
      NAME_COLUMN,
      column("Min Available", "string", "The minimum number of pods that must be available."),
      column("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
      column("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."),
      AGE_COLUMN,
    ],
    cells(obj, now) {
      const pdb = obj as unknown as PodDisruptionBudget;
      const spec = pdb.spec ?? {};
      return [
        pdb.metadata?.name ?? "",
        spec.minAvailable !== undefined ? intOrStringText(spec.minAvailable) : "N/A",
        spec.maxUnavailable !== undefined ? intOrStringText(spec.maxUnavailable) : "N/A",
        pdb.status?.disruptionsAllowed ?? 0,
        age(obj, now),
      ];
    },
  },
  validate: (obj, _old, ctx) => (ctx.subresource === "status" ? validatePodDisruptionBudgetStatus(obj) : validatePodDisruptionBudget(obj)),
  prepareForCreate(obj) {
    // The four counters are required (non-omitempty) upstream, so a fresh status shows them as 0.
    obj.status = { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 };
  },
});
