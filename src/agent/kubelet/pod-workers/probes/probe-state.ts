/**
 * The timing and threshold rules of one probe of one container instance, as upstream's probe
 * worker applies them; pure, driven by the caller's clock.
 */
import type { Probe } from "kubernetes-types/core/v1.js";

export type ProbeKind = "liveness" | "readiness" | "startup";
export type ProbeOutcome = "success" | "failure" | "unknown";

/** Upstream defaults of the probe timing fields. */
export const PROBE_DEFAULTS = { periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3, initialDelaySeconds: 0 } as const;

/** What each probe reports before it first runs (upstream: readiness fails, liveness passes, startup unknown). */
export function initialOutcome(kind: ProbeKind): ProbeOutcome {
  return kind === "readiness" ? "failure" : kind === "liveness" ? "success" : "unknown";
}

export class ProbeState {
  /** The result last reported to the worker. */
  outcome: ProbeOutcome;
  private lastRaw: ProbeOutcome | undefined;
  private run = 0;
  readonly periodMs: number;
  readonly timeoutMs: number;
  readonly initialDelayMs: number;
  private readonly successThreshold: number;
  private readonly failureThreshold: number;

  constructor(readonly kind: ProbeKind, readonly probe: Probe) {
    this.outcome = initialOutcome(kind);
    this.periodMs = (probe.periodSeconds ?? PROBE_DEFAULTS.periodSeconds) * 1000;
    this.timeoutMs = (probe.timeoutSeconds ?? PROBE_DEFAULTS.timeoutSeconds) * 1000;
    this.initialDelayMs = (probe.initialDelaySeconds ?? PROBE_DEFAULTS.initialDelaySeconds) * 1000;
    // Liveness and startup probes must use successThreshold 1 (validation enforces it upstream).
    this.successThreshold = kind === "readiness" ? (probe.successThreshold ?? PROBE_DEFAULTS.successThreshold) : 1;
    this.failureThreshold = probe.failureThreshold ?? PROBE_DEFAULTS.failureThreshold;
  }

  /** Starts from a known outcome instead of the initial one (an adopted container). */
  seed(outcome: ProbeOutcome): void {
    this.outcome = outcome;
  }

  /** Whether the probe may run yet, `sinceStartMs` after the container started. */
  due(sinceStartMs: number): boolean {
    return sinceStartMs >= this.initialDelayMs;
  }

  /**
   * Records one probe run; returns true when the reported outcome changed. A result is reported only
   * after `successThreshold` consecutive successes or `failureThreshold` consecutive failures.
   *
   * @example const s = new ProbeState("liveness", { failureThreshold: 2 }); s.record(false); s.record(false) === true // now "failure"
   */
  record(ok: boolean): boolean {
    const raw: ProbeOutcome = ok ? "success" : "failure";
    this.run = raw === this.lastRaw ? this.run + 1 : 1;
    this.lastRaw = raw;
    if (raw === "failure" && this.run < this.failureThreshold) return false;
    if (raw === "success" && this.run < this.successThreshold) return false;
    const changed = raw !== this.outcome;
    this.outcome = raw;
    return changed;
  }

  /** After a liveness/startup failure the container restarts: upstream resets the run count. */
  resetRun(): void {
    this.run = 0;
    this.lastRaw = undefined;
  }
}
