/**
 * Checks a worker's internal message before the primary acts on it, so a
 * buggy or hostile worker gets a warning instead of crashing the primary.
 *
 * Mirrors: nothing — Node trusts its workers (its own code runs there).
 * Read next: src/master/onmessage.ts (onmessage)
 */
import type { Envelope, Received, WorkerToPrimary } from '../ipc.ts';

const isInt = (v: unknown): boolean => Number.isInteger(v);
const isKey = (v: unknown): boolean => typeof v === 'string' && v.length <= 4096;
const isAddress = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'string' && v.length <= 4096);
const isOptionalInt = (v: unknown): boolean => v === undefined || v === null || isInt(v);
const isIntOrNull = (v: unknown): boolean => v === null || isInt(v); // null for listen({ fd })

/** The fields each act needs; anything more is tolerated, as in Node. */
const shapes: Record<string, Record<string, (v: unknown) => boolean>> = {
  online: {},
  queryServer: { index: isInt, address: isAddress, port: isIntOrNull, addressType: isIntOrNull, fd: isOptionalInt, flags: isOptionalInt },
  listening: { address: isAddress, port: isIntOrNull, addressType: isIntOrNull },
  close: { key: isKey },
  exitedAfterDisconnect: {},
  connections: { key: isKey, open: (v) => isInt(v) && (v as number) >= 0 },
};

/**
 * True if the message is one the primary can act on: then TypeScript knows
 * it as a WorkerToPrimary message. Otherwise `report` gets a short reason.
 */
export function validate(message: Envelope, report: (problem: string) => void): message is Received<WorkerToPrimary> & Envelope {
  const problem = problemWith(message);
  if (problem !== null) report(problem);
  return problem === null;
}

/** null if the message is fine, otherwise a short reason for the warning. */
export function problemWith(message: Envelope): string | null {
  const act = message.act;
  if (typeof act !== 'string') return message.ack !== undefined ? `a reply to unknown seq ${String(message.ack)}` : 'no act';
  if (!Object.hasOwn(shapes, act)) return `unknown act ${JSON.stringify(act).slice(0, 64)}`;
  for (const [field, ok] of Object.entries(shapes[act])) {
    if (!ok(message[field])) return `${act}: bad ${field}`;
  }
  // A listen names a port and an address type, or else a descriptor (listen({ fd })).
  if (act === 'queryServer' && !(isInt(message.port) && isInt(message.addressType)) && !isInt(message.fd)) {
    return 'queryServer: neither port and addressType nor fd';
  }
  return null;
}
