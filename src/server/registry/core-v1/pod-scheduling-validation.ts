/**
 * Validation of a pod spec's scheduling constraints — node/pod (anti-)affinity, topology spread,
 * security-context IDs — after upstream `validateAffinity`, `validateTopologySpreadConstraints` and
 * `ValidatePodSecurityContext`, so the scheduler and kubelet only ever see well-formed constraints.
 */
import type { Affinity, NodeSelectorRequirement, NodeSelectorTerm, PodAffinityTerm, PodSpec, TopologySpreadConstraint } from "kubernetes-types/core/v1.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { isQualifiedName, validateLabelName, validateLabelSelector } from "../../../shared/api/validation.js";
import { checkWith, inRange } from "./field-checks.js";

const NODE_SELECTOR_OPERATORS = ["DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"];
const WHEN_UNSATISFIABLE = ["DoNotSchedule", "ScheduleAnyway"];
const NODE_INCLUSION_POLICIES = ["Honor", "Ignore"];
/** Preferred scheduling terms weigh 1–100 (upstream). */
const MIN_WEIGHT = 1;
const MAX_WEIGHT = 100;
/** User and group IDs are non-negative int32s (upstream `ValidateNonnegativeField` + int32 range). */
const MAX_ID = 2147483647;

function validateRequirement(req: NodeSelectorRequirement, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const values = req.values ?? [];
  switch (req.operator) {
    case "In":
    case "NotIn":
      if (!values.length) errs.push(fieldError.required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case "Exists":
    case "DoesNotExist":
      if (values.length) errs.push(fieldError.forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case "Gt":
    case "Lt":
      if (values.length !== 1) errs.push(fieldError.required(`${path}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      else if (!/^-?\d+$/.test(values[0]!)) errs.push(fieldError.invalid(`${path}.values[0]`, values[0], "must be an integer"));
      break;
    default:
      errs.push(fieldError.notSupported(`${path}.operator`, req.operator, NODE_SELECTOR_OPERATORS));
  }
  errs.push(...validateLabelName(req.key, `${path}.key`));
  return errs;
}

function validateTerm(term: NodeSelectorTerm, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  (term.matchExpressions ?? []).forEach((r, i) => errs.push(...validateRequirement(r, `${path}.matchExpressions[${i}]`)));
  (term.matchFields ?? []).forEach((r, i) => {
    const p = `${path}.matchFields[${i}]`;
    if (r.key !== "metadata.name") errs.push(fieldError.notSupported(`${p}.key`, r.key, ["metadata.name"]));
    if ((r.operator === "In" || r.operator === "NotIn") && (r.values ?? []).length !== 1) {
      errs.push(fieldError.required(`${p}.values`, "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    } else if (r.operator !== "In" && r.operator !== "NotIn") {
      errs.push(fieldError.invalid(`${p}.operator`, r.operator, "not a valid selector operator"));
    }
  });
  return errs;
}

function validatePodAffinityTerm(term: PodAffinityTerm, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  if (term.labelSelector) errs.push(...validateLabelSelector(term.labelSelector, `${path}.labelSelector`));
  if (term.namespaceSelector) errs.push(...validateLabelSelector(term.namespaceSelector, `${path}.namespaceSelector`));
  if (!term.topologyKey) errs.push(fieldError.required(`${path}.topologyKey`, "can not be empty"));
  else errs.push(...validateLabelName(term.topologyKey, `${path}.topologyKey`));
  return errs;
}

function validatePodAffinityTerms(
  required: PodAffinityTerm[] | undefined,
  preferred: { weight: number; podAffinityTerm: PodAffinityTerm }[] | undefined,
  path: string,
): StatusCause[] {
  const errs: StatusCause[] = [];
  (required ?? []).forEach((t, i) => errs.push(...validatePodAffinityTerm(t, `${path}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`)));
  (preferred ?? []).forEach((w, i) => {
    const p = `${path}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    errs.push(...inRange(w.weight, MIN_WEIGHT, MAX_WEIGHT, `${p}.weight`));
    errs.push(...validatePodAffinityTerm(w.podAffinityTerm, `${p}.podAffinityTerm`));
  });
  return errs;
}

/**
 * Affinity checks at `path` (e.g. "spec.affinity").
 *
 * @example validateAffinity({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } }, "spec.affinity")
 */
export function validateAffinity(affinity: Affinity | undefined, path: string): StatusCause[] {
  if (!affinity) return [];
  const errs: StatusCause[] = [];
  const na = affinity.nodeAffinity;
  if (na?.requiredDuringSchedulingIgnoredDuringExecution) {
    const p = `${path}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`;
    const terms = na.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms ?? [];
    if (!terms.length) errs.push(fieldError.required(`${p}.nodeSelectorTerms`, "must have at least one node selector term"));
    terms.forEach((t, i) => errs.push(...validateTerm(t, `${p}.nodeSelectorTerms[${i}]`)));
  }
  (na?.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((w, i) => {
    const p = `${path}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    errs.push(...inRange(w.weight, MIN_WEIGHT, MAX_WEIGHT, `${p}.weight`));
    errs.push(...validateTerm(w.preference, `${p}.preference`));
  });
  if (affinity.podAffinity) {
    errs.push(...validatePodAffinityTerms(affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution, affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution, `${path}.podAffinity`));
  }
  if (affinity.podAntiAffinity) {
    errs.push(...validatePodAffinityTerms(affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution, affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution, `${path}.podAntiAffinity`));
  }
  return errs;
}

/**
 * Topology spread constraints at `path` (e.g. "spec.topologySpreadConstraints").
 *
 * @example validateTopologySpreadConstraints([{ maxSkew: 0, topologyKey: "", whenUnsatisfiable: "Maybe" }], "spec.topologySpreadConstraints")
 */
export function validateTopologySpreadConstraints(constraints: TopologySpreadConstraint[] | undefined, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const seen = new Set<string>();
  (constraints ?? []).forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (!(c.maxSkew > 0)) errs.push(fieldError.invalid(`${p}.maxSkew`, c.maxSkew, "must be greater than zero"));
    if (!c.topologyKey) errs.push(fieldError.required(`${p}.topologyKey`, "can not be empty"));
    else errs.push(...checkWith(isQualifiedName, c.topologyKey, `${p}.topologyKey`));
    if (!WHEN_UNSATISFIABLE.includes(c.whenUnsatisfiable)) errs.push(fieldError.notSupported(`${p}.whenUnsatisfiable`, c.whenUnsatisfiable, WHEN_UNSATISFIABLE));
    if (c.minDomains !== undefined) {
      if (c.minDomains <= 0) errs.push(fieldError.invalid(`${p}.minDomains`, c.minDomains, "must be greater than zero"));
      else if (c.whenUnsatisfiable !== "DoNotSchedule") {
        errs.push(fieldError.invalid(`${p}.minDomains`, c.minDomains, "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway"));
      }
    }
    for (const f of ["nodeAffinityPolicy", "nodeTaintsPolicy"] as const) {
      const v = c[f];
      if (v !== undefined && !NODE_INCLUSION_POLICIES.includes(v)) errs.push(fieldError.notSupported(`${p}.${f}`, v, NODE_INCLUSION_POLICIES));
    }
    if (c.labelSelector) errs.push(...validateLabelSelector(c.labelSelector, `${p}.labelSelector`));
    const key = `${c.topologyKey}\u0000${c.whenUnsatisfiable}`;
    if (seen.has(key)) errs.push(fieldError.duplicate(p, `{${c.topologyKey}, ${c.whenUnsatisfiable}}`));
    seen.add(key);
  });
  return errs;
}

function idCheck(v: number | undefined, field: string): StatusCause[] {
  return inRange(v, 0, MAX_ID, field);
}

/**
 * User/group IDs in the pod and container security contexts are within 0–2147483647.
 *
 * @example validateSecurityContextIDs(pod.spec, "spec")
 */
export function validateSecurityContextIDs(spec: PodSpec, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const sc = spec.securityContext;
  if (sc) {
    errs.push(...idCheck(sc.runAsUser, `${path}.securityContext.runAsUser`));
    errs.push(...idCheck(sc.runAsGroup, `${path}.securityContext.runAsGroup`));
    errs.push(...idCheck(sc.fsGroup, `${path}.securityContext.fsGroup`));
    (sc.supplementalGroups ?? []).forEach((g, i) => errs.push(...idCheck(g, `${path}.securityContext.supplementalGroups[${i}]`)));
  }
  for (const [list, key] of [[spec.containers, "containers"], [spec.initContainers, "initContainers"]] as const) {
    (list ?? []).forEach((c, i) => {
      const csc = c.securityContext;
      if (!csc) return;
      errs.push(...idCheck(csc.runAsUser, `${path}.${key}[${i}].securityContext.runAsUser`));
      errs.push(...idCheck(csc.runAsGroup, `${path}.${key}[${i}].securityContext.runAsGroup`));
      if (csc.privileged && csc.allowPrivilegeEscalation === false) {
        errs.push(fieldError.invalid(`${path}.${key}[${i}].securityContext`, csc, "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"));
      }
    });
  }
  return errs;
}
