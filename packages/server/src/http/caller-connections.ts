import type { Socket } from 'node:net';

/**
 * Which caller (its `Authorization` header: one SDK process holds one token) each
 * keep-alive connection of a port last served, and whether a request is in progress on
 * it, so that one caller's idle connections can be closed and no one else's: a client
 * about to fork (services/tasks/code-recording.ts).
 */
export class CallerConnections {
  private readonly sockets = new Map<Socket, { caller: string; busy: number }>();

  /** A request from `caller` started on `socket`; the function returned marks it answered. */
  begin(socket: Socket, caller: string): () => void {
    let entry = this.sockets.get(socket);
    if (!entry) {
      entry = { caller, busy: 0 };
      this.sockets.set(socket, entry);
      socket.once('close', () => this.sockets.delete(socket));
    }
    const current = entry;
    current.caller = caller;
    current.busy++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      current.busy--;
    };
  }

  /** Ends (FIN, not reset) each idle connection whose last request came from `caller`, other than `keep`. */
  closeIdle(caller: string, keep: Socket): number {
    if (!caller) return 0;
    let closed = 0;
    for (const [socket, entry] of this.sockets) {
      if (socket === keep || entry.busy > 0 || entry.caller !== caller) continue;
      socket.end();
      closed++;
    }
    return closed;
  }
}
