/**
 * Score normalisation shared by score plugins (upstream `helper.DefaultNormalizeScore`).
 */
import { MAX_NODE_SCORE } from "../types.js";

/**
 * Scales scores in place so the highest becomes MAX_NODE_SCORE; `reverse` flips them (fewer is better).
 * Integer arithmetic, as upstream's int64 scores.
 *
 * @example const s = [0, 2, 4]; defaultNormalizeScore(s, false); // s = [0, 50, 100]
 */
export function defaultNormalizeScore(scores: number[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) max = Math.max(max, s);
  if (max === 0) {
    if (reverse) scores.fill(MAX_NODE_SCORE);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = Math.trunc((MAX_NODE_SCORE * scores[i]!) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}
