/**
 * `fieldValidation` for request bodies of built-in kinds, as upstream: values of the wrong type always
 * fail (400); unknown and duplicate fields fail under Strict, become `Warning` headers under Warn (the
 * default), and are ignored under Ignore. Unknown fields are never stored (upstream decodes into typed
 * structs, which drops them), so they are pruned in every mode.
 */
import type { KubeObject } from "../../shared/api/types.js";
import { badRequest } from "../../shared/api/status.js";
import {
  checkFields,
  decodeErrorMessage,
  duplicateFieldProblems,
  hasSchemaForKind,
  strictDecodingMessage,
  strictProblems,
  warningHeaders,
  type FieldProblem,
} from "../../shared/api/schema-validation.js";
import type { FieldValidation } from "../registry/generic-store.js";
import type { ResourceType } from "../registry/types.js";

/** Deletes the field at `segments` (from `FieldProblem.segments`: map keys may contain dots). */
function prune(obj: unknown, segments: readonly (string | number)[]): void {
  let cur: unknown = obj;
  for (let i = 0; i < segments.length - 1; i++) {
    if (cur === null || typeof cur !== "object") return;
    cur = (cur as Record<string | number, unknown>)[segments[i]!];
  }
  const last = segments[segments.length - 1];
  if (cur !== null && typeof cur === "object" && !Array.isArray(cur) && typeof last === "string") delete (cur as Record<string, unknown>)[last];
}

/**
 * Checks `obj` against the kind's schema and applies the mode. Returns the Warning header values to send.
 *
 * @example const warnings = enforceFieldValidation(deployments, body, rawJson, "Warn");
 */
export function enforceFieldValidation(rt: ResourceType, obj: KubeObject, json: string | undefined, mode: FieldValidation): string[] {
  const gvk = { group: rt.group, version: rt.version, kind: rt.kind };
  if (!hasSchemaForKind(gvk)) return [];
  const problems: FieldProblem[] = checkFields(gvk, obj);
  const typeProblem = problems.find((p) => p.kind === "type");
  if (typeProblem) throw badRequest(decodeErrorMessage(gvk, typeProblem));
  const strict = [...(json && mode !== "Ignore" ? duplicateFieldProblems(json) : []), ...strictProblems(problems)];
  for (const p of problems) if (p.kind === "unknown") if (p.segments) prune(obj, p.segments);
  if (strict.length === 0 || mode === "Ignore") return [];
  if (mode === "Strict") throw badRequest(strictDecodingMessage(gvk, strict));
  return warningHeaders(strict);
}
