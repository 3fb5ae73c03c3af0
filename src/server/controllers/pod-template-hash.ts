/**
 * The `pod-template-hash` label: a short, name-safe hash of a Deployment's pod template, used in its
 * ReplicaSets' names (`<deployment>-<hash>`), selectors and pod labels, as upstream's
 * `controller.ComputeHash` does (FNV-32a over the template plus the collision count, printed in
 * decimal and encoded with the vowel-free alphabet). Our hash input is the template's canonical JSON,
 * so the values differ from a real cluster's, but they are stable across restarts and versions.
 */
import type { PodTemplateSpec } from "kubernetes-types/core/v1.js";

export const POD_TEMPLATE_HASH_LABEL = "pod-template-hash";

/** Upstream `rand.SafeEncodeString` alphabet: no vowels (no words), no 0/1/3 (look like o/l/e). */
const SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
const FNV32_OFFSET_BASIS = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

/** JSON with object keys sorted, so equal templates always hash the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function fnv1a32(bytes: Uint8Array, hash = FNV32_OFFSET_BASIS): number {
  let h = hash;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, FNV32_PRIME) >>> 0;
  }
  return h >>> 0;
}

/** Upstream `rand.SafeEncodeString`: every character mapped into the safe alphabet. */
function safeEncode(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/**
 * The hash of a pod template; a non-zero `collisionCount` (Deployment `status.collisionCount`) gives a
 * different hash, which is how a name collision with a foreign ReplicaSet is escaped.
 *
 * @example computePodTemplateHash(deploy.spec.template) // "7c5ddbdf54"
 */
export function computePodTemplateHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let h = fnv1a32(new TextEncoder().encode(canonicalJson(template ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) {
    // Eight bytes, the count in the low four (little endian), as upstream writes it.
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv1a32(bytes, h);
  }
  return safeEncode(String(h));
}

/** A copy of the template without the pod-template-hash label (an empty label map dropped). */
function withoutHash(template: PodTemplateSpec | undefined): PodTemplateSpec {
  const t = structuredClone(template ?? {}) as PodTemplateSpec & { metadata?: { labels?: Record<string, string> } };
  if (t.metadata?.labels) {
    delete t.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    if (Object.keys(t.metadata.labels).length === 0) delete t.metadata.labels;
  }
  return t;
}

/**
 * Whether two templates are equal apart from the pod-template-hash label (upstream `EqualIgnoreHash`):
 * how a Deployment finds the ReplicaSet of its current template.
 *
 * @example templatesEqualIgnoringHash(rs.spec.template, deploy.spec.template)
 */
export function templatesEqualIgnoringHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonicalJson(withoutHash(a)) === canonicalJson(withoutHash(b));
}
