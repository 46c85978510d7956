/**
 * Shared state: a key/value map the primary holds and changes one request
 * at a time, and the copy of it each worker keeps. Every write goes to the
 * primary, so writes from many workers are applied in one order and none
 * is lost; every change goes back out to every worker, so reads are local.
 *
 * Mirrors: nothing — the pattern the course (docs/sources.md) builds by hand (its StateManager)
 * Read next: src/messaging/hub.ts (who pushes the changes), src/messaging/link.ts (Link)
 *
 *   worker A: increment('hits') ──request──► primary: hits 41 → 42, version 7
 *                                            ├─{cmd:'mini-cluster:state', version 7, key 'hits', value 42}─► every worker
 *   worker A ◄──reply 42─────────────────────┘  (after the change, on the same channel: A reads its own write)
 *
 * Why increment() and not get-then-set? A worker that reads 41 and writes
 * 42 races every other worker doing the same: two of them write 42 and one
 * increment is gone (the course's setRemoteState does exactly this). The
 * read-modify-write has to happen where the state lives, in one step.
 */
import { CHANGE, describe, type ChangeMessage, type Snapshot } from './protocol.ts';

/** One change, as subscribers see it. */
export interface Change {
  key: string;
  /** The new value; undefined when the key was deleted. */
  value: unknown;
  deleted: boolean;
  /** The primary's change counter after this change: 1, 2, 3, ... */
  version: number;
}
export type ChangeListener = (change: Change) => void;

export const MAX_KEY_LENGTH = 200;

export function checkKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new TypeError(`a state key must be a string of 1 to ${MAX_KEY_LENGTH} characters, got ${describe(key)}`);
  }
  return key;
}

/**
 * The value as every side will see it: a JSON copy. The primary stores the
 * copy, not the caller's object, so a later mutation of that object cannot
 * change the state behind the workers' backs; and a value JSON cannot carry
 * (BigInt, a cycle, undefined) is refused here with its key in the message.
 */
export function toStored(key: string, value: unknown): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new TypeError(`the value for state key "${key}" cannot be stored: ${(error as Error).message}`);
  }
  if (text === undefined) {
    throw new TypeError(`the value for state key "${key}" must be JSON (null, a boolean, number, string, array or plain object), got ${describe(value)}; delete() removes a key`);
  }
  return JSON.parse(text);
}

const copy = (value: unknown): unknown => (typeof value === 'object' && value !== null ? JSON.parse(JSON.stringify(value)) : value);

/** Listeners by key, '*' for every key. A listener that throws is reported and the others still run. */
class Listeners {
  readonly #byKey = new Map<string, Set<ChangeListener>>();

  add(key: string, listener: ChangeListener): () => void {
    if (key !== '*') checkKey(key);
    if (typeof listener !== 'function') throw new TypeError(`a state listener must be a function, got ${describe(listener)}`);
    let set = this.#byKey.get(key);
    if (set === undefined) this.#byKey.set(key, (set = new Set()));
    set.add(listener);
    return () => void set.delete(listener);
  }

  emit(change: Change): void {
    for (const key of [change.key, '*']) {
      for (const listener of [...(this.#byKey.get(key) ?? [])]) {
        try {
          listener({ ...change, value: copy(change.value) });
        } catch (error) {
          process.emitWarning(`a state listener for "${key}" threw: ${(error as Error)?.message ?? describe(error)}`, 'MiniClusterWarning');
        }
      }
    }
  }
}

/** The primary's side: the state itself. Writes are synchronous: the primary *is* the serialiser. */
export class StateStore {
  readonly #values = new Map<string, unknown>();
  readonly #listeners = new Listeners();
  #version = 0;

  /** `publish` sends each change to the workers (the hub); it runs before local listeners. */
  constructor(private readonly publish: (change: ChangeMessage) => void) {}

  /** How many changes were ever applied. */
  get version(): number {
    return this.#version;
  }

  get(key: string): unknown {
    return copy(this.#values.get(checkKey(key)));
  }

  has(key: string): boolean {
    return this.#values.has(checkKey(key));
  }

  keys(): string[] {
    return [...this.#values.keys()];
  }

  /** Everything, with the version it is current at. */
  snapshot(): Snapshot {
    return { version: this.#version, entries: [...this.#values].map(([k, v]) => [k, copy(v)]) };
  }

  /** Store a value; returns the version of this change. */
  set(key: string, value: unknown): number {
    const stored = toStored(checkKey(key), value);
    this.#values.set(key, stored);
    return this.#changed(key, stored, false);
  }

  /** Remove a key; false (and no change) if it was not there. */
  delete(key: string): boolean {
    if (!this.#values.delete(checkKey(key))) return false;
    this.#changed(key, undefined, true);
    return true;
  }

  /** Add `by` to a number (a missing key counts as 0); returns the new value. */
  increment(key: string, by = 1): number {
    checkKey(key);
    if (typeof by !== 'number' || !Number.isFinite(by)) throw new TypeError(`increment("${key}") needs a finite number to add, got ${describe(by)}`);
    const current = this.#values.get(key) ?? 0;
    if (typeof current !== 'number') throw new TypeError(`state key "${key}" holds ${describe(current)}, not a number: increment refused`);
    const next = current + by;
    if (!Number.isFinite(next)) throw new RangeError(`increment("${key}", ${by}) would leave ${next}, which JSON cannot carry`);
    this.#values.set(key, next);
    this.#changed(key, next, false);
    return next;
  }

  /** Call `listener` after every change of `key` ('*': of any key); returns the unsubscribe function. */
  subscribe(key: string, listener: ChangeListener): () => void {
    return this.#listeners.add(key, listener);
  }

  /** The state as the wire carries it to a joining worker (send() copies it anyway). */
  wireSnapshot(): Snapshot {
    return { version: this.#version, entries: [...this.#values] };
  }

  #changed(key: string, value: unknown, deleted: boolean): number {
    const version = ++this.#version;
    this.publish(deleted ? { cmd: CHANGE, version, key, deleted: true } : { cmd: CHANGE, version, key, value });
    this.#listeners.emit({ key, value, deleted, version });
    return version;
  }
}

/** What a replica needs to send its writes to the primary. */
export type Ask = (type: string, data: unknown) => Promise<unknown>;

/**
 * A worker's side: a read-only copy of the state, kept current by the
 * primary's changes, and writes that are requests to the primary. Reading
 * before the snapshot arrived throws: a silent `undefined` there is exactly
 * the bug a replacement worker must not have.
 */
export class StateReplica {
  #values: Map<string, unknown> | null = null;
  #version = 0;
  /** Changes that came before the snapshot (the hub avoids it; we do not rely on that). */
  #early: ChangeMessage[] = [];
  readonly #listeners = new Listeners();

  constructor(private readonly ask: Ask) {}

  /** True once the snapshot is in place (Link.ready resolves at that moment). */
  get loaded(): boolean {
    return this.#values !== null;
  }

  /** The version of the last change this copy has applied. */
  get version(): number {
    return this.#version;
  }

  get(key: string): unknown {
    return copy(this.#loaded().get(checkKey(key)));
  }

  has(key: string): boolean {
    return this.#loaded().has(checkKey(key));
  }

  keys(): string[] {
    return [...this.#loaded().keys()];
  }

  snapshot(): Snapshot {
    return { version: this.#version, entries: [...this.#loaded()].map(([k, v]) => [k, copy(v)]) };
  }

  /** Resolves with the change's version once the primary applied it (and this copy has it). */
  async set(key: string, value: unknown): Promise<number> {
    return (await this.ask('mini-cluster:state.set', { key: checkKey(key), value: toStored(key, value) })) as number;
  }

  async delete(key: string): Promise<boolean> {
    return (await this.ask('mini-cluster:state.delete', { key: checkKey(key) })) as boolean;
  }

  /** Resolves with the new value; the addition happens in the primary, in one step. */
  async increment(key: string, by = 1): Promise<number> {
    checkKey(key);
    if (typeof by !== 'number' || !Number.isFinite(by)) throw new TypeError(`increment("${key}") needs a finite number to add, got ${describe(by)}`);
    return (await this.ask('mini-cluster:state.increment', { key, by })) as number;
  }

  /** Call `listener` after every change of `key` ('*': any key) this copy applies. */
  subscribe(key: string, listener: ChangeListener): () => void {
    return this.#listeners.add(key, listener);
  }

  /** The join reply: take the snapshot, then any change that overtook it. */
  install(snapshot: Snapshot): void {
    if (!Number.isSafeInteger(snapshot?.version) || !Array.isArray(snapshot.entries)) throw new TypeError('the snapshot has no version or no entries');
    this.#values = new Map(snapshot.entries);
    this.#version = snapshot.version;
    for (const change of this.#early.splice(0)) this.apply(change);
  }

  /** A change from the primary. Older than what we have (a duplicate): ignored. */
  apply(change: ChangeMessage): void {
    if (this.#values === null) return void this.#early.push(change);
    if (change.version <= this.#version) return;
    if (change.deleted) this.#values.delete(change.key);
    else this.#values.set(change.key, change.value);
    this.#version = change.version;
    this.#listeners.emit({ key: change.key, value: change.value, deleted: change.deleted === true, version: change.version });
  }

  #loaded(): Map<string, unknown> {
    if (this.#values === null) throw new Error('the shared state is not here yet: await link.ready before reading it');
    return this.#values;
  }
}
