/**
 * Node selector matching as upstream's `component-helpers/scheduling/corev1/nodeaffinity`: terms are
 * ORed, a term's requirements ANDed; `matchExpressions` test labels (In, NotIn, Exists, DoesNotExist,
 * Gt, Lt) and `matchFields` test `metadata.name`. A term with no requirements matches no node.
 */
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod } from "kubernetes-types/core/v1.js";

/** Integer form of a label value for Gt/Lt; undefined when it is not one. */
function intValue(s: string | undefined): number | undefined {
  return s !== undefined && /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}

/** One requirement against a value lookup (labels, or the node's fields). */
function requirementMatches(r: NodeSelectorRequirement, get: (key: string) => string | undefined): boolean {
  const value = get(r.key);
  const values = r.values ?? [];
  switch (r.operator) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
    case "Lt": {
      const have = intValue(value);
      const want = intValue(values[0]);
      if (have === undefined || want === undefined || values.length !== 1) return false;
      return r.operator === "Gt" ? have > want : have < want;
    }
    default:
      return false;
  }
}

/**
 * Whether a node matches one selector term.
 *
 * @example termMatchesNode({ matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] }, node)
 */
export function termMatchesNode(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  for (const r of exprs) if (!requirementMatches(r, (k) => (Object.prototype.hasOwnProperty.call(labels, k) ? labels[k] : undefined))) return false;
  for (const r of fields) if (!requirementMatches(r, (k) => (k === "metadata.name" ? node.metadata?.name : undefined))) return false;
  return true;
}

/** Whether a node matches any of the terms (ORed). */
export function termsMatchNode(terms: readonly NodeSelectorTerm[], node: Node): boolean {
  return terms.some((t) => termMatchesNode(t, node));
}

/**
 * The pod's `nodeSelector` and required node affinity both hold for the node (upstream
 * `GetRequiredNodeAffinity(pod).Match(node)`).
 *
 * @example podMatchesNodeSelectorAndAffinity(pod, node)
 */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) return termsMatchNode(required.nodeSelectorTerms ?? [], node);
  return true;
}
