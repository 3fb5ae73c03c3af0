/**
 * The kubelet's node status loop: register once (retrying with back-off until the API answers), then
 * every 10 s compute the status and write it only when it changed or 5 minutes passed since the last
 * write. Liveness is the Lease's job (../lease); this loop keeps status writes rare.
 */
import { ApiError } from "../../../shared/api/status.js";
import type { Logger } from "../../../shared/log.js";
import type { ApiClient } from "../../../shared/client/types.js";
import { readHostFacts, type HostFacts, type HostPaths } from "./host-facts.js";
import type { NodeStatus } from "kubernetes-types/core/v1.js";
import { conditionEvents, nodeStatus, type NodeConfig, type NodeEvent, type NodeImage, type NodeObject, type StatusInputs } from "./node-object.js";
import { registerNode, updateNodeStatus } from "./register.js";
import { DEFAULT_EVICTION_HARD, pressureSignals, type Pressure } from "./resources.js";

/** How often the status is computed and compared (upstream `nodeStatusUpdateFrequency`). */
export const NODE_STATUS_UPDATE_INTERVAL_MS = 10_000;
/** An unchanged status is still written this often, refreshing heartbeats (upstream `nodeStatusReportFrequency`). */
export const NODE_STATUS_REPORT_INTERVAL_MS = 5 * 60_000;
/** A pressure condition stays True this long after its signal clears, so it does not flap (upstream `evictionPressureTransitionPeriod`). */
export const PRESSURE_TRANSITION_PERIOD_MS = 5 * 60_000;
/** Registration retry back-off: upstream starts at 100 ms and doubles up to 7 s. */
const REGISTER_MIN_DELAY_MS = 100;
const REGISTER_MAX_DELAY_MS = 7_000;

export interface NodeStatusReporterOptions {
  dataDir: string;
  log: Logger;
  /** Why the node is not ready right now (runtime unreachable, pod network missing); [] when ready. */
  notReadyReasons?: () => string[];
  /** Records node events (NodeReady, NodeHasSufficientMemory, …) when conditions change; the kubelet's event recorder. */
  recordEvent?: (node: NodeObject, event: NodeEvent) => void;
  /** The runtime's images for status.images (asked before each sync; a failure keeps the last list). */
  listImages?: () => Promise<NodeImage[]>;
  /** Machine facts; defaults to reading the real /proc and statfs of dataDir. */
  readFacts?: () => HostFacts;
  hostPaths?: HostPaths;
  now?: () => Date;
  updateIntervalMs?: number;
  reportIntervalMs?: number;
  pressureTransitionMs?: number;
}

/**
 * @example
 * const reporter = new NodeStatusReporter(client, { nodeName: "pi1", containerRuntimeVersion: "docker://27.3.1", roles: ["control-plane"] },
 *   { dataDir, log, notReadyReasons: () => (runtime.ok ? [] : ["container runtime is down"]) });
 * await reporter.start(); // resolves once registered
 * reporter.requestSync(); // the runtime went down: report now, not in 10 s
 * reporter.stop();
 */
export class NodeStatusReporter {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private running?: Promise<unknown>;
  private lastReport = 0;
  /** When each pressure signal was last seen over its threshold (ms since epoch). */
  private readonly lastPressure: Record<keyof Pressure, number> = { memory: 0, disk: 0, pid: 0 };
  private readonly now: () => Date;
  private images?: NodeImage[];
  private registered = false;
  /** A sync was asked for while one was running: run another right after it. */
  private syncAgain = false;
  /** Ends a registration back-off wait early (stop()). */
  private wake?: () => void;

  constructor(
    private readonly client: ApiClient,
    private readonly cfg: NodeConfig,
    private readonly opts: NodeStatusReporterOptions,
  ) {
    this.now = opts.now ?? (() => new Date());
  }

  /** Facts, pressure (with the transition period) and readiness as of now. */
  inputs(): StatusInputs {
    const facts = this.opts.readFacts ? this.opts.readFacts() : readHostFacts(this.opts.dataDir, this.opts.hostPaths);
    const now = this.now();
    const signals = pressureSignals(facts, this.cfg.evictionHard ?? DEFAULT_EVICTION_HARD);
    const hold = this.opts.pressureTransitionMs ?? PRESSURE_TRANSITION_PERIOD_MS;
    const pressure = {} as Pressure;
    for (const k of ["memory", "disk", "pid"] as const) {
      if (signals[k]) this.lastPressure[k] = now.getTime();
      pressure[k] = this.lastPressure[k] > 0 && now.getTime() - this.lastPressure[k] < hold;
    }
    return { facts, pressure, notReadyReasons: this.opts.notReadyReasons?.() ?? [], now, images: this.images };
  }

  /** Registers (retrying until it works or stop()), then runs the status loop. */
  async start(): Promise<NodeObject | undefined> {
    let delay = REGISTER_MIN_DELAY_MS;
    let node: NodeObject | undefined;
    while (!this.stopped) {
      try {
        await this.refreshImages();
        const registered = await registerNode(this.client, this.cfg, () => this.inputs());
        node = registered.node;
        this.announce(registered.previous, node);
        this.lastReport = Date.now();
        this.registered = true;
        this.opts.log.info({ node: this.cfg.nodeName }, "node registered");
        break;
      } catch (err) {
        this.opts.log.warn({ node: this.cfg.nodeName, err: (err as Error).message, retryInMs: delay }, "node registration failed");
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, delay);
        });
        this.wake = undefined;
        delay = Math.min(delay * 2, REGISTER_MAX_DELAY_MS);
      }
    }
    this.schedule();
    return node;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
  }

  /** Runs a status sync soon instead of at the next tick (readiness changed); no-op before registration. */
  requestSync(): void {
    if (this.stopped || !this.registered) return;
    if (this.running) {
      this.syncAgain = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), 0);
  }

  /**
   * One round: write the status if it changed or the report period passed. Returns whether it wrote.
   *
   * @example await reporter.syncNodeStatus() // false when nothing changed within 5 minutes
   */
  async syncNodeStatus(): Promise<boolean> {
    const force = Date.now() - this.lastReport >= (this.opts.reportIntervalMs ?? NODE_STATUS_REPORT_INTERVAL_MS);
    await this.refreshImages();
    const inputs = this.inputs();
    const { posted, node, previous } = await updateNodeStatus(this.client, this.cfg.nodeName, (s) => nodeStatus(this.cfg, inputs, s), { force });
    if (posted) {
      this.lastReport = Date.now();
      this.announce(previous, node);
    }
    return posted;
  }

  private announce(previous: NodeStatus | undefined, node: NodeObject): void {
    if (!this.opts.recordEvent) return;
    for (const ev of conditionEvents(this.cfg.nodeName, previous?.conditions, node.status?.conditions)) {
      try {
        this.opts.recordEvent(node, ev);
      } catch (err) {
        this.opts.log.debug({ err: (err as Error).message, reason: ev.reason }, "recording a node event failed");
      }
    }
  }

  private async refreshImages(): Promise<void> {
    if (!this.opts.listImages) return;
    try {
      this.images = await this.opts.listImages();
    } catch (err) {
      this.opts.log.debug({ err: (err as Error).message }, "listing images for the node status failed");
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), this.opts.updateIntervalMs ?? NODE_STATUS_UPDATE_INTERVAL_MS);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.running) return;
    try {
      this.running = this.syncNodeStatus();
      const posted = await this.running;
      if (posted) this.opts.log.debug({ node: this.cfg.nodeName }, "node status posted");
    } catch (err) {
      if (err instanceof ApiError && err.reason === "NotFound") {
        // Someone deleted our Node: register it again rather than report into the void.
        this.opts.log.warn({ node: this.cfg.nodeName }, "node object is gone; registering again");
        await registerNode(this.client, this.cfg, () => this.inputs()).then(
          (r) => {
            this.lastReport = Date.now();
            this.announce(r.previous, r.node);
          },
          (e: Error) => this.opts.log.warn({ node: this.cfg.nodeName, err: e.message }, "node re-registration failed"),
        );
      } else {
        this.opts.log.warn({ node: this.cfg.nodeName, err: (err as Error).message }, "node status update failed");
      }
    } finally {
      this.running = undefined;
      if (this.syncAgain) {
        this.syncAgain = false;
        this.requestSync();
      } else {
        this.schedule();
      }
    }
  }
}
