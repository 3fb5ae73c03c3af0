/** A mistake in how the program was called: printed as one line without a stack trace, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
