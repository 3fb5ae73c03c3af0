/**
 * Reads the Docker engine's JSON-lines progress streams (pull, load, import): one object per line,
 * an `error` field meaning the operation failed after the HTTP response had already begun.
 */
import type { Readable } from "node:stream";

export interface ProgressMessage {
  status?: string;
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  id?: string;
}

/**
 * Consumes `stream` to its end; rejects with the first in-band error.
 *
 * @example const lines = await readProgress(await docker.pull("busybox:latest"));
 */
export async function readProgress(stream: Readable, onMessage?: (m: ProgressMessage) => void): Promise<ProgressMessage[]> {
  const all: ProgressMessage[] = [];
  let rest = "";
  let error: string | undefined;
  const take = (line: string) => {
    if (!line.trim()) return;
    let m: ProgressMessage;
    try {
      m = JSON.parse(line) as ProgressMessage;
    } catch {
      return; // not JSON (an engine quirk): progress lines are advisory
    }
    if (m.error && error === undefined) error = m.errorDetail?.message || m.error;
    all.push(m);
    onMessage?.(m);
  };
  for await (const chunk of stream) {
    rest += (chunk as Buffer).toString("utf8");
    const lines = rest.split(/\r?\n/);
    rest = lines.pop() ?? "";
    lines.forEach(take);
  }
  take(rest);
  if (error !== undefined) throw Object.assign(new Error(error), { json: { message: error } });
  return all;
}
