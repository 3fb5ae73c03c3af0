/**
 * Secrets (core/v1): `stringData` folded into `data`, type default and per-type required keys, key and
 * size validation, `immutable` and immutable `type` (upstream `ValidateSecret`, `ValidateSecretUpdate`).
 */
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { FIELD_DOCS } from "./column-docs.js";
import { column } from "./columns.js";
import { MAX_DATA_SIZE_BYTES, base64Length, tooLongBytes, validateDataKeys, validateImmutableData } from "./data-validation.js";

/** What upstream prints instead of secret bytes in an error. */
const REDACTED = "<secret contents redacted>";

function dataOf(obj: KubeObject): Record<string, string> {
  return (obj.data ?? {}) as Record<string, string>;
}

/**
 * Folds write-only `stringData` into base64 `data` (stringData wins), as upstream's conversion does.
 *
 * @example defaultSecret({ metadata: {}, stringData: { a: "b" } }) // data.a === "Yg==", type "Opaque"
 */
export function defaultSecret(obj: KubeObject): void {
  const stringData = obj.stringData as Record<string, string> | undefined;
  if (stringData) {
    const data = { ...dataOf(obj) };
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v), "utf8").toString("base64");
    obj.data = data;
    delete obj.stringData;
  }
  if (!obj.type) obj.type = "Opaque";
}

function decoded(obj: KubeObject, key: string): Buffer | undefined {
  const v = dataOf(obj)[key];
  return v === undefined || base64Length(v) === undefined ? undefined : Buffer.from(v, "base64");
}

function validateTypedKeys(obj: KubeObject): StatusCause[] {
  const errs: StatusCause[] = [];
  const data = dataOf(obj);
  const has = (k: string) => k in data;
  const jsonKey = (k: string) => {
    if (!has(k)) return [fieldError.required(`data[${k}]`)];
    try {
      JSON.parse((decoded(obj, k) ?? Buffer.alloc(0)).toString("utf8"));
      return [];
    } catch (e) {
      return [fieldError.invalid(`data[${k}]`, REDACTED, (e as Error).message)];
    }
  };
  switch (obj.type) {
    case "kubernetes.io/service-account-token":
      if (!obj.metadata.annotations?.["kubernetes.io/service-account.name"]) {
        errs.push(fieldError.required("metadata.annotations[kubernetes.io/service-account.name]"));
      }
      break;
    case "kubernetes.io/dockercfg":
      errs.push(...jsonKey(".dockercfg"));
      break;
    case "kubernetes.io/dockerconfigjson":
      errs.push(...jsonKey(".dockerconfigjson"));
      break;
    case "kubernetes.io/basic-auth":
      if (!has("username") && !has("password")) errs.push(fieldError.required("data[username]"), fieldError.required("data[password]"));
      break;
    case "kubernetes.io/ssh-auth":
      if (!decoded(obj, "ssh-privatekey")?.length) errs.push(fieldError.required("data[ssh-privatekey]"));
      break;
    case "kubernetes.io/tls":
      if (!has("tls.crt")) errs.push(fieldError.required("data[tls.crt]"));
      if (!has("tls.key")) errs.push(fieldError.required("data[tls.key]"));
      break;
  }
  return errs;
}

function validateSecret(obj: KubeObject): StatusCause[] {
  const errs = validateDataKeys(dataOf(obj), "data");
  let total = 0;
  for (const [k, v] of Object.entries(dataOf(obj))) {
    const n = base64Length(v);
    if (n === undefined) errs.push(fieldError.invalid(`data[${k}]`, REDACTED, "must be base64-encoded bytes"));
    else total += n;
  }
  if (total > MAX_DATA_SIZE_BYTES) errs.push(tooLongBytes("data", MAX_DATA_SIZE_BYTES));
  errs.push(...validateTypedKeys(obj));
  return errs;
}

export const secrets: ResourceType = resourceType({
  group: "",
  version: "v1",
  kind: "Secret",
  plural: "secrets",
  namespaced: true,
  generationTracksSpec: false,
  table: {
    columns: [NAME_COLUMN, column("Type", FIELD_DOCS["Secret.type"]), column("Data", FIELD_DOCS["Secret.data"]), AGE_COLUMN],
    cells: (obj, now) => [obj.metadata.name ?? "", String(obj.type ?? ""), Object.keys(dataOf(obj)).length, age(obj, now)],
  },
  defaults: defaultSecret,
  validate(obj, old) {
    const errs = validateSecret(obj);
    if (old) {
      if ((obj.type ?? "") !== (old.type ?? "")) errs.push(fieldError.invalid("type", obj.type ?? "", "field is immutable"));
      errs.push(...validateImmutableData(obj, old, ["data"]));
    }
    return errs;
  },
  fieldSelectors: {
    type: (o) => String(o.type ?? ""),
  },
});
