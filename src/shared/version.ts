/** Version facts of this build. `KUBE_MINOR` is the upstream Kubernetes minor whose API we match. */
export const KUBE_LITE_VERSION = "0.1.0";
export const KUBE_MAJOR = "1";
export const KUBE_MINOR = "32";
export const KUBE_GIT_VERSION = `v${KUBE_MAJOR}.${KUBE_MINOR}.0+kube-lite.${KUBE_LITE_VERSION}`;

/** The body of `GET /version`, in upstream's `version.Info` shape. */
export function versionInfo(): Record<string, string> {
  return {
    major: KUBE_MAJOR,
    minor: KUBE_MINOR,
    gitVersion: KUBE_GIT_VERSION,
    gitCommit: "kube-lite",
    gitTreeState: "clean",
    buildDate: "2026-11-27T00:00:00Z",
    goVersion: `node${process.versions.node}`,
    compiler: "esbuild",
    platform: `linux/${process.arch === "x64" ? "amd64" : process.arch}`,
  };
}
