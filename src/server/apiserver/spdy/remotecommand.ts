/**
 * Kubernetes remote command (exec, attach) over SPDY, the `v4/v3/v2.channel.k8s.io` stream
 * protocols of kubectl ≤ 1.29 and of newer kubectl's fallback: the client opens one stream per
 * channel (header `streamtype`: `error`, `stdin`, `stdout`, `stderr`, `resize`); once every expected
 * stream exists the session is relayed to the node's exec frames (src/shared/tunnel/exec-frames.ts)
 * and ends with the status on the `error` stream, every stream ended and the session closed.
 * Behaviour per version follows the kubelet's `cri/streaming/remotecommand/httpstream.go`.
 */
import type { Duplex } from "node:stream";
import type { Logger } from "../../../shared/log.js";
import { ExecChannel, ExecFrameDecoder, encodeExecFrame, failureStatus, MAX_EXEC_FRAME_PAYLOAD, type ExecFrame } from "../../../shared/tunnel/exec-frames.js";
import type { SpdySession } from "./session.js";
import type { SpdyStream } from "./stream.js";

export const REMOTE_COMMAND_V4 = "v4.channel.k8s.io";
export const REMOTE_COMMAND_V3 = "v3.channel.k8s.io";
export const REMOTE_COMMAND_V2 = "v2.channel.k8s.io";

/** Stream protocols served over SPDY, most preferred first (upstream also has v1, used by no supported client). */
export const SPDY_REMOTE_COMMAND_PROTOCOLS = [REMOTE_COMMAND_V4, REMOTE_COMMAND_V3, REMOTE_COMMAND_V2];

/** How long the client has to open its streams after the upgrade (upstream's DefaultStreamCreationTimeout). */
export const STREAM_CREATION_TIMEOUT_MS = 30_000;

/** Longest resize message kept while waiting for its newline; resize lines are ~30 bytes. */
const MAX_RESIZE_LINE_BYTES = 4096;

export interface RemoteCommandOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/**
 * The `streamtype`s a client opens for these options: `error` always, the requested standard
 * streams (no stderr with a tty), and `resize` for a tty from v3 on.
 *
 * @example expectedStreamTypes("v4.channel.k8s.io", { stdin: true, stdout: true, stderr: false, tty: true }) // Set {"error","stdin","stdout","resize"}
 */
export function expectedStreamTypes(protocol: string, opts: RemoteCommandOptions): Set<string> {
  const types = new Set(["error"]);
  if (opts.stdin) types.add("stdin");
  if (opts.stdout) types.add("stdout");
  if (opts.stderr && !opts.tty) types.add("stderr");
  if (opts.tty && protocol !== REMOTE_COMMAND_V2) types.add("resize");
  return types;
}

/**
 * What to write on the `error` stream for the node's final Status: v4 sends the Status as JSON,
 * Success included; v2 and v3 send only a failure's message, as plain text.
 *
 * @example statusForClient("v3.channel.k8s.io", Buffer.from('{"status":"Failure","message":"boom"}')) // <"boom">
 */
export function statusForClient(protocol: string, status: Buffer): Buffer | undefined {
  if (protocol === REMOTE_COMMAND_V4) return status;
  let parsed: { status?: string; message?: string };
  try {
    parsed = JSON.parse(status.toString("utf8")) as typeof parsed;
  } catch {
    return Buffer.from("the node sent a malformed exit status");
  }
  if (parsed.status === "Success") return undefined;
  return Buffer.from(parsed.message ?? "command failed");
}

/**
 * Relays one exec/attach session between a SPDY session and the node's exec frames, with
 * backpressure both ways: a client stream is paused while the node stream is full, the node stream
 * while a client stream is full. A client that has not opened every expected stream within
 * `streamCreationTimeoutMs` gets the failure on its error stream (if it opened one) and the session
 * is closed.
 *
 * @example relaySpdyExecSession(acceptSpdyUpgrade(req, socket, head, SPDY_REMOTE_COMMAND_PROTOCOLS), nodeStream, { stdin: false, stdout: true, stderr: true, tty: false }, log)
 */
export function relaySpdyExecSession(session: SpdySession, node: Duplex, opts: RemoteCommandOptions, log: Logger, streamCreationTimeoutMs = STREAM_CREATION_TIMEOUT_MS): void {
  const protocol = session.protocol;
  const expected = expectedStreamTypes(protocol, opts);
  const streams = new Map<string, SpdyStream>();
  let started = false;
  let finished = false;
  let statusSent = false;

  const finish = (failure?: string): void => {
    if (finished) return;
    finished = true;
    clearTimeout(creationTimer);
    const error = streams.get("error");
    if (!statusSent && failure && error && !error.destroyed) {
      statusSent = true;
      const text = statusForClient(protocol, Buffer.from(JSON.stringify(failureStatus(failure))));
      if (text) error.write(text);
    }
    for (const type of ["stdout", "stderr", "error"]) {
      const s = streams.get(type);
      if (s && !s.destroyed && !s.writableEnded) s.end();
    }
    session.close();
    if (!node.destroyed) node.destroy();
  };

  const creationTimer = setTimeout(() => {
    log.info({ received: [...streams.keys()], expected: [...expected] }, "client did not open its exec streams in time");
    finish(`timed out waiting for client to create streams (got ${[...streams.keys()].join(", ") || "none"} of ${[...expected].join(", ")})`);
  }, streamCreationTimeoutMs);
  creationTimer.unref();

  session.on("stream", (stream) => {
    const type = stream.headers.streamtype ?? "";
    if (started || finished || !expected.has(type) || streams.has(type)) {
      log.debug({ type }, "unexpected exec stream; resetting it");
      stream.reset();
      return;
    }
    stream.on("error", (err: Error) => log.debug({ err: err.message, type }, "exec client stream failed"));
    streams.set(type, stream);
    if (streams.size === expected.size) start();
  });

  // The node may fail before the client's streams exist.
  node.once("close", () => finish("the connection to the node was lost"));

  session.once("close", () => {
    // The client went away (or the session is over): tear the node side down.
    clearTimeout(creationTimer);
    finished = true;
    if (!node.destroyed) node.destroy();
  });

  /** Sends a frame to the node; pauses `source` until the node stream drains. */
  const toNode = (frame: Buffer, source?: Duplex): void => {
    if (node.destroyed || node.writableEnded) return;
    if (!node.write(frame) && source) {
      source.pause();
      node.once("drain", () => source.resume());
    }
  };

  /** Sends node output to a client stream; pauses the node stream until that stream drains. */
  const toClient = (stream: SpdyStream | undefined, payload: Buffer): void => {
    if (!stream || stream.destroyed || stream.writableEnded) return;
    if (!stream.write(payload)) {
      node.pause();
      stream.once("drain", () => node.resume());
    }
  };

  const start = (): void => {
    started = true;
    clearTimeout(creationTimer);
    const stdin = streams.get("stdin");
    const resize = streams.get("resize");
    // Streams the client only reads carry nothing our way; drain them so a FIN is seen.
    for (const type of ["stdout", "stderr", "error"]) streams.get(type)?.resume();

    if (stdin) {
      stdin.on("data", (chunk: Buffer) => {
        for (let at = 0; at < chunk.length; at += MAX_EXEC_FRAME_PAYLOAD) toNode(encodeExecFrame(ExecChannel.stdin, chunk.subarray(at, at + MAX_EXEC_FRAME_PAYLOAD)), stdin);
      });
      // The client's FIN on stdin is the end of the command's input.
      stdin.once("end", () => toNode(encodeExecFrame(ExecChannel.close, Buffer.from([ExecChannel.stdin]))));
    }

    if (resize) {
      // JSON terminal sizes, one per line (Go's json.Encoder), passed on one per frame.
      let pending = "";
      resize.on("data", (chunk: Buffer) => {
        pending += chunk.toString("utf8");
        let nl: number;
        while ((nl = pending.indexOf("\n")) >= 0) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          if (line) toNode(encodeExecFrame(ExecChannel.resize, Buffer.from(line)), resize);
        }
        if (pending.length > MAX_RESIZE_LINE_BYTES) pending = "";
      });
    }

    const stdout = streams.get("stdout");
    const stderr = streams.get("stderr");
    const error = streams.get("error");
    const decoder = new ExecFrameDecoder();
    node.on("data", (chunk: Buffer) => {
      let frames: ExecFrame[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        log.warn({ err: (err as Error).message }, "malformed exec frames from the node");
        finish("the node sent malformed exec frames");
        return;
      }
      for (const f of frames) {
        if (f.channel === ExecChannel.stdout) toClient(stdout, f.payload);
        else if (f.channel === ExecChannel.stderr) toClient(stderr, f.payload);
        else if (f.channel === ExecChannel.status && !statusSent) {
          statusSent = true;
          const text = statusForClient(protocol, f.payload);
          if (text && error && !error.destroyed) error.write(text);
        }
      }
    });
    node.once("end", () => finish("the node ended the session without an exit status"));
    node.resume();
  };
}
