/**
 * The small protocol of a server-opened kubelet stream: the agent answers with one JSON header line
 * (`{"ok":true}` or `{"code":400,"reason":"BadRequest","message":"…"}`), then raw bytes (the log,
 * an exec session's frames …). The server turns an error header into a Status for the client.
 */
import type { Duplex } from "node:stream";

export interface KubeletStreamHeader {
  ok?: boolean;
  code?: number;
  reason?: string;
  message?: string;
}

/** Longest header line accepted (a Status message is short). */
const MAX_HEADER_BYTES = 16 * 1024;

export function writeStreamHeader(stream: Duplex, header: KubeletStreamHeader): void {
  stream.write(JSON.stringify(header) + "\n");
}

/**
 * Reads the header line; resolves with it and leaves the rest of the stream (the payload) unread.
 *
 * @example const header = await readStreamHeader(stream); if (!header.ok) throw statusFrom(header);
 */
export function readStreamHeader(stream: Duplex): Promise<KubeletStreamHeader> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const cleanup = (): void => {
      stream.off("readable", onReadable);
      stream.off("end", onEnd);
      stream.off("error", onError);
      stream.off("close", onEnd);
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onEnd = (): void => {
      cleanup();
      reject(new Error("the node closed the stream before answering"));
    };
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while ((chunk = stream.read() as Buffer | null) !== null) {
        buffered = Buffer.concat([buffered, chunk]);
        const nl = buffered.indexOf(0x0a);
        if (nl >= 0) {
          cleanup();
          const rest = buffered.subarray(nl + 1);
          if (rest.length) stream.unshift(rest);
          try {
            resolve(JSON.parse(buffered.subarray(0, nl).toString("utf8")) as KubeletStreamHeader);
          } catch {
            reject(new Error("the node sent a malformed stream header"));
          }
          return;
        }
        if (buffered.length > MAX_HEADER_BYTES) {
          cleanup();
          reject(new Error("the node sent an oversized stream header"));
          return;
        }
      }
    };
    stream.on("readable", onReadable);
    stream.once("end", onEnd);
    stream.once("close", onEnd);
    stream.once("error", onError);
  });
}
