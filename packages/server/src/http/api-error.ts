import { Errors, type ErrorCode } from '@cairn/protocol';

/** The one error type services throw; the router turns it into the ClearML envelope. */
export class ApiError extends Error {
  constructor(
    readonly error: ErrorCode,
    message?: string,
    readonly data: Record<string, unknown> = {},
  ) {
    super(message ?? error.message);
  }
}

export const badRequest = (message: string, data?: Record<string, unknown>) =>
  new ApiError(Errors.validationError, message, data);

export const missingField = (field: string) =>
  new ApiError(Errors.missingRequiredFields, `missing required field: ${field}`, { field });
