/** The `{meta, data}` envelope every API answer is wrapped in (success and error alike). */
export interface EndpointInfo {
  name: string;
  requested_version: string;
  actual_version: string;
}

export interface Meta {
  id: string;
  trx: string;
  endpoint: EndpointInfo;
  result_code: number;
  result_subcode: number;
  result_msg: string;
  error_stack: string | null;
  error_data: Record<string, unknown>;
}

export interface Envelope<T = Record<string, unknown>> {
  meta: Meta;
  data: T;
}

/** Highest API version Cairn claims; the SDK selects its 2.23 wire format from it. */
export const API_VERSION = '2.31';
export const SERVER_VERSION = '1.17.0';
