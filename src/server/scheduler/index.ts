/**
 * The scheduler's entry point for the server: `startScheduler(cp, log)` runs the default scheduler over
 * the in-process client, binding through the pods/binding code path.
 */
import type { Logger } from "../../shared/log.js";
import type { ControlPlane } from "../control-plane.js";
import { LocalClient } from "../local-client.js";
import { localBinder } from "./binder.js";
import { Scheduler, type SchedulerOptions } from "./scheduler.js";

export { Scheduler, DEFAULT_BIND_CONCURRENCY, type SchedulerOptions } from "./scheduler.js";
export { localBinder, type Binder, type BindTarget } from "./binder.js";
export { SCHEDULER_NAME } from "./events.js";

/**
 * Starts the default scheduler in the server.
 *
 * @example const scheduler = startScheduler(cp, log.child({ component: "scheduler" })); … scheduler.stop();
 */
export function startScheduler(cp: ControlPlane, log: Logger, opts: SchedulerOptions = {}): Scheduler {
  const scheduler = new Scheduler(new LocalClient(cp), localBinder(cp), log, opts);
  scheduler.start();
  return scheduler;
}
