/**
 * Enough of `resource.Quantity` for validation: parse "500m", "1.5Gi", "2e3" to a number so requests
 * can be compared with limits. Precision is that of a double, which is ample for comparisons.
 */

/** Binary (Ki…Ei) and decimal (n…E) suffixes upstream accepts, with their multipliers. */
const SUFFIXES: Record<string, number> = {
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
  n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};

const QUANTITY_RE = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/**
 * Parses a Kubernetes quantity; `undefined` when the string is not one.
 *
 * @example parseQuantity("500m") === 0.5; parseQuantity("1Gi") === 1073741824
 */
export function parseQuantity(q: string | number): number | undefined {
  if (typeof q === "number") return Number.isFinite(q) ? q : undefined;
  const m = QUANTITY_RE.exec(q.trim() === q ? q : "");
  if (!m) return undefined;
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  return base * SUFFIXES[m[3] ?? ""]!;
}
