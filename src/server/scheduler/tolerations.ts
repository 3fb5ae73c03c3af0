/**
 * Taint and toleration matching as upstream's `Toleration.ToleratesTaint`.
 */
import type { Taint, Toleration } from "kubernetes-types/core/v1.js";

/**
 * Whether one toleration tolerates one taint: the effect matches (or is empty), the key matches (or is
 * empty with Exists), and the value matches for Equal.
 *
 * @example toleratesTaint({ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }, taint)
 */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? "Equal") {
    case "Exists":
      return true;
    case "Equal":
      return (t.value ?? "") === (taint.value ?? "");
    default:
      return false;
  }
}

/** The first taint none of the tolerations tolerate, if any. */
export function firstUntolerated(taints: readonly Taint[], tolerations: readonly Toleration[]): Taint | undefined {
  return taints.find((taint) => !tolerations.some((t) => toleratesTaint(t, taint)));
}

/** How many taints none of the tolerations tolerate. */
export function countUntolerated(taints: readonly Taint[], tolerations: readonly Toleration[]): number {
  let n = 0;
  for (const taint of taints) if (!tolerations.some((t) => toleratesTaint(t, taint))) n++;
  return n;
}
