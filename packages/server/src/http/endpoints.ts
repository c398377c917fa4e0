import type { IncomingHttpHeaders } from 'node:http';
import type { Identity } from '@cairn/protocol';
import type { Caller } from '../auth/authenticator.js';

/** What a handler knows about the call besides its JSON body. */
export interface CallContext {
  /** The authenticated caller; `null` only for endpoints declared `auth: 'none'`. */
  identity: Identity | null;
  /** How the caller signed in (the key or the session behind the token). */
  caller?: Caller;
  /** `X-ClearML-Worker` (or `X-Trains-Worker`) header: default worker of events. */
  worker: string;
  headers: IncomingHttpHeaders;
  /** Body as received; `json-lines` endpoints parse it themselves. */
  rawBody: Buffer;
  /** Base URL the caller used to reach the API (for links handed back). */
  query: Record<string, unknown>;
  /** Aborts when the caller disconnects before the answer is sent (long polls stop waiting). */
  signal?: AbortSignal;
  /** The caller's address. */
  ip?: string;
}

export type Handler = (body: Record<string, unknown>, ctx: CallContext) => Promise<Record<string, unknown>> | Record<string, unknown>;

export interface EndpointDef {
  /** `service.action` */
  name: string;
  handler: Handler;
  /** `none`: callable without a token (auth.login authenticates itself). Default `token`. */
  auth?: 'none' | 'token';
  /** `json-lines`: the body is not parsed as one JSON object. Default `json`. */
  body?: 'json' | 'json-lines';
}

/** The table of endpoints; services add to it, the router reads from it and knows nothing else. */
export class EndpointRegistry {
  private readonly defs = new Map<string, EndpointDef>();

  add(def: EndpointDef): void {
    if (this.defs.has(def.name)) throw new Error(`endpoint ${def.name} registered twice`);
    this.defs.set(def.name, def);
  }

  get(name: string): EndpointDef | undefined {
    return this.defs.get(name);
  }

  names(): string[] {
    return [...this.defs.keys()].sort();
  }
}
