/**
 * The kubelet's `exec` and `attach` endpoints, served on streams the server opens through the tunnel
 * (`/exec/<namespace>/<pod>/<container>?command=…&stdin=true&stdout=true&stderr=true&tty=true`,
 * `/attach/…` without `command`). After the stream header the stream carries exec frames
 * (src/shared/tunnel/exec-frames.ts): stdin, resize and "stdin closed" from the server; stdout,
 * stderr and one final Status (channel 3) from here, after which the stream ends.
 */
import type { Duplex, Readable } from "node:stream";
import type { Logger } from "../../../shared/log.js";
import { ExecChannel, ExecFrameDecoder, encodeExecFrame, failureStatus, MAX_EXEC_FRAME_PAYLOAD, type ExecFrame, type ExecStatus } from "../../../shared/tunnel/exec-frames.js";
import { writeStreamHeader } from "../../../shared/tunnel/kubelet-stream.js";
import type { ContainerRuntime, StreamSession } from "../runtime/types.js";
import { findContainerInstance } from "./containers.js";

export interface ExecRequest {
  kind: "exec" | "attach";
  namespace: string;
  pod: string;
  container: string;
  /** Empty for attach. */
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/**
 * Parses an exec or attach kubelet path (PodExecOptions / PodAttachOptions as query parameters).
 *
 * @example parseExecPath("/exec/default/web/app?command=sh&command=-c&command=date&stdout=true")
 */
export function parseExecPath(path: string): ExecRequest {
  const [pathname, query = ""] = path.split("?", 2) as [string, string?];
  const [, endpoint, namespace, pod, container] = pathname.split("/");
  if ((endpoint !== "exec" && endpoint !== "attach") || !namespace || !pod || !container) throw new RangeError(`not an exec or attach path: ${pathname}`);
  const q = new URLSearchParams(query);
  const flag = (name: string): boolean => q.get(name) === "true" || q.get(name) === "1";
  const req: ExecRequest = {
    kind: endpoint,
    namespace,
    pod,
    container,
    command: endpoint === "exec" ? q.getAll("command") : [],
    stdin: flag("stdin"),
    stdout: flag("stdout"),
    stderr: flag("stderr"),
    tty: flag("tty"),
  };
  // Upstream's PodExecOptions validation, repeated here because the node must not trust its caller blindly.
  if (req.kind === "exec" && req.command.length === 0) throw new RangeError("you must specify at least 1 command");
  if (!req.stdin && !req.stdout && !req.stderr) throw new RangeError("you must specify at least one of stdin, stdout, stderr");
  return req;
}

/**
 * The Status for a finished session: Success for exit code 0, otherwise NonZeroExitCode with the
 * code as an `ExitCode` cause, which kubectl turns into its own exit status.
 *
 * @example exitStatus(3, ["sh", "-c", "exit 3"]).details?.causes[0]?.message // "3"
 */
export function exitStatus(code: number, command: string[]): ExecStatus {
  if (code === 0) return { metadata: {}, status: "Success" };
  const what = command.length ? `command '${command.join(" ")}'` : "container";
  return {
    metadata: {},
    status: "Failure",
    message: `command terminated with non-zero exit code: ${what} exited with ${code}`,
    reason: "NonZeroExitCode",
    details: { causes: [{ reason: "ExitCode", message: String(code) }] },
  };
}

/** Resolves when `r` has ended or closed (null: nothing to wait for). */
function finished(r: Readable | null): Promise<void> {
  if (!r) return Promise.resolve();
  return new Promise((resolve) => {
    if (r.readableEnded || r.destroyed) return resolve();
    r.once("end", resolve);
    r.once("close", resolve);
    r.once("error", resolve);
  });
}

/** Copies a session output into frames on `stream`, pausing while the tunnel stream is full. */
function pumpOutput(output: Readable | null, channel: number, stream: Duplex): void {
  if (!output) return;
  output.on("data", (chunk: Buffer) => {
    if (stream.destroyed || stream.writableEnded) return;
    for (let at = 0; at < chunk.length; at += MAX_EXEC_FRAME_PAYLOAD) {
      if (!stream.write(encodeExecFrame(channel, chunk.subarray(at, at + MAX_EXEC_FRAME_PAYLOAD)))) {
        output.pause();
        stream.once("drain", () => output.resume());
      }
    }
  });
}

/**
 * How long a tty session waits for the client's first terminal size before starting the process.
 * kubectl sends it right after connecting; starting without it makes `stty size` or a shell's first
 * prompt see a 0x0 terminal. Bounded, because a client may never send one.
 */
export const TTY_INITIAL_SIZE_WAIT_MS = 1000;

/** Input buffered before the session exists (stdin a client typed ahead); beyond it the stream is paused. */
const MAX_PENDING_INPUT_BYTES = 1024 * 1024;

/**
 * Decodes the server's frames from the moment the stream opens and feeds them into the session
 * once it exists: stdin with backpressure, stdin EOF (v5 close signal, or the server half-closing),
 * terminal resizes.
 */
class ExecInput {
  private session: StreamSession | undefined;
  private readonly pending: ExecFrame[] = [];
  private pendingBytes = 0;
  private stdinClosed = false;
  private sized: (() => void) | undefined;
  private hasSize = false;

  constructor(
    private readonly stream: Duplex,
    private readonly req: ExecRequest,
    private readonly log: Logger,
  ) {
    const decoder = new ExecFrameDecoder();
    stream.on("data", (chunk: Buffer) => {
      let frames: ExecFrame[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        log.warn({ err: (err as Error).message }, "malformed exec frames from the server; closing the session");
        this.session?.close();
        stream.destroy();
        return;
      }
      for (const f of frames) this.take(f);
    });
    stream.on("end", () => {
      this.stdinClosed = true;
      this.endStdin();
    });
  }

  /** Resolves at the client's first resize message, or after `timeoutMs`. */
  firstSize(timeoutMs: number): Promise<void> {
    if (this.hasSize) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.sized = done;
      this.stream.once("close", done);
    });
  }

  /** Starts feeding the session, beginning with what arrived before it existed. */
  attach(session: StreamSession): void {
    this.session = session;
    for (const f of this.pending.splice(0)) this.handle(f);
    this.pendingBytes = 0;
    if (this.stream.isPaused()) this.stream.resume();
    if (this.stdinClosed) this.endStdin();
  }

  private take(frame: ExecFrame): void {
    if (frame.channel === ExecChannel.resize && !this.hasSize) {
      this.hasSize = true;
      this.sized?.();
    }
    if (this.session) return this.handle(frame);
    this.pending.push(frame);
    this.pendingBytes += frame.payload.length;
    if (this.pendingBytes > MAX_PENDING_INPUT_BYTES) this.stream.pause();
  }

  private endStdin(): void {
    const stdin = this.session?.stdin;
    if (stdin && !stdin.writableEnded) stdin.end();
  }

  private handle(frame: ExecFrame): void {
    const session = this.session!;
    switch (frame.channel) {
      case ExecChannel.stdin:
        if (session.stdin && !session.stdin.writableEnded && !session.stdin.write(frame.payload)) {
          this.stream.pause();
          session.stdin.once("drain", () => this.stream.resume());
        }
        return;
      case ExecChannel.close:
        if (frame.payload[0] === ExecChannel.stdin) {
          this.stdinClosed = true;
          this.endStdin();
        }
        return;
      case ExecChannel.resize: {
        if (!this.req.tty) return;
        let size: { Width?: unknown; Height?: unknown };
        try {
          size = JSON.parse(frame.payload.toString("utf8")) as typeof size;
        } catch {
          this.log.debug({ pod: `${this.req.namespace}/${this.req.pod}` }, "ignoring a malformed resize message");
          return;
        }
        if (typeof size.Width === "number" && typeof size.Height === "number" && size.Width > 0 && size.Height > 0) {
          session.resize({ width: size.Width, height: size.Height }).catch((err: unknown) => this.log.debug({ err: (err as Error).message }, "resizing the terminal failed"));
        }
        return;
      }
      default:
        // Unknown channels from a newer client are ignored, as upstream's stream handler does.
        return;
    }
  }
}

/**
 * Serves one exec or attach stream: finds the running container, starts the session, answers with
 * the stream header, bridges the channels both ways, and ends with the exit Status.
 *
 * @example if (request.endpoint === "exec") serveExec(stream, request.path, runtime, log).catch(fail)
 */
export async function serveExec(stream: Duplex, path: string, runtime: ContainerRuntime, log: Logger): Promise<void> {
  let req: ExecRequest;
  try {
    req = parseExecPath(path);
  } catch (err) {
    writeStreamHeader(stream, { code: 400, reason: "BadRequest", message: (err as Error).message });
    stream.end();
    return;
  }
  const target = await findContainerInstance(runtime, req.namespace, req.pod, req.container);
  if (!target || target.state !== "running") {
    const message = target ? `container "${req.container}" in pod "${req.pod}" is not running` : `container "${req.container}" in pod "${req.pod}" not found`;
    writeStreamHeader(stream, { code: 400, reason: "BadRequest", message });
    stream.end();
    return;
  }
  // From here on the session is accepted (the client's WebSocket opens); failures to start the
  // process travel as a Status on channel 3, as upstream's streaming server reports them.
  writeStreamHeader(stream, { ok: true });
  const input = new ExecInput(stream, req, log);
  if (req.tty) await input.firstSize(TTY_INITIAL_SIZE_WAIT_MS);
  if (stream.destroyed) return;
  const options = { stdin: req.stdin, stdout: req.stdout, stderr: req.stderr && !req.tty };
  let session: StreamSession;
  try {
    session = req.kind === "exec" ? await runtime.exec(target.id, { ...options, command: req.command, tty: req.tty }) : await runtime.attach(target.id, options);
  } catch (err) {
    if (!stream.destroyed) {
      stream.write(encodeExecFrame(ExecChannel.status, Buffer.from(JSON.stringify(failureStatus(`error executing command in container: ${(err as Error).message}`)))));
      stream.end();
    }
    return;
  }
  if (stream.destroyed) {
    session.close();
    return;
  }
  let done = false;
  const abandon = (): void => {
    if (!done) session.close();
  };
  stream.on("close", abandon);
  stream.on("error", abandon);
  input.attach(session);
  pumpOutput(session.stdout, ExecChannel.stdout, stream);
  pumpOutput(session.stderr, ExecChannel.stderr, stream);
  await Promise.all([finished(session.stdout), finished(session.stderr)]);
  let status: ExecStatus;
  try {
    status = exitStatus(await session.exitCode, req.command);
  } catch (err) {
    status = failureStatus(`reading the exit code failed: ${(err as Error).message}`);
  }
  done = true;
  if (stream.destroyed || stream.writableEnded) return;
  stream.write(encodeExecFrame(ExecChannel.status, Buffer.from(JSON.stringify(status))));
  stream.end();
  log.debug({ pod: `${req.namespace}/${req.pod}`, container: req.container, kind: req.kind, status: status.reason ?? status.status }, "exec session ended");
}
