// Types for build/unused-feature-stub-plugin.mjs (imported by build.mjs and by tests).
import type { Plugin } from "esbuild";
export function unusedFeatureStubPlugin(): Plugin;
