/**
 * Incremental decoder of a watch stream: one JSON `WatchEvent` per line
 * (`{"type":"ADDED","object":{…}}\n`). Chunks may split a line, or a UTF-8 character, anywhere; only
 * the unfinished line is held, never the whole response.
 */
import { StringDecoder } from "node:string_decoder";
import type { ClientWatchEvent } from "./types.js";

/**
 * The longest event line accepted. The API server's request limit is 3 MiB and storage objects are
 * smaller still; a line past this bound means a broken or hostile stream, not a big object.
 */
export const MAX_WATCH_EVENT_BYTES = 16 * 1024 * 1024;

const EVENT_TYPES = new Set(["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"]);

/** A malformed watch stream (bad JSON, unknown event type, oversized line). */
export class WatchDecodeError extends Error {
  override name = "WatchDecodeError";
}

/**
 * Parses one watch line.
 *
 * @example parseWatchLine('{"type":"ADDED","object":{"metadata":{"name":"a"}}}').type === "ADDED"
 */
export function parseWatchLine(line: string): ClientWatchEvent {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (err) {
    throw new WatchDecodeError(`malformed watch event: ${(err as Error).message}`);
  }
  const ev = v as { type?: unknown; object?: unknown };
  if (typeof ev !== "object" || ev === null || typeof ev.type !== "string" || !EVENT_TYPES.has(ev.type)) {
    throw new WatchDecodeError(`malformed watch event: unknown type ${JSON.stringify((ev as { type?: unknown } | null)?.type)}`);
  }
  if (typeof ev.object !== "object" || ev.object === null) throw new WatchDecodeError(`malformed watch event: ${ev.type} without an object`);
  return v as ClientWatchEvent;
}

/**
 * Feed it chunks as they arrive; it returns the events whose lines are complete.
 *
 * @example
 * const d = new WatchDecoder();
 * d.write(Buffer.from('{"type":"ADDED","obj')); // []
 * d.write(Buffer.from('ect":{"metadata":{}}}\n')); // [{ type: "ADDED", object: { metadata: {} } }]
 * d.end(); // [] (throws if a partial line is left)
 */
export class WatchDecoder {
  private readonly text = new StringDecoder("utf8");
  private pending = "";

  constructor(private readonly maxLineBytes = MAX_WATCH_EVENT_BYTES) {}

  write(chunk: Buffer): ClientWatchEvent[] {
    return this.take(this.text.write(chunk));
  }

  /** The stream ended: a final line without a newline still counts; a broken one throws. */
  end(): ClientWatchEvent[] {
    const events = this.take(this.text.end());
    const rest = this.pending.trim();
    this.pending = "";
    if (rest) events.push(parseWatchLine(rest));
    return events;
  }

  private take(s: string): ClientWatchEvent[] {
    const events: ClientWatchEvent[] = [];
    let start = 0;
    for (let nl = s.indexOf("\n"); nl >= 0; nl = s.indexOf("\n", start)) {
      const line = (this.pending + s.slice(start, nl)).trim();
      this.pending = "";
      start = nl + 1;
      if (line) events.push(parseWatchLine(line));
    }
    this.pending += s.slice(start);
    // UTF-16 length bounds the byte length from below, so this never rejects a line within the limit.
    if (this.pending.length > this.maxLineBytes) throw new WatchDecodeError(`watch event larger than ${this.maxLineBytes} bytes`);
    return events;
  }
}
