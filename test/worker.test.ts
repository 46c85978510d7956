/**
 * Specifies the Worker constructor (src/worker.ts) by comparing it with
 * node:cluster's own, in the same process: a plain function, with or
 * without `new`, with or without options and a process.
 */
import { EventEmitter } from 'node:events';
import nodeCluster from 'node:cluster';
import { describe, expect, it } from 'vitest';
import { Worker as MiniWorker } from '../src/worker.ts';

const NodeWorker = (nodeCluster as unknown as { Worker: typeof MiniWorker }).Worker;
const both = [['node:cluster', NodeWorker], ['mini-cluster', MiniWorker]] as const;
const shape = (w: object) => ({ ...w, isEmitter: w instanceof EventEmitter, own: Object.keys(w).filter((k) => !k.startsWith('_')).sort() });

describe('the Worker constructor', () => {
  it('makes a worker with no options and no process, as node:cluster does', () => {
    const [node, mini] = both.map(([, W]) => shape(new W()));
    expect(mini).toEqual(node);
    expect(mini).toMatchObject({ id: 0, state: 'none', exitedAfterDisconnect: undefined, isEmitter: true });
  });

  it('works without new, and Worker.call(obj) makes a new worker and leaves obj alone', () => {
    for (const [name, W] of both) {
      const plain = (W as unknown as (o?: object) => object)({ id: 4 });
      expect(plain, name).toBeInstanceOf(W);
      const obj = {};
      const made = (W as unknown as { call(t: object, o: object): object }).call(obj, { id: 5 });
      expect(made, name).toBeInstanceOf(W);
      expect((made as { id: number }).id, name).toBe(5);
      expect(obj, name).toEqual({});
    }
  });

  it('takes the id as an integer and the state it is given, as node:cluster does', () => {
    const [node, mini] = both.map(([, W]) => shape(new W({ id: 7.9 as number, state: 'online' })));
    expect(mini).toEqual(node);
  });

  it("re-emits its process's 'message' and 'error', as node:cluster does", () => {
    for (const [name, W] of both) {
      const proc = new EventEmitter();
      const worker = new W({ id: 1, process: proc as never });
      const seen: unknown[] = [];
      worker.on('message', (m, h) => seen.push(['message', m, h]));
      worker.on('error', (e) => seen.push(['error', e]));
      proc.emit('message', { hi: 1 }, 'handle');
      proc.emit('error', 'boom');
      expect(seen, name).toEqual([['message', { hi: 1 }, 'handle'], ['error', 'boom']]);
    }
  });

  it('is named Worker and inherits from EventEmitter, as node:cluster does', () => {
    expect(MiniWorker.name).toBe(NodeWorker.name);
    expect(Object.getPrototypeOf(MiniWorker)).toBe(EventEmitter);
    expect(typeof MiniWorker.prototype.isDead).toBe('function');
  });
});
