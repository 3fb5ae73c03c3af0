/**
 * rbac.authorization.k8s.io/v1 RoleBinding (namespaced): defaults (roleRef/subject apiGroup),
 * validation (immutable roleRef) and table (`printRoleBinding`).
 */
import type { RoleBinding } from "kubernetes-types/rbac/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import type { StatusCause } from "../../../shared/api/status.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type ResourceType, type TableSpec } from "../types.js";
import { nameIsValidPathSegment } from "../../../shared/api/validation.js";
import { column } from "./common.js";
import { RBAC_GROUP, defaultRoleRef, defaultSubjects, subjectsStrings, validateBinding } from "./rbac-common.js";

/** Defaults of RoleBinding and ClusterRoleBinding (same shape). */
export function defaultBinding(obj: KubeObject): void {
  const b = obj as unknown as RoleBinding;
  defaultRoleRef(b.roleRef);
  defaultSubjects(b.subjects);
}

/** Table of RoleBinding and ClusterRoleBinding; `noun` is "roleBinding" or "clusterRoleBinding" as upstream words it. */
export function bindingTable(noun: string, roleRefDescription: string): TableSpec {
  return {
    columns: [
      NAME_COLUMN,
      column("Role", "string", roleRefDescription),
      AGE_COLUMN,
      column("Users", "string", `Users in the ${noun}`, 1),
      column("Groups", "string", `Groups in the ${noun}`, 1),
      column("ServiceAccounts", "string", `ServiceAccounts in the ${noun}`, 1),
    ],
    cells(obj, now) {
      const b = obj as unknown as RoleBinding;
      const { users, groups, serviceAccounts } = subjectsStrings(b.subjects);
      return [b.metadata?.name ?? "", `${b.roleRef?.kind ?? ""}/${b.roleRef?.name ?? ""}`, age(obj, now), users.join(", "), groups.join(", "), serviceAccounts.join(", ")];
    },
  };
}

/** Upstream `ValidateRoleBinding(Update)`. */
export function validateRoleBinding(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const b = obj as unknown as RoleBinding;
  return validateBinding(b.roleRef, b.subjects, true, old ? (old as unknown as RoleBinding).roleRef : undefined);
}

export const rolebindings: ResourceType = {
  ...resourceType({
    group: RBAC_GROUP,
    version: "v1",
    kind: "RoleBinding",
    plural: "rolebindings",
    namespaced: true,
    generationTracksSpec: false,
    table: bindingTable(
      "roleBinding",
      "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.",
    ),
    defaults: defaultBinding,
    validate: (obj, old) => validateRoleBinding(obj, old),
  }),
  nameValidator: nameIsValidPathSegment,
};
