/**
 * The kubelet's streaming endpoints on server-opened tunnel streams (already authorised by the
 * tunnel client: only this node's kubelet paths reach here).
 */
import type { Logger } from "../../../shared/log.js";
import { writeStreamHeader } from "../../../shared/tunnel/kubelet-stream.js";
import type { KubeletStreamHandler } from "../../tunnel/index.js";
import type { ContainerRuntime } from "../runtime/types.js";
import { serveContainerLogs } from "./container-logs.js";
import { serveExec } from "./exec.js";
import { servePortForward } from "./port-forward.js";

export function kubeletStreamHandler(runtime: ContainerRuntime, log: Logger): KubeletStreamHandler {
  return (stream, request) => {
    // A reset from the server (the client went away) must never surface as an unhandled error.
    stream.on("error", (err) => log.debug({ err: err.message, path: request.path }, "kubelet stream closed by the server"));
    const fail = (err: unknown): void => {
      log.warn({ err: (err as Error).message, path: request.path }, "kubelet stream failed");
      if (!stream.destroyed) {
        writeStreamHeader(stream, { code: 500, reason: "InternalError", message: (err as Error).message });
        stream.end();
      }
    };
    if (request.endpoint === "containerLogs") {
      serveContainerLogs(stream, request.path, runtime, log).catch(fail);
      return;
    }
    if (request.endpoint === "exec" || request.endpoint === "attach") {
      serveExec(stream, request.path, runtime, log).catch(fail);
      return;
    }
    if (request.endpoint === "portForward") {
      servePortForward(stream, request.path, runtime, log).catch(fail);
      return;
    }
    writeStreamHeader(stream, { code: 400, reason: "BadRequest", message: `this kube-lite agent does not serve ${request.endpoint} yet` });
    stream.end();
  };
}
