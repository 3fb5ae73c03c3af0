/**
 * Plain-JSON value helpers shared by the patch engines: type guards, deep equality, and Go's `%v`
 * rendering, which upstream uses inside several patch error messages we reproduce.
 */

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

/**
 * Sets an own enumerable property, also for the key "__proto__" (a valid ConfigMap data key), where
 * plain assignment would change the object's prototype instead.
 *
 * @example setField(data, "__proto__", "v") // data has an own "__proto__" key
 */
export function setField(obj: JsonObject, key: string, value: Json): void {
  if (key === "__proto__") Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

/** True for a JSON object (not an array, not null). */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Structural equality of two JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** The JSON kind name Go's decoder uses in "cannot unmarshal X into …" messages. */
export function goJsonKind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "object") return "object";
  return typeof v === "number" ? "number" : typeof v === "boolean" ? "bool" : "string";
}

/**
 * Renders a JSON value the way Go's `fmt` `%v` prints the decoded `interface{}`: maps as
 * `map[k:v …]` with sorted keys, slices as `[a b]`, null as `<nil>`.
 *
 * @example goFormat({ name: "c", $patch: "delete" }) // "map[$patch:delete name:c]"
 */
export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (Array.isArray(v)) return `[${v.map(goFormat).join(" ")}]`;
  if (isObject(v)) {
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${goFormat(v[k])}`)
      .join(" ")}]`;
  }
  return String(v);
}
