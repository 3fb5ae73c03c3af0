/**
 * What the integration tests that run pods on the real Docker engine share: the engine and test image
 * they need (tests skip with the reason when they are missing), and the cleanup of a test node.
 */
import { spawnSync } from "node:child_process";

export const DOCKER = "/usr/bin/docker";
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
