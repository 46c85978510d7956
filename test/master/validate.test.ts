/**
 * Specifies validate(): the primary's check of each internal message a worker
 * sends, so that a malformed one becomes a warning instead of a crash. It
 * returns null for a good message and a short reason otherwise.
 */
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/ipc.ts';
import { problemWith, validate } from '../../src/master/validate.ts';
import {
  close, exitedAfterDisconnect, listening, newconn, newconnAccepted, online, queryServer, queryServerFd, queryServerPipe,
} from '../fixtures/messages.ts';

/** A message a worker could have sent: fields may be anything at all. */
const message = (fields: Record<string, unknown>): Envelope => ({ cmd: 'NODE_MINI_CLUSTER', seq: 1, ...fields });
const huge = 'x'.repeat(100_000);

describe('validate()', () => {
  describe('when a worker sends a well-formed message', () => {
    it.each([
      ['online', online],
      ['queryServer', queryServer],
      ['listening', listening],
      ['close', close],
      ['exitedAfterDisconnect', exitedAfterDisconnect],
    ])('accepts the %s message of the docs', (_act, fixture) => {
      expect(problemWith(fixture)).toBeNull();
    });

    it('accepts the queryServer of a pipe', () => {
      expect(problemWith(queryServerPipe)).toBeNull();
    });

    it('accepts the queryServer of listen(8000) whose address is null', () => {
      expect(problemWith({ ...queryServer, address: null, port: 8000 })).toBeNull();
    });

    it('tolerates fields it does not know about', () => {
      expect(problemWith({ ...queryServer, readableAll: true, somethingNew: [1, 2] })).toBeNull();
    });

    // Node 20's net.js: listenInCluster(server, null, null, null, backlog, fd).
    it('accepts the queryServer of listen({ fd }) whose port and addressType are null', () => {
      expect(problemWith(queryServerFd)).toBeNull();
    });

    // The same listener's 'listening' keeps addressType null (port is the real one).
    it('accepts the listening message of listen({ fd }) whose addressType is null', () => {
      expect(problemWith({ ...queryServerFd, act: 'listening', port: 42679 })).toBeNull();
    });
  });

  describe('when the act is unknown', () => {
    it('rejects an act that only the primary sends', () => {
      expect(problemWith(newconn)).toBe('unknown act "newconn"');
    });

    it('rejects the act Node removed in v6', () => {
      expect(problemWith(message({ act: 'suicide' }))).toBe('unknown act "suicide"');
    });

    it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
      'rejects the inherited property name %s',
      (act) => {
        expect(problemWith(message({ act }))).toMatch(/^unknown act/);
      },
    );

    it('rejects a message with neither act nor ack', () => {
      expect(problemWith(message({ key: 'x' }))).toBe('no act');
    });

    it('rejects an act that is not a string', () => {
      expect(problemWith(message({ act: 42 }))).toBe('no act');
    });
  });

  describe('when a field is missing or mistyped', () => {
    const fixtures: Record<string, Envelope> = { queryServer, listening, close };
    it.each([
      ['queryServer', 'index', 'missing', undefined],
      ['queryServer', 'index', 'the string "0"', '0'],
      ['queryServer', 'port', 'the string "80"', '80'],
      ['queryServer', 'port', 'NaN', Number.NaN],
      ['queryServer', 'port', 'not an integer', 80.5],
      ['queryServer', 'addressType', 'the string "IPv4"', 'IPv4'],
      ['queryServer', 'address', 'a number', 127001],
      ['queryServer', 'address', 'an object', { host: '127.0.0.1' }],
      ['queryServer', 'fd', 'the string "7"', '7'],
      ['queryServer', 'flags', 'a boolean', true],
      ['listening', 'port', 'missing', undefined],
      ['listening', 'addressType', 'the string "IPv4"', 'IPv4'],
      ['close', 'key', 'missing', undefined],
      ['close', 'key', 'a number', 42],
    ])('rejects a %s whose %s is %s', (act, field, _how, value) => {
      expect(problemWith({ ...fixtures[act], [field]: value })).toBe(`${act}: bad ${field}`);
    });

    it('rejects a queryServer that names neither a port nor an fd', () => {
      const { port: _port, addressType: _addressType, ...noTarget } = queryServer;
      expect(problemWith(noTarget)).not.toBeNull();
    });
  });

  describe('when a reply matches no pending request', () => {
    // internal() already gave every matching reply to its callback; what reaches
    // validate() with an ack answers nothing the primary asked.
    it('names the unknown seq in the reason', () => {
      expect(problemWith({ ...newconnAccepted, ack: 4242 })).toBe('a reply to unknown seq 4242');
    });
  });

  describe('as a type guard', () => {
    it('returns true and reports nothing for a good message', () => {
      const problems: string[] = [];
      expect(validate(queryServer, (p) => problems.push(p))).toBe(true);
      expect(problems).toEqual([]);
    });

    it('returns false and reports the reason for a bad one', () => {
      const problems: string[] = [];
      expect(validate(message({ act: 'suicide' }), (p) => problems.push(p))).toBe(false);
      expect(problems).toEqual(['unknown act "suicide"']);
    });
  });

  describe('when a string field is huge', () => {
    it('rejects a close key longer than 4096 characters', () => {
      expect(problemWith({ ...close, key: huge })).toBe('close: bad key');
    });

    it('rejects an address longer than 4096 characters', () => {
      expect(problemWith({ ...queryServer, address: huge })).toBe('queryServer: bad address');
    });

    it('keeps the reason short when the act itself is huge', () => {
      const reason = problemWith(message({ act: huge }));
      expect(reason).toMatch(/^unknown act "x+$/);
      expect(reason!.length).toBeLessThan(100);
    });
  });
});
