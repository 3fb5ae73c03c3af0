/**
 * Loads dockerode on first use: a server without an agent, or a CLI command, should not pay for its
 * module tree at start-up. (Its ssh2, grpc and BuildKit protobufjs parts are left out of the bundle
 * altogether, see build/unused-feature-stub-plugin.mjs: only the local engine socket is used.)
 */
import type Docker from "dockerode";

export interface DockerConnection {
  /** Unix socket of the engine; default DOCKER_HOST or /var/run/docker.sock (dockerode's rules). */
  socketPath?: string;
}

/**
 * A dockerode client, loading the library lazily.
 *
 * @example const docker = await connectDocker({}); await docker.ping();
 */
export async function connectDocker(conn: DockerConnection = {}): Promise<Docker> {
  const mod = (await import("dockerode")) as unknown as { default?: typeof Docker } & typeof Docker;
  const DockerClass = (mod.default ?? mod) as typeof Docker;
  return conn.socketPath ? new DockerClass({ socketPath: conn.socketPath }) : new DockerClass();
}

/** dockerode's error status (the engine's HTTP code), if any. */
export function statusCode(err: unknown): number | undefined {
  return err && typeof err === "object" ? (err as { statusCode?: number }).statusCode : undefined;
}
