/**
 * Talking to the primary: request/response with timeouts in both
 * directions, broadcast to every worker, and state the primary holds that
 * workers read, write and subscribe to. Built on the public cluster API
 * only ('message', 'disconnect', 'exit', send), so node:cluster works too.
 *
 * Mirrors: nothing — the pattern the course (docs/sources.md) builds by hand (its IPCManager and StateManager)
 * Read next: src/messaging/protocol.ts (the messages), then pending.ts, endpoint.ts, hub.ts, link.ts, state.ts
 *
 *   // primary                                           // worker
 *   const hub = createHub(cluster);                       const link = joinHub(cluster);
 *   hub.handle('price', ({ sku }) => prices[sku]);        await link.ready; // the state is here
 *   await hub.request(worker, 'flush', null,              server.listen(8080);
 *     { timeoutMs: 1000 });                               await link.request('primary', 'price', { sku: 'a1' });
 *   await hub.broadcast('config', { level: 'debug' });    link.onBroadcast('config', (c) => apply(c));
 *   hub.state.set('mode', 'live');                        await link.state.increment('hits');
 *   await hub.joined(cluster.fork());                     link.state.get('mode'); // 'live', no round trip
 *
 * A user's own 'message' listener sees our messages too (they are user
 * messages, see protocol.ts): `if (isMiniClusterMessage(m)) return;` first.
 */
import { Hub, type HubCluster, type HubOptions } from './hub.ts';
import { Link, type LinkCluster, type LinkOptions } from './link.ts';

/** In the primary: start answering workers, and hold the shared state. One hub per cluster. */
export function createHub(cluster: HubCluster, options?: HubOptions): Hub {
  return new Hub(cluster, options);
}

/** In a worker: join the primary's hub (await `.ready` before serving). One link per worker. */
export function joinHub(cluster: LinkCluster, options?: LinkOptions): Link {
  return new Link(cluster, options);
}

export { Hub, Link };
export { RequestError, type RequestErrorCode, type RequestInfo } from './errors.ts';
export { isMiniClusterMessage } from './protocol.ts';
export type { HubCluster, HubOptions, HubStats, HubWorker, BroadcastResult } from './hub.ts';
export type { LinkCluster, LinkOptions, LinkStats, LinkWorker, BroadcastListener } from './link.ts';
export type { Handler, RequestContext, RequestOptions, Channel } from './endpoint.ts';
export type { StateStore, StateReplica, Change, ChangeListener } from './state.ts';
export type { Snapshot } from './protocol.ts';
