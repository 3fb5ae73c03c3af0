import { pino, type Logger } from "pino";

export type { Logger };

/**
 * The process-wide logger: pino JSON on stdout, one line per event; every component logs
 * through `logger.child({ component })`. No transports (they need worker files on disk, which a
 * single executable does not have). Level from KUBE_LITE_LOG_LEVEL (default info).
 *
 * @example const log = componentLogger("storage"); log.info({ revision }, "compacted");
 */
export const rootLogger: Logger = pino({
  level: process.env.KUBE_LITE_LOG_LEVEL ?? "info",
  base: undefined,
  redact: { paths: ["token", "*.token", "authorization", "*.authorization", "key", "*.key"], censor: "[redacted]" },
});

export function componentLogger(component: string): Logger {
  return rootLogger.child({ component });
}
