/**
 * `metav1.Time` on the wire: RFC 3339 in UTC with whole seconds ("2026-11-27T10:00:00Z").
 *
 * @example rfc3339() // now; rfc3339(Date.now() + 30_000) // in 30 s
 */
export function rfc3339(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
