/**
 * ConfigMaps (core/v1): key and size validation, `immutable` honoured, and the DATA column.
 */
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { FIELD_DOCS } from "./column-docs.js";
import { column } from "./columns.js";
import { MAX_DATA_SIZE_BYTES, base64Length, tooLongBytes, validateDataKeys, validateImmutableData } from "./data-validation.js";

function validateConfigMap(obj: KubeObject): StatusCause[] {
  const data = (obj.data ?? {}) as Record<string, unknown>;
  const binary = (obj.binaryData ?? {}) as Record<string, unknown>;
  const errs = [...validateDataKeys(data, "data"), ...validateDataKeys(binary, "binaryData")];
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== "string") errs.push(fieldError.invalid(`data[${k}]`, v, "must be a string"));
    else total += Buffer.byteLength(v);
  }
  for (const [k, v] of Object.entries(binary)) {
    if (k in data) errs.push(fieldError.invalid(`binaryData[${k}]`, k, "duplicate of key present in data"));
    const n = base64Length(v);
    if (n === undefined) errs.push(fieldError.invalid(`binaryData[${k}]`, "<binary data>", "must be base64-encoded bytes"));
    else total += n;
  }
  // The error refers to the whole object, hence the empty field path (as upstream).
  if (total > MAX_DATA_SIZE_BYTES) errs.push(tooLongBytes("", MAX_DATA_SIZE_BYTES));
  return errs;
}

export const configMaps: ResourceType = resourceType({
  group: "",
  version: "v1",
  kind: "ConfigMap",
  plural: "configmaps",
  namespaced: true,
  shortNames: ["cm"],
  generationTracksSpec: false,
  table: {
    columns: [NAME_COLUMN, column("Data", FIELD_DOCS["ConfigMap.data"]), AGE_COLUMN],
    cells: (obj, now) => [obj.metadata.name ?? "", Object.keys(obj.data ?? {}).length + Object.keys(obj.binaryData ?? {}).length, age(obj, now)],
  },
  validate(obj, old) {
    const errs = validateConfigMap(obj);
    if (old) errs.push(...validateImmutableData(obj, old, ["data", "binaryData"]));
    return errs;
  },
});
