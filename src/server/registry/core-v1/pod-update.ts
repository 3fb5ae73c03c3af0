/**
 * What an update may change in a running Pod's spec (upstream `ValidatePodUpdate`): container images,
 * `activeDeadlineSeconds` (set or lowered), tolerations (additions), `terminationGracePeriodSeconds`
 * (negative → 1), scheduling gates (removal). Everything else is immutable, and the error says so in
 * upstream's words. Ephemeral containers change only through the `ephemeralcontainers` subresource.
 */
import type { EphemeralContainer, PodSpec, Toleration } from "kubernetes-types/core/v1.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { deepCopy } from "../../../shared/api/types.js";
import { jsonEqual } from "./field-checks.js";

/** Upstream's message, word for word, so users and tools recognise it. */
export const POD_UPDATE_FORBIDDEN =
  "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

function tolerationKey(t: Toleration): string {
  return JSON.stringify([t.key ?? "", t.operator ?? "", t.value ?? "", t.effect ?? ""]);
}

function validateTolerationsUpdate(next: Toleration[] | undefined, prev: Toleration[] | undefined): StatusCause[] {
  const errs: StatusCause[] = [];
  const remaining = new Map<string, Toleration>();
  for (const t of next ?? []) remaining.set(tolerationKey(t), t);
  for (const old of prev ?? []) {
    const cur = remaining.get(tolerationKey(old));
    if (!cur) {
      errs.push(fieldError.forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds"));
      break;
    }
    if (old.tolerationSeconds !== undefined && (cur.tolerationSeconds === undefined || cur.tolerationSeconds > old.tolerationSeconds)) {
      errs.push(fieldError.forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds"));
      break;
    }
  }
  return errs;
}

/** Top-level spec fields that differ, for the message tail (upstream prints a full object diff). */
function changedFields(a: PodSpec, b: PodSpec): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out: string[] = [];
  for (const k of [...keys].sort()) {
    const av = (a as unknown as Record<string, unknown>)[k];
    const bv = (b as unknown as Record<string, unknown>)[k];
    if (!jsonEqual(av, bv)) out.push(`  - ${k}: ${JSON.stringify(bv)}\n  + ${k}: ${JSON.stringify(av)}`);
  }
  return out;
}

/**
 * Checks a main-resource update of a Pod's spec against the old spec.
 *
 * @example validatePodSpecUpdate(newPod.spec, oldPod.spec) → [] when only an image changed
 */
export function validatePodSpecUpdate(next: PodSpec, prev: PodSpec): StatusCause[] {
  const errs: StatusCause[] = [];
  // activeDeadlineSeconds: may be set, or lowered, but never removed or raised.
  if (prev.activeDeadlineSeconds !== undefined) {
    if (next.activeDeadlineSeconds === undefined) {
      errs.push(fieldError.invalid("spec.activeDeadlineSeconds", null, "must not update from a positive integer to nil value"));
    } else if (next.activeDeadlineSeconds > prev.activeDeadlineSeconds) {
      errs.push(fieldError.invalid("spec.activeDeadlineSeconds", next.activeDeadlineSeconds, "must be less than or equal to previous value"));
    }
  }
  errs.push(...validateTolerationsUpdate(next.tolerations, prev.tolerations));
  const prevGates = new Set((prev.schedulingGates ?? []).map((g) => g.name));
  for (const g of next.schedulingGates ?? []) {
    if (!prevGates.has(g.name)) {
      errs.push(fieldError.forbidden("spec.schedulingGates", "only deletion is allowed, but found new scheduling gate '" + g.name + "'"));
      break;
    }
  }

  // Mask every field that may change, then demand the rest be equal.
  const masked = deepCopy(next);
  masked.containers = (masked.containers ?? []).map((c, i) => ({ ...c, image: prev.containers?.[i]?.image ?? c.image }));
  if (masked.initContainers) masked.initContainers = masked.initContainers.map((c, i) => ({ ...c, image: prev.initContainers?.[i]?.image ?? c.image }));
  masked.activeDeadlineSeconds = prev.activeDeadlineSeconds;
  masked.tolerations = prev.tolerations;
  masked.schedulingGates = prev.schedulingGates;
  const prevGrace = prev.terminationGracePeriodSeconds;
  if (prevGrace !== undefined && prevGrace < 0 && next.terminationGracePeriodSeconds === 1) masked.terminationGracePeriodSeconds = prevGrace;
  if (masked.activeDeadlineSeconds === undefined) delete masked.activeDeadlineSeconds;
  if (masked.tolerations === undefined) delete masked.tolerations;
  if (masked.schedulingGates === undefined) delete masked.schedulingGates;
  if (masked.initContainers === undefined) delete masked.initContainers;
  if (!jsonEqual(masked, prev)) {
    errs.push(fieldError.forbidden("spec", `${POD_UPDATE_FORBIDDEN}\n${changedFields(masked, prev).join("\n")}`));
  }
  return errs;
}

/**
 * Checks a write through `pods/{name}/ephemeralcontainers`: only `spec.ephemeralContainers` may change, and
 * existing ephemeral containers may be neither changed nor removed (upstream `ValidatePodEphemeralContainersUpdate`).
 *
 * @example validateEphemeralContainersUpdate(newPod.spec, oldPod.spec)
 */
export function validateEphemeralContainersUpdate(next: PodSpec, prev: PodSpec): StatusCause[] {
  const errs: StatusCause[] = [];
  const byName = new Map<string, EphemeralContainer>();
  for (const c of next.ephemeralContainers ?? []) byName.set(c.name, c);
  for (const old of prev.ephemeralContainers ?? []) {
    const cur = byName.get(old.name);
    if (!cur) errs.push(fieldError.forbidden("spec.ephemeralContainers", `existing ephemeral containers "${old.name}" may not be removed`));
    else if (!jsonEqual(cur, old)) errs.push(fieldError.forbidden("spec.ephemeralContainers", `existing ephemeral containers "${old.name}" may not be changed`));
  }
  const rest = { ...next, ephemeralContainers: prev.ephemeralContainers };
  if (rest.ephemeralContainers === undefined) delete rest.ephemeralContainers;
  if (!jsonEqual(rest, prev)) errs.push(fieldError.forbidden("spec", "pod updates may not change fields other than `spec.ephemeralContainers`"));
  return errs;
}
