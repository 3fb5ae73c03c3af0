/**
 * Rules shared by the four rbac.authorization.k8s.io/v1 kinds (pkg/apis/rbac/validation and
 * pkg/apis/rbac/v1/defaults.go): policy rules, role references and subjects.
 */
import type { PolicyRule, RoleRef, Subject } from "kubernetes-types/rbac/v1.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { nameIsDNSSubdomain, nameIsValidPathSegment, validateLabelSelector } from "../../../shared/api/validation.js";
import type { LabelSelector } from "kubernetes-types/meta/v1.js";

export const RBAC_GROUP = "rbac.authorization.k8s.io";

/** Upstream `SetDefaults_Subject`: User and Group subjects live in the RBAC API group, ServiceAccounts in core. */
export function defaultSubjects(subjects: Subject[] | undefined): void {
  for (const s of subjects ?? []) {
    if (s.apiGroup) continue;
    if (s.kind === "ServiceAccount") s.apiGroup = "";
    else if (s.kind === "User" || s.kind === "Group") s.apiGroup = RBAC_GROUP;
  }
}

/** Upstream `SetDefaults_RoleBinding/ClusterRoleBinding`: roleRef.apiGroup defaults to the RBAC group. */
export function defaultRoleRef(roleRef: RoleRef | undefined): void {
  if (roleRef && !roleRef.apiGroup) roleRef.apiGroup = RBAC_GROUP;
}

/**
 * Upstream `ValidatePolicyRule`: verbs required; non-resource URLs only in cluster roles and never
 * mixed with resources; resource rules need apiGroups and resources.
 *
 * @example validatePolicyRule({ verbs: ["get"], apiGroups: [""], resources: ["pods"] }, true, "rules[0]") // []
 */
export function validatePolicyRule(rule: PolicyRule, namespaced: boolean, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if ((rule.verbs ?? []).length === 0) causes.push(fieldError.required(`${path}.verbs`, "verbs must contain at least one value"));
  if ((rule.nonResourceURLs ?? []).length > 0) {
    if (namespaced) causes.push(fieldError.invalid(`${path}.nonResourceURLs`, rule.nonResourceURLs, "namespaced rules cannot apply to non-resource URLs"));
    if ((rule.apiGroups ?? []).length > 0 || (rule.resources ?? []).length > 0 || (rule.resourceNames ?? []).length > 0) {
      causes.push(fieldError.invalid(`${path}.nonResourceURLs`, rule.nonResourceURLs, "rules cannot apply to both regular resources and non-resource URLs"));
    }
    return causes;
  }
  if ((rule.apiGroups ?? []).length === 0) causes.push(fieldError.required(`${path}.apiGroups`, "resource rules must supply at least one api group"));
  if ((rule.resources ?? []).length === 0) causes.push(fieldError.required(`${path}.resources`, "resource rules must supply at least one resource"));
  return causes;
}

/** `rules[i]` of a Role or ClusterRole. */
export function validateRules(rules: PolicyRule[] | undefined, namespaced: boolean): StatusCause[] {
  return (rules ?? []).flatMap((r, i) => validatePolicyRule(r, namespaced, `rules[${i}]`));
}

/** ClusterRole `aggregationRule`: at least one selector when present, each valid. */
export function validateAggregationRule(rule: { clusterRoleSelectors?: LabelSelector[] } | undefined): StatusCause[] {
  if (!rule) return [];
  const selectors = rule.clusterRoleSelectors ?? [];
  if (selectors.length === 0) {
    return [fieldError.required("aggregationRule.clusterRoleSelectors", "at least one clusterRoleSelector required if aggregationRule is non-nil")];
  }
  return selectors.flatMap((s, i) => validateLabelSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`));
}

/**
 * Upstream `ValidateRoleBindingSubject`.
 *
 * @example validateSubject({ kind: "ServiceAccount", name: "default", namespace: "kube-system" }, false, "subjects[0]") // []
 */
export function validateSubject(s: Subject, namespaced: boolean, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!s.name) causes.push(fieldError.required(`${path}.name`));
  switch (s.kind) {
    case "ServiceAccount":
      if (s.name) for (const msg of nameIsDNSSubdomain(s.name, false)) causes.push(fieldError.invalid(`${path}.name`, s.name, msg));
      if (s.apiGroup) causes.push(fieldError.notSupported(`${path}.apiGroup`, s.apiGroup, [""]));
      if (!namespaced && !s.namespace) causes.push(fieldError.required(`${path}.namespace`));
      break;
    case "User":
    case "Group":
      if (s.apiGroup !== RBAC_GROUP) causes.push(fieldError.notSupported(`${path}.apiGroup`, s.apiGroup ?? "", [RBAC_GROUP]));
      break;
    default:
      causes.push(fieldError.notSupported(`${path}.kind`, s.kind ?? "", ["ServiceAccount", "User", "Group"]));
  }
  return causes;
}

/**
 * Role reference and subjects of a binding (upstream `ValidateRoleBinding` / `ValidateClusterRoleBinding`);
 * on update the role reference may not change.
 */
export function validateBinding(
  roleRef: RoleRef | undefined,
  subjects: Subject[] | undefined,
  namespaced: boolean,
  oldRoleRef: RoleRef | undefined,
): StatusCause[] {
  const causes: StatusCause[] = [];
  const ref: Partial<RoleRef> = roleRef ?? {};
  if (ref.apiGroup !== RBAC_GROUP) causes.push(fieldError.notSupported("roleRef.apiGroup", ref.apiGroup ?? "", [RBAC_GROUP]));
  const kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"];
  if (!kinds.includes(ref.kind ?? "")) causes.push(fieldError.notSupported("roleRef.kind", ref.kind ?? "", kinds));
  if (!ref.name) causes.push(fieldError.required("roleRef.name"));
  else for (const msg of nameIsValidPathSegment(ref.name, false)) causes.push(fieldError.invalid("roleRef.name", ref.name, msg));
  (subjects ?? []).forEach((s, i) => causes.push(...validateSubject(s, namespaced, `subjects[${i}]`)));
  if (oldRoleRef && (oldRoleRef.apiGroup !== ref.apiGroup || oldRoleRef.kind !== ref.kind || oldRoleRef.name !== ref.name)) {
    causes.push(fieldError.invalid("roleRef", ref, "cannot change roleRef"));
  }
  return causes;
}

/**
 * Users, groups and service accounts of a binding, for the wide table columns (upstream `SubjectsStrings`).
 *
 * @example subjectsStrings([{ kind: "ServiceAccount", namespace: "ns", name: "sa" }]) // { users: [], groups: [], serviceAccounts: ["ns/sa"] }
 */
export function subjectsStrings(subjects: Subject[] | undefined): { users: string[]; groups: string[]; serviceAccounts: string[] } {
  const out = { users: [] as string[], groups: [] as string[], serviceAccounts: [] as string[] };
  for (const s of subjects ?? []) {
    if (s.kind === "ServiceAccount") out.serviceAccounts.push(`${s.namespace ?? ""}/${s.name}`);
    else if (s.kind === "User") out.users.push(s.name);
    else if (s.kind === "Group") out.groups.push(s.name);
  }
  return out;
}
