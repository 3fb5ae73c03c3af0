// Types for build/gen-schemas.mjs (imported by build.mjs and by tests).
export interface GenerateSchemasOptions {
  /** Regenerate even when gen/ is newer than kubernetes-types and the generator. */
  force?: boolean;
  /** Do not print the one-line summary. */
  quiet?: boolean;
}
export function generateSchemas(options?: GenerateSchemasOptions): Promise<{ skipped: boolean; count?: number }>;
