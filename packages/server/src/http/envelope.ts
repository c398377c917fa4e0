import { API_VERSION, newId, type Envelope } from '@cairn/protocol';

export interface CallInfo {
  endpoint: string;
  requestedVersion: string;
}

export function envelope(
  call: CallInfo,
  code: number,
  subcode: number,
  message: string,
  data: Record<string, unknown>,
  errorData: Record<string, unknown> = {},
): Envelope {
  const id = newId();
  return {
    meta: {
      id,
      trx: id,
      endpoint: { name: call.endpoint, requested_version: call.requestedVersion, actual_version: API_VERSION },
      result_code: code,
      result_subcode: subcode,
      result_msg: message,
      error_stack: null,
      error_data: errorData,
    },
    data,
  };
}
