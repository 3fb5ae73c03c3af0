/**
 * rbac.authorization.k8s.io/v1 Role (namespaced): rule validation and the apiserver's default
 * Name / Created At table (upstream has no printer for roles).
 */
import type { Role } from "kubernetes-types/rbac/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import type { StatusCause } from "../../../shared/api/status.js";
import { resourceType, type ResourceType } from "../types.js";
import { nameIsValidPathSegment } from "../../../shared/api/validation.js";
import { CREATED_AT_TABLE } from "./common.js";
import { RBAC_GROUP, validateRules } from "./rbac-common.js";

/** Upstream `ValidateRole`: every rule valid for a namespaced role. */
export function validateRole(obj: KubeObject): StatusCause[] {
  return validateRules((obj as unknown as Role).rules, true);
}

export const roles: ResourceType = {
  ...resourceType({
    group: RBAC_GROUP,
    version: "v1",
    kind: "Role",
    plural: "roles",
    namespaced: true,
    generationTracksSpec: false,
    table: CREATED_AT_TABLE,
    validate: (obj) => validateRole(obj),
  }),
  nameValidator: nameIsValidPathSegment,
};
