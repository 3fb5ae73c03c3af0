/**
 * Small field checks shared by the core/v1 kinds, phrased as upstream's `field.ErrorList` helpers
 * (`ValidateDNS1123Label`, `ValidateNonnegativeField`, `field.NotFound`, …).
 */
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { isDNS1123Label, isValidPortName, isValidPortNum } from "../../../shared/api/validation.js";

/** Upstream's `field.NotFound` cause. */
export function notFoundCause(field: string, value: unknown): StatusCause {
  return { reason: "FieldValueNotFound", field, message: `Not found: ${JSON.stringify(value)}` };
}

/**
 * One Invalid cause per message of a string check (upstream's `for _, msg := range IsX(v)` idiom).
 *
 * @example checkWith(isDNS1123Label, "Web", "spec.containers[0].name") → [{ field: "spec.containers[0].name", message: 'Invalid value: "Web": a lowercase RFC 1123 label …' }]
 */
export function checkWith(check: (v: string) => string[], value: string, field: string): StatusCause[] {
  return check(value).map((msg) => fieldError.invalid(field, value, msg));
}

/** Required when empty, else a DNS-1123 label. */
export function requiredDNSLabel(value: string | undefined, field: string): StatusCause[] {
  if (!value) return [fieldError.required(field)];
  return checkWith(isDNS1123Label, value, field);
}

/** Upstream's `ValidateNonnegativeField`. */
export function nonNegative(value: number | undefined, field: string): StatusCause[] {
  return value !== undefined && value < 0 ? [fieldError.invalid(field, value, "must be greater than or equal to 0")] : [];
}

/** Upstream's `InclusiveRangeError` check. */
export function inRange(value: number | undefined, lo: number, hi: number, field: string): StatusCause[] {
  return value !== undefined && (value < lo || value > hi) ? [fieldError.invalid(field, value, `must be between ${lo} and ${hi}, inclusive`)] : [];
}

/**
 * A port given as a number (1–65535) or an IANA_SVC_NAME (upstream `ValidatePortNumOrName`).
 *
 * @example portNumOrName("http", "spec.ports[0].targetPort") → []
 */
export function portNumOrName(port: number | string | undefined, field: string): StatusCause[] {
  if (port === undefined || port === "" || port === 0) return [fieldError.required(field)];
  if (typeof port === "number") return isValidPortNum(port).map((m) => fieldError.invalid(field, port, m));
  if (/^\d+$/.test(port)) return isValidPortNum(Number(port)).map((m) => fieldError.invalid(field, port, m));
  return isValidPortName(port).map((m) => fieldError.invalid(field, port, m));
}

/** Upstream `IsConfigMapKey`: a key in ConfigMap/Secret data or a projected item. */
export const CONFIG_MAP_KEY_MAX_LENGTH = 253;
const CONFIG_MAP_KEY_RE = /^[-._a-zA-Z0-9]+$/;

/**
 * Messages for an invalid ConfigMap/Secret key, empty when valid (upstream `validation.IsConfigMapKey`).
 *
 * @example isConfigMapKey("app.properties") → []; isConfigMapKey("..") → ["must not be '..'"]
 */
export function isConfigMapKey(key: string): string[] {
  const errs: string[] = [];
  if (key.length > CONFIG_MAP_KEY_MAX_LENGTH) errs.push(`must be no more than ${CONFIG_MAP_KEY_MAX_LENGTH} characters`);
  if (!CONFIG_MAP_KEY_RE.test(key)) {
    errs.push("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
  }
  if (key === ".") errs.push("must not be '.'");
  else if (key === "..") errs.push("must not be '..'");
  else if (key.startsWith("..")) errs.push("must not start with '..'");
  return errs;
}

/**
 * Deep JSON equality for API objects (key order does not matter, undefined members are absent).
 *
 * @example jsonEqual({ a: 1, b: undefined }, { a: 1 }) === true
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => jsonEqual(ao[k], bo[k]));
}
