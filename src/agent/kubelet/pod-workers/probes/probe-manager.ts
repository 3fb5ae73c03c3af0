/**
 * Runs the startup, liveness and readiness probes of a pod's running container instances on their
 * own timers and tells the pod worker when a reported outcome changes. One manager per pod worker.
 */
import type { Container } from "kubernetes-types/core/v1.js";
import type { ContainerRuntime } from "../../runtime/types.js";
import { runHandler } from "./handlers.js";
import { ProbeState, type ProbeKind } from "./probe-state.js";

/** A running instance to probe. */
export interface ProbeTarget {
  spec: Container;
  containerId: string;
  startedAt: Date;
  /**
   * What the API last said about this same instance (after an agent restart): the first reported
   * outcomes start from it, so adopting a ready container does not flip the pod to not-ready.
   */
  was?: { ready: boolean; started: boolean };
}

interface InstanceProbes {
  target: ProbeTarget;
  probes: Map<ProbeKind, ProbeState>;
  timers: NodeJS.Timeout[];
  /** Liveness/startup failed: stop probing until a new instance appears (upstream `onHold`). */
  onHold: boolean;
}

export interface ProbeManagerDeps {
  runtime: ContainerRuntime;
  podIP(): string;
  /** A reported outcome changed: the worker should sync. */
  onChange(): void;
  /** A probe run failed (for the Unhealthy event); `kind` names the probe. */
  onFailure(container: string, kind: ProbeKind, output: string): void;
}

const PROBE_NAMES: Record<ProbeKind, string> = { liveness: "Liveness", readiness: "Readiness", startup: "Startup" };

/** "Liveness probe failed: …", as upstream's Unhealthy event message. */
export function probeFailureMessage(kind: ProbeKind, output: string): string {
  return `${PROBE_NAMES[kind]} probe failed: ${output.trim()}`;
}

export class ProbeManager {
  private readonly instances = new Map<string, InstanceProbes>();
  private stopped = false;

  constructor(private readonly deps: ProbeManagerDeps) {}

  /**
   * Probes exactly these running instances: new ones start probing, vanished ones stop.
   *
   * @example manager.sync(running.map((c) => ({ spec, containerId: c.id, startedAt: c.startedAt })));
   */
  sync(targets: ProbeTarget[]): void {
    if (this.stopped) return;
    const ids = new Set(targets.map((t) => t.containerId));
    for (const [id, inst] of this.instances) {
      if (!ids.has(id)) {
        for (const t of inst.timers) clearTimeout(t);
        this.instances.delete(id);
      }
    }
    for (const target of targets) {
      if (this.instances.has(target.containerId)) continue;
      const probes = new Map<ProbeKind, ProbeState>();
      if (target.spec.startupProbe) probes.set("startup", new ProbeState("startup", target.spec.startupProbe));
      if (target.spec.livenessProbe) probes.set("liveness", new ProbeState("liveness", target.spec.livenessProbe));
      if (target.spec.readinessProbe) probes.set("readiness", new ProbeState("readiness", target.spec.readinessProbe));
      if (target.was?.started) probes.get("startup")?.seed("success");
      if (target.was?.ready) probes.get("readiness")?.seed("success");
      const inst: InstanceProbes = { target, probes, timers: [], onHold: false };
      this.instances.set(target.containerId, inst);
      for (const kind of probes.keys()) this.schedule(inst, kind, true);
    }
  }

  /** Startup probe passed (or there is none). */
  started(containerId: string): boolean {
    const s = this.instances.get(containerId)?.probes.get("startup");
    return !s || s.outcome === "success";
  }

  /** Readiness as reported (true without a readiness probe once started). */
  ready(containerId: string): boolean {
    const inst = this.instances.get(containerId);
    if (!inst) return false;
    if (!this.started(containerId)) return false;
    const r = inst.probes.get("readiness");
    return !r || r.outcome === "success";
  }

  /** Which probe (liveness or startup) says the instance must be restarted, if any. */
  failed(containerId: string): ProbeKind | undefined {
    const inst = this.instances.get(containerId);
    if (!inst) return undefined;
    if (inst.probes.get("startup")?.outcome === "failure") return "startup";
    if (inst.probes.get("liveness")?.outcome === "failure") return "liveness";
    return undefined;
  }

  stop(): void {
    this.stopped = true;
    for (const inst of this.instances.values()) for (const t of inst.timers) clearTimeout(t);
    this.instances.clear();
  }

  private schedule(inst: InstanceProbes, kind: ProbeKind, first: boolean): void {
    const state = inst.probes.get(kind)!;
    let delay = state.periodMs;
    if (first) {
      const since = Date.now() - inst.target.startedAt.getTime();
      // Upstream spreads the first run of each worker randomly over one period after a kubelet restart;
      // a fresh container is probed once its initial delay has passed.
      delay = Math.max(0, state.initialDelayMs - since);
    }
    const timer = setTimeout(() => {
      inst.timers = inst.timers.filter((t) => t !== timer);
      void this.runOnce(inst, kind);
    }, delay);
    timer.unref();
    inst.timers.push(timer);
  }

  private async runOnce(inst: InstanceProbes, kind: ProbeKind): Promise<void> {
    if (this.stopped || this.instances.get(inst.target.containerId) !== inst) return;
    const state = inst.probes.get(kind)!;
    // Liveness and readiness wait for the startup probe; startup stops once it succeeded.
    const startup = inst.probes.get("startup");
    const skip = inst.onHold || (kind !== "startup" && startup && startup.outcome !== "success") || (kind === "startup" && state.outcome === "success");
    if (!skip) {
      const result = await runHandler(this.deps.runtime, state.probe, inst.target.spec, inst.target.containerId, this.deps.podIP(), state.timeoutMs);
      if (this.stopped || this.instances.get(inst.target.containerId) !== inst) return;
      if (!result.ok) this.deps.onFailure(inst.target.spec.name, kind, result.output);
      const changed = state.record(result.ok);
      if ((kind === "liveness" || kind === "startup") && state.outcome === "failure") {
        inst.onHold = true;
        state.resetRun();
      }
      if (changed) this.deps.onChange();
    }
    this.schedule(inst, kind, false);
  }
}
