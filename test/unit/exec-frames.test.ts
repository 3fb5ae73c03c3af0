import { test } from "node:test";
import assert from "node:assert/strict";
import type { Pod } from "kubernetes-types/core/v1.js";
import { ExecChannel, ExecFrameDecoder, encodeExecFrame, MAX_EXEC_FRAME_PAYLOAD } from "../../src/shared/tunnel/exec-frames.js";
import { channelMessage, parseChannelMessage, pickChannelProtocol } from "../../src/server/apiserver/ws-channels.js";
import { execTarget } from "../../src/server/apiserver/pod-exec.js";
import { exitStatus, parseExecPath } from "../../src/agent/kubelet/streaming/exec.js";
import { ApiError } from "../../src/shared/api/status.js";

test("exec frames survive any chunking", () => {
  const frames = [
    encodeExecFrame(ExecChannel.stdout, Buffer.from("hello\n")),
    encodeExecFrame(ExecChannel.stderr, Buffer.alloc(0)),
    encodeExecFrame(ExecChannel.close, Buffer.from([0])),
    encodeExecFrame(ExecChannel.status, Buffer.from('{"metadata":{},"status":"Success"}')),
  ];
  const all = Buffer.concat(frames);
  for (const size of [1, 2, 5, 7, all.length]) {
    const d = new ExecFrameDecoder();
    const out = [];
    for (let i = 0; i < all.length; i += size) out.push(...d.push(all.subarray(i, i + size)));
    assert.deepEqual(
      out.map((f) => [f.channel, f.payload.toString()]),
      [
        [1, "hello\n"],
        [2, ""],
        [255, "\u0000"],
        [3, '{"metadata":{},"status":"Success"}'],
      ],
      `chunk size ${size}`,
    );
    assert.equal(d.pendingBytes, 0);
  }
});

test("an oversized frame length is refused instead of buffered", () => {
  const header = Buffer.alloc(5);
  header[0] = 1;
  header.writeUInt32BE(MAX_EXEC_FRAME_PAYLOAD + 1, 1);
  assert.throws(() => new ExecFrameDecoder().push(header), RangeError);
  assert.throws(() => encodeExecFrame(256, Buffer.alloc(0)), RangeError);
});

test("channel messages and subprotocol choice follow wsstream", () => {
  assert.equal(pickChannelProtocol(new Set(["v5.channel.k8s.io"])), "v5.channel.k8s.io");
  assert.equal(pickChannelProtocol(new Set(["v4.channel.k8s.io", "v5.channel.k8s.io", "channel.k8s.io"])), "v5.channel.k8s.io");
  assert.equal(pickChannelProtocol(new Set(["v4.channel.k8s.io", "v3.channel.k8s.io"])), "v4.channel.k8s.io");
  assert.equal(pickChannelProtocol(new Set(["base64.channel.k8s.io"])), false);
  assert.deepEqual([...channelMessage(1, Buffer.from("hi"))], [1, 104, 105]);
  assert.deepEqual(parseChannelMessage(Buffer.from([255, 0])), { channel: 255, payload: Buffer.from([0]) });
  assert.equal(parseChannelMessage(Buffer.alloc(0)), undefined);
});

test("the exit Status carries the code as kubectl reads it", () => {
  assert.deepEqual(exitStatus(0, ["true"]), { metadata: {}, status: "Success" });
  const s = exitStatus(3, ["sh", "-c", "exit 3"]);
  assert.equal(s.status, "Failure");
  assert.equal(s.reason, "NonZeroExitCode");
  assert.deepEqual(s.details, { causes: [{ reason: "ExitCode", message: "3" }] });
  assert.match(s.message ?? "", /exited with 3/);
});

test("kubelet exec paths parse and validate as PodExecOptions", () => {
  const r = parseExecPath("/exec/default/web/app?command=sh&command=-c&command=echo%20hi&stdin=true&stdout=true&tty=true");
  assert.deepEqual(r, { kind: "exec", namespace: "default", pod: "web", container: "app", command: ["sh", "-c", "echo hi"], stdin: true, stdout: true, stderr: false, tty: true });
  assert.equal(parseExecPath("/attach/ns/p/c?stdout=true").kind, "attach");
  assert.throws(() => parseExecPath("/exec/default/web/app?stdout=true"), /at least 1 command/);
  assert.throws(() => parseExecPath("/exec/default/web/app?command=ls"), /at least one of stdin, stdout, stderr/);
  assert.throws(() => parseExecPath("/containerLogs/default/web/app"), /not an exec/);
});

function pod(over: Partial<Pod["status"]> = {}, containers = ["app"]): Pod {
  return {
    metadata: { name: "web", namespace: "default" },
    spec: { nodeName: "n1", containers: containers.map((name) => ({ name, image: "busybox" })) },
    status: { phase: "Running", ...over },
  };
}

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ApiError);
    return err;
  }
  assert.fail("expected an ApiError");
}

test("execTarget checks the pod as upstream and builds the kubelet path", () => {
  const t = execTarget(pod(), "exec", new URLSearchParams("command=tar&command=cf&command=-&stdout=true&stderr=true&container=app"));
  assert.equal(t.node, "n1");
  assert.equal(t.kubeletPath, "/exec/default/web/app?command=tar&command=cf&command=-&stdout=true&stderr=true");
  assert.equal(execTarget(pod(), "attach", new URLSearchParams("stdin=true&tty=true")).kubeletPath, "/attach/default/web/app?stdin=true&tty=true");

  const done = apiError(() => execTarget(pod({ phase: "Succeeded" }), "exec", new URLSearchParams("command=ls&stdout=true")));
  assert.equal(done.code, 400);
  assert.equal(done.message, "cannot exec into a container in a completed pod; current phase is Succeeded");
  const unknown = apiError(() => execTarget(pod(), "exec", new URLSearchParams("command=ls&stdout=true&container=nope")));
  assert.equal(unknown.message, "container nope is not valid for pod web");
  const ambiguous = apiError(() => execTarget(pod({}, ["a", "b"]), "exec", new URLSearchParams("command=ls&stdout=true")));
  assert.match(ambiguous.message, /a container name must be specified for pod web, choose one of: \[a b\]/);
  assert.match(apiError(() => execTarget(pod(), "exec", new URLSearchParams("stdout=true"))).message, /at least 1 command/);
  const unscheduled = pod();
  delete unscheduled.spec!.nodeName;
  assert.match(apiError(() => execTarget(unscheduled, "exec", new URLSearchParams("command=ls&stdout=true"))).message, /does not have a host assigned/);
});
