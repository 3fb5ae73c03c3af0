/**
 * Checks shared by ConfigMap and Secret: key format, the 1 MiB total, and `immutable: true`
 * (upstream `ValidateConfigMap`, `ValidateSecret` and their `…Update` functions).
 */
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { jsonEqual, isConfigMapKey } from "./field-checks.js";

/** Largest ConfigMap or Secret payload: 1 MiB, so one object stays a small etcd/SQLite value (upstream `MaxSecretSize`). */
export const MAX_DATA_SIZE_BYTES = 1024 * 1024;

/** Upstream's FieldValueTooLong for byte limits (`field.TooLong`: "Too long: may not be more than N bytes"). */
export function tooLongBytes(field: string, max: number): StatusCause {
  return fieldError.tooLong(field, max);
}

/**
 * Invalid cause per bad key of a data map (`data[key]`), as upstream.
 *
 * @example validateDataKeys({ "a/b": "x" }, "data") → [{ field: "data[a/b]", … }]
 */
export function validateDataKeys(map: Record<string, unknown> | undefined, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  for (const key of Object.keys(map ?? {})) {
    for (const msg of isConfigMapKey(key)) errs.push(fieldError.invalid(`${path}[${key}]`, key, msg));
  }
  return errs;
}

/**
 * Decoded byte length of a base64 value, or undefined when it is not valid base64.
 *
 * @example base64Length("aGk=") === 2
 */
export function base64Length(v: unknown): number | undefined {
  if (typeof v !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 === 1) return undefined;
  return Buffer.from(v, "base64").length;
}

/**
 * Once `immutable: true` is stored, neither the flag nor the data may change (upstream message).
 *
 * @example validateImmutableData(next, old, ["data", "binaryData"])
 */
export function validateImmutableData(next: Record<string, unknown>, old: Record<string, unknown>, fields: string[]): StatusCause[] {
  if (old.immutable !== true) return [];
  const errs: StatusCause[] = [];
  if (next.immutable !== true) errs.push(fieldError.forbidden("immutable", "field is immutable when `immutable` is set"));
  for (const f of fields) {
    if (!jsonEqual(next[f] ?? {}, old[f] ?? {})) errs.push(fieldError.forbidden(f, "field is immutable when `immutable` is set"));
  }
  return errs;
}
