/**
 * What the integration tests that run pods on the real Docker engine share: the engine and test image
 * they need (tests skip with the reason when they are missing), and the cleanup of a test node.
 */
import { spawnSync } from "node:child_process";
import { DOCKER, type TestServer } from "./harness.js";

export { DOCKER };
/** Busybox imported by test/setup-host.sh (packaging/setup-docker.sh); no registry is needed. */
export const TEST_IMAGE = "kube-lite-test/busybox:latest";

/** Why Docker-backed tests cannot run on this machine, or false when they can. */
export const dockerSkip: string | false =
  spawnSync(DOCKER, ["image", "inspect", TEST_IMAGE], { stdio: "ignore" }).status === 0 ? false : `no Docker engine with ${TEST_IMAGE} (run test/setup-host.sh as root)`;

function listIds(args: string[]): string[] {
  return spawnSync(DOCKER, args, { encoding: "utf8" }).stdout.trim().split("\n").filter(Boolean);
}

/**
 * Removes what a test node left on the engine: its containers (pods' and sandboxes'), its volumes and
 * its pod network `kube-lite-<node>`.
 * @example after(() => removeNodeFromDocker(NODE));
 */
export function removeNodeFromDocker(node: string): void {
  const filter = `label=io.kube-lite.node=${node}`;
  const ids = listIds(["ps", "-aq", "--filter", filter]);
  if (ids.length) spawnSync(DOCKER, ["rm", "-f", ...ids], { stdio: "ignore" });
  const volumes = listIds(["volume", "ls", "-q", "--filter", filter]);
  if (volumes.length) spawnSync(DOCKER, ["volume", "rm", "-f", ...volumes], { stdio: "ignore" });
  spawnSync(DOCKER, ["network", "rm", `kube-lite-${node}`], { stdio: "ignore" });
}

/**
 * Creates pod `name` in namespace default: one busybox container `main` that prints a line every
 * second (a target for exec, attach, cp and logs), and waits until it runs.
 * @example await runTickerPod(server, "execpod");
 */
export async function runTickerPod(server: TestServer, name: string, timeoutMs = 90_000): Promise<void> {
  const manifest = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: { containers: [{ name: "main", image: TEST_IMAGE, imagePullPolicy: "Never", command: ["sh", "-c", "while true; do echo tick; sleep 1; done"] }], terminationGracePeriodSeconds: 1 },
  };
  const created = server.kubectl(["apply", "-f", "-"], { input: JSON.stringify(manifest) });
  if (created.status !== 0) throw new Error(`creating pod ${name}: ${created.stderr}`);
  const deadline = Date.now() + timeoutMs;
  while (server.kubectl(["get", "pod", name, "-o", "jsonpath={.status.phase}"]).stdout !== "Running") {
    if (Date.now() > deadline) throw new Error(`pod ${name} did not run within ${timeoutMs / 1000} s\n--- server:\n${server.logs().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
