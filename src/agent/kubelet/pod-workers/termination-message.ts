/**
 * `terminationMessagePolicy: FallbackToLogsOnError`: a container that failed without writing its
 * termination message gets the tail of its log instead, as upstream's kubelet does (the last 80
 * lines, at most 2 KiB).
 */
import type { ContainerRuntime } from "../runtime/types.js";

/** Upstream `MaxContainerTerminationMessageLogLines`. */
export const FALLBACK_LOG_LINES = 80;
/** Upstream `MaxContainerTerminationMessageLogLength`. */
export const FALLBACK_LOG_BYTES = 2048;

/**
 * The last `maxBytes` bytes of `text`, not splitting a UTF-8 character.
 *
 * @example tailBytes("abcdef", 3) === "def"
 */
export function tailBytes(text: string, maxBytes: number): string {
  const buf = Buffer.from(text, "utf8");
  if (buf.length <= maxBytes) return text;
  let start = buf.length - maxBytes;
  // Skip continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (start < buf.length && (buf[start]! & 0xc0) === 0x80) start++;
  return buf.subarray(start).toString("utf8");
}

/**
 * The log tail that stands in for a missing termination message.
 *
 * @example const message = await logTailMessage(runtime, containerId);
 */
export async function logTailMessage(runtime: ContainerRuntime, containerId: string): Promise<string> {
  const stream = await runtime.logs(containerId, { tailLines: FALLBACK_LOG_LINES });
  let text = "";
  try {
    for await (const chunk of stream.output) text += (chunk as Buffer).toString("utf8");
  } finally {
    stream.close();
  }
  return tailBytes(text, FALLBACK_LOG_BYTES);
}
