/**
 * Reconnect timing: capped exponential back-off with jitter.
 */

/** First retry after about this long: a restarting server is usually back within a second. */
export const INITIAL_BACKOFF_MS = 250;

/**
 * Never wait longer than this between attempts. Small on purpose: agents must be back within
 * seconds of the server's return (target: 10 s), and a refused TCP connect every 5 s costs nothing.
 */
export const MAX_BACKOFF_MS = 5_000;

/**
 * Delay before attempt number `attempt` (0-based): exponential up to the cap, then "equal jitter"
 * (half fixed, half random) so many agents restarted together do not reconnect in lock-step.
 * @example backoffDelay(3) // between 1000 and 2000 ms
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, INITIAL_BACKOFF_MS * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
