/**
 * The kubelet's `exec` and `attach` endpoints, served on streams the server opens through the tunnel
 * (`/exec/<namespace>/<pod>/<container>?command=…&stdin=true&stdout=true&stderr=true&tty=true`,
 * `/attach/…` without `command`). After the stream header the stream carries exec frames
 * (src/shared/tunnel/exec-frames.ts): stdin, resize and "stdin closed" from the server; stdout,
 * stderr and one final Status (channel 3) from here, after which the stream ends.
 */
import type { Duplex, Readable } from "node:stream";
import type { Logger } from "../../../shared/log.js";
import { ExecChannel, ExecFrameDecoder, encodeExecFrame, MAX_EXEC_FRAME_PAYLOAD, type ExecFrame } from "../../../shared/tunnel/exec-frames.js";
import { writeStreamHeader } from "../../../shared/tunnel/kubelet-stream.js";
import type { ContainerRuntime, StreamSession } from "../runtime/types.js";
import { pickInstance } from "./container-logs.js";

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

/** The `metav1.Status` sent on channel 3 when a session ends (as upstream's remotecommand server writes it). */
export interface ExecStatus {
  metadata: Record<string, never>;
  status: "Success" | "Failure";
  message?: string;
  reason?: string;
  details?: { causes: { reason: string; message: string }[] };
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

/** A Status for a session that failed for another reason (shown by kubectl as `error: …`). */
export function failureStatus(message: string): ExecStatus {
  return { metadata: {}, status: "Failure", message, reason: "InternalError" };
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

/** Feeds the server's frames into the session: stdin with backpressure, stdin EOF, terminal resizes. */
function applyInput(stream: Duplex, session: StreamSession, req: ExecRequest, log: Logger): void {
  const decoder = new ExecFrameDecoder();
  const handle = (frame: ExecFrame): void => {
    switch (frame.channel) {
      case ExecChannel.stdin:
        if (session.stdin && !session.stdin.writableEnded && !session.stdin.write(frame.payload)) {
          stream.pause();
          session.stdin.once("drain", () => stream.resume());
        }
        return;
      case ExecChannel.close:
        if (frame.payload[0] === ExecChannel.stdin && session.stdin && !session.stdin.writableEnded) session.stdin.end();
        return;
      case ExecChannel.resize: {
        if (!req.tty) return;
        let size: { Width?: unknown; Height?: unknown };
        try {
          size = JSON.parse(frame.payload.toString("utf8")) as typeof size;
        } catch {
          log.debug({ pod: `${req.namespace}/${req.pod}` }, "ignoring a malformed resize message");
          return;
        }
        if (typeof size.Width === "number" && typeof size.Height === "number" && size.Width > 0 && size.Height > 0) {
          session.resize({ width: size.Width, height: size.Height }).catch((err: unknown) => log.debug({ err: (err as Error).message }, "resizing the terminal failed"));
        }
        return;
      }
      default:
        // Unknown channels from a newer client are ignored, as upstream's stream handler does.
        return;
    }
  };
  stream.on("data", (chunk: Buffer) => {
    let frames: ExecFrame[];
    try {
      frames = decoder.push(chunk);
    } catch (err) {
      log.warn({ err: (err as Error).message }, "malformed exec frames from the server; closing the session");
      session.close();
      stream.destroy();
      return;
    }
    for (const f of frames) handle(f);
  });
  // The server half-closed: no more input (the client's stdin went away with it).
  stream.on("end", () => {
    if (session.stdin && !session.stdin.writableEnded) session.stdin.end();
  });
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
  const pods = await runtime.listPodContainers();
  const pod = pods.find((p) => p.namespace === req.namespace && p.name === req.pod);
  const target = pickInstance((pod?.containers ?? []).filter((c) => c.containerName === req.container), false);
  if (!target || target.state !== "running") {
    const message = target ? `container "${req.container}" in pod "${req.pod}" is not running` : `container "${req.container}" in pod "${req.pod}" not found`;
    writeStreamHeader(stream, { code: 400, reason: "BadRequest", message });
    stream.end();
    return;
  }
  const options = { stdin: req.stdin, stdout: req.stdout, stderr: req.stderr && !req.tty };
  const session = req.kind === "exec" ? await runtime.exec(target.id, { ...options, command: req.command, tty: req.tty }) : await runtime.attach(target.id, options);
  if (stream.destroyed) {
    session.close();
    return;
  }
  writeStreamHeader(stream, { ok: true });
  let done = false;
  const abandon = (): void => {
    if (!done) session.close();
  };
  stream.on("close", abandon);
  stream.on("error", abandon);
  applyInput(stream, session, req, log);
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
