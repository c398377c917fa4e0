/** A copy refused or stopped for a reason the user can act on: its message says what and why. */
export class CopyError extends Error {}
