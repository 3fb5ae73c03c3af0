// Image pull decisions without a Docker engine: error classification from the engine's real
// messages, pull policies, and the air-gap fallback (our deliberate difference from upstream).
import { test } from "node:test";
import assert from "node:assert/strict";
import { classifyPullError, engineMessage } from "../../src/agent/kubelet/images/pull-errors.js";
import { ensureImage, ImagePullError, type ImageBackend } from "../../src/agent/kubelet/images/ensure.js";
import { imageIDFor, parseImageReference, pullReference } from "../../src/agent/kubelet/images/reference.js";
import { readProgress } from "../../src/agent/kubelet/images/json-progress.js";
import { isImageTarball } from "../../src/agent/kubelet/images/docker-images.js";
import { Readable } from "node:stream";

/** An error shaped as dockerode raises it for an engine answer. */
function engineError(status: number, message: string): Error {
  return Object.assign(new Error(`(HTTP code ${status}) server error - ${message} `), { statusCode: status, json: null });
}

const UNREACHABLE = [
  'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host',
  'Get "https://registry.local:5000/v2/": dial tcp 10.0.0.5:5000: connect: connection refused',
  'Get "https://registry-1.docker.io/v2/": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)',
  'Get "https://ghcr.io/v2/": dial tcp 140.82.112.34:443: connect: network is unreachable',
  'Get "https://quay.io/v2/": dial tcp 1.2.3.4:443: i/o timeout',
  'Get "https://r.example/v2/": net/http: TLS handshake timeout',
  "lookup registry-1.docker.io: Temporary failure in name resolution",
];
const AUTH = [
  "pull access denied for private/app, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
  'Head "https://ghcr.io/v2/org/app/manifests/1": unauthorized',
  "unauthorized: authentication required",
];
const NOT_FOUND = [
  "manifest for busybox:nope not found: manifest unknown: manifest unknown",
  "manifest unknown: manifest unknown",
];

test("pull errors are classified from the engine's messages", () => {
  for (const m of UNREACHABLE) assert.equal(classifyPullError(engineError(500, m)), "unreachable", m);
  for (const m of AUTH) assert.equal(classifyPullError(engineError(404, m)), "auth", m);
  for (const m of NOT_FOUND) assert.equal(classifyPullError(engineError(404, m)), "not-found", m);
  assert.equal(classifyPullError(new Error("connect ENOENT /var/run/docker.sock")), "other", "the engine being down is not a registry problem");
  assert.equal(classifyPullError(engineError(500, "no space left on device")), "other");
  assert.equal(engineMessage(engineError(500, "x y")), "x y");
  assert.equal(engineMessage(Object.assign(new Error("ignored"), { json: { message: "from json" } })), "from json");
});

/** A fake engine: which images are present, and what a pull does. */
function backend(present: Record<string, string>, pull: (image: string) => Promise<void>): ImageBackend & { pulls: string[] } {
  const pulls: string[] = [];
  return {
    pulls,
    async imageId(image) {
      return present[image];
    },
    async pull(image) {
      pulls.push(image);
      await pull(image);
    },
  };
}
const offline = () => Promise.reject(engineError(500, UNREACHABLE[0]!));

test("Never and IfNotPresent use a present image without pulling", async () => {
  const b = backend({ "app:1": "sha256:aa" }, offline);
  assert.deepEqual(await ensureImage(b, "app:1", "Never"), { imageRef: "sha256:aa", pulled: false });
  assert.deepEqual(await ensureImage(b, "app:1", "IfNotPresent"), { imageRef: "sha256:aa", pulled: false });
  assert.deepEqual(b.pulls, []);
  await assert.rejects(ensureImage(b, "app:2", "Never"), (e: unknown) =>
    e instanceof ImagePullError && e.reason === "ErrImageNeverPull" && e.message === 'Container image "app:2" is not present with pull policy of Never');
});

test("a successful pull returns the pulled image's ID", async () => {
  const present: Record<string, string> = {};
  const b = backend(present, async (image) => {
    present[image] = "sha256:new";
  });
  assert.deepEqual(await ensureImage(b, "app:1", "IfNotPresent"), { imageRef: "sha256:new", pulled: true });
  present["app:1"] = "sha256:old";
  assert.deepEqual(await ensureImage(b, "app:1", "Always"), { imageRef: "sha256:new", pulled: true });
});

test("no registry reachable: a present image is used with a warning, even for Always", async () => {
  const b = backend({ "app:latest": "sha256:local" }, offline);
  const r = await ensureImage(b, "app:latest", "Always");
  assert.equal(r.imageRef, "sha256:local");
  assert.equal(r.pulled, false);
  assert.match(r.warning ?? "", /^Failed to pull image "app:latest": no registry reachable \(.*no such host\); using the image present on the node \(sha256:local\) instead$/);
  assert.deepEqual(b.pulls, ["app:latest"], "the pull is still tried first");
});

test("no registry reachable and no local image: ErrImagePull with a clear message", async () => {
  const b = backend({}, offline);
  await assert.rejects(ensureImage(b, "app:1", "IfNotPresent"), (e: unknown) => {
    assert.ok(e instanceof ImagePullError);
    assert.equal(e.reason, "ErrImagePull");
    assert.equal(e.failure, "unreachable");
    assert.match(e.message, /^Failed to pull image "app:1": no registry reachable and the image is not present on the node; import it with "kube-lite image import FILE"/);
    return true;
  });
});

test("a registry that answers (auth, not found) is never overridden by a local image", async () => {
  for (const [msg, failure] of [[AUTH[0]!, "auth"], [NOT_FOUND[0]!, "not-found"], ["no space left on device", "other"]] as const) {
    const b = backend({ "app:1": "sha256:local" }, () => Promise.reject(engineError(404, msg)));
    await assert.rejects(ensureImage(b, "app:1", "Always"), (e: unknown) =>
      e instanceof ImagePullError && e.reason === "ErrImagePull" && e.failure === failure && e.message === `Failed to pull image "app:1": ${msg}`);
  }
});

test("an invalid image name is reported as InvalidImageName without touching the engine", async () => {
  const b = backend({}, offline);
  await assert.rejects(ensureImage(b, "bad name", "Always"), (e: unknown) => e instanceof ImagePullError && e.reason === "InvalidImageName");
  assert.deepEqual(b.pulls, []);
});

test("image references, pull references and image IDs", () => {
  assert.deepEqual(parseImageReference("busybox"), { repository: "busybox", tag: "latest" });
  assert.deepEqual(parseImageReference("registry:5000/team/app"), { repository: "registry:5000/team/app", tag: "latest" });
  assert.deepEqual(parseImageReference("registry:5000/app:1.2"), { repository: "registry:5000/app", tag: "1.2" });
  assert.deepEqual(parseImageReference("app@sha256:abc"), { repository: "app", digest: "sha256:abc" });
  assert.equal(pullReference("nginx"), "nginx:latest");
  assert.equal(pullReference("app:1@sha256:abc"), "app:1@sha256:abc");
  assert.equal(imageIDFor("sha256:11", ["busybox@sha256:22"]), "docker-pullable://busybox@sha256:22");
  assert.equal(imageIDFor("sha256:11", []), "docker://sha256:11");
  assert.equal(imageIDFor("sha256:11", undefined), "docker://sha256:11");
  assert.ok(isImageTarball("/x/app.tar") && isImageTarball("/x/app.tar.gz") && isImageTarball("/x/a.tar.xz"));
  assert.ok(!isImageTarball("/x/app.tar.zst") && !isImageTarball("/x/readme.txt"));
});

test("progress streams: lines split across chunks, and in-band errors reject", async () => {
  const ok = await readProgress(Readable.from([Buffer.from('{"status":"a"}\n{"str'), Buffer.from('eam":"Loaded image: x:1\\n"}\n')]));
  assert.deepEqual(ok, [{ status: "a" }, { stream: "Loaded image: x:1\n" }]);
  await assert.rejects(
    readProgress(Readable.from([Buffer.from('{"status":"Pulling"}\n{"errorDetail":{"message":"dial tcp: i/o timeout"},"error":"dial tcp: i/o timeout"}\n')])),
    (e: unknown) => classifyPullError(e) === "unreachable",
  );
});
