/**
 * ServiceAccounts (core/v1): identities for pods. The `token` subresource issues an
 * authentication.k8s.io/v1 TokenRequest. Table: Name, Secrets, Age (upstream printer).
 */
import type { ServiceAccount } from "kubernetes-types/core/v1.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { FIELD_DOCS } from "./column-docs.js";
import { column } from "./columns.js";

export const serviceAccounts: ResourceType = resourceType({
  group: "",
  version: "v1",
  kind: "ServiceAccount",
  plural: "serviceaccounts",
  namespaced: true,
  shortNames: ["sa"],
  generationTracksSpec: false,
  subresources: [{ name: "token", group: "authentication.k8s.io", version: "v1", kind: "TokenRequest", verbs: ["create"] }],
  table: {
    columns: [NAME_COLUMN, column("Secrets", FIELD_DOCS["ServiceAccount.secrets"]), AGE_COLUMN],
    cells: (obj, now) => [obj.metadata.name ?? "", ((obj as unknown as ServiceAccount).secrets ?? []).length, age(obj, now)],
  },
  validate(obj) {
    const errs: StatusCause[] = [];
    const sa = obj as unknown as ServiceAccount;
    (sa.imagePullSecrets ?? []).forEach((s, i) => {
      if (!s.name) errs.push(fieldError.required(`imagePullSecrets[${i}].name`));
    });
    return errs;
  },
});
