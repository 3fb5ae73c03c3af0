/**
 * Interop between server-side apply and kubectl's client-side apply annotation
 * (upstream `lastAppliedManager` and `lastAppliedUpdater`).
 */
import type { KubeObject } from "../../../shared/api/types.js";
import { isObject, setField, type Json, type JsonObject } from "./json.js";
import { FieldSet, compareObjects, toFieldSet } from "./field-set.js";
import { stripManagedFields } from "./managed-fields.js";

/** kubectl's field manager for `apply --server-side`; upstream keys its client-side-apply interop on it. */
export const KUBECTL_MANAGER = "kubectl";
/** Client-side apply's annotation. */
export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

function lastAppliedOf(obj: JsonObject | undefined): string | undefined {
  const meta = obj?.metadata;
  const annotations = isObject(meta) ? meta.annotations : undefined;
  const v = isObject(annotations) ? annotations[LAST_APPLIED_ANNOTATION] : undefined;
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

/**
 * Fields of the last-applied annotation whose live value still matches it (upstream
 * `allowedConflictsFromLastApplied`); undefined when there is no usable annotation.
 */
export function allowedConflictsFromLastApplied(live: JsonObject | undefined, rootType: string, apiVersion: string): FieldSet | undefined {
  const text = lastAppliedOf(live);
  if (!text || !live) return undefined;
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(lastApplied) || lastApplied.apiVersion !== apiVersion) return undefined;
  try {
    const set = toFieldSet(lastApplied, rootType);
    const c = compareObjects(lastApplied, stripManagedFields(live), rootType);
    return set.difference(c.modified).difference(c.added).difference(c.removed);
  } catch {
    return undefined;
  }
}

/**
 * After `kubectl apply --server-side`, an existing last-applied annotation is rewritten to the
 * applied configuration so a later client-side apply computes the right diff (upstream
 * `lastAppliedUpdater`; Go's JSON encoder: sorted keys, trailing newline).
 */
export function syncLastApplied(object: KubeObject, applied: JsonObject): void {
  if (!lastAppliedOf(object as unknown as JsonObject)) return;
  const config = structuredClone(applied);
  if (isObject(config.metadata) && isObject(config.metadata.annotations)) delete config.metadata.annotations[LAST_APPLIED_ANNOTATION];
  (object.metadata.annotations ??= {})[LAST_APPLIED_ANNOTATION] = goJsonEncode(sortKeys(config)) + "\n";
}

/** JSON as Go's encoder writes it by default: HTML-sensitive characters and U+2028/9 escaped. */
function goJsonEncode(v: Json): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v).sort()) setField(out, k, sortKeys(v[k]));
  return out;
}

