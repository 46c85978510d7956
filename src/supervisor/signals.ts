/**
 * Signals as the operator's remote control: SIGUSR2 or SIGHUP reload the
 * workers one by one, SIGINT or SIGTERM shut down gracefully, and a second
 * SIGINT/SIGTERM during a shutdown stops waiting and kills what is left.
 *
 * Mirrors: nothing — the patterns of PM2 and of docs/sources.md (the tutorial's SIGUSR2, the API guide's SIGHUP)
 * Read next: src/supervisor/supervisor.ts (restart, shutdown, forceKill)
 *
 *   kill -USR2 <primary>  => supervisor.restart()
 *   kill -TERM <primary>  => supervisor.shutdown() => process.exit(0 clean | 1 forced)
 *   kill -TERM again      => supervisor.forceKill()
 */
import type { Replacement, ShutdownResult } from './options.ts';

/** The part of the supervisor a signal can reach. */
export interface Controllable {
  readonly options: {
    restartSignals: NodeJS.Signals[];
    shutdownSignals: NodeJS.Signals[];
    exitOnShutdown: boolean;
  };
  readonly stopping: boolean;
  restart(): Promise<Replacement[]>;
  shutdown(reason?: string): Promise<ShutdownResult>;
  forceKill(): void;
}

/**
 * Install the handlers; returns the function that removes them. Having a
 * listener replaces the signal's default action (for SIGINT and SIGTERM:
 * exit at once), which is why the shutdown must end in an explicit exit.
 */
export function installSignals(target: Controllable): () => void {
  const installed: [NodeJS.Signals, () => void][] = [];
  const listen = (signal: NodeJS.Signals, handler: () => void): void => {
    process.on(signal, handler);
    installed.push([signal, handler]);
  };

  for (const signal of target.options.restartSignals) {
    // A second reload signal during a reload queues one more pass: the
    // code may have changed again since the first one began.
    listen(signal, () => void target.restart());
  }
  for (const signal of target.options.shutdownSignals) {
    listen(signal, () => {
      if (target.stopping) return target.forceKill(); // the operator does not want to wait
      void target.shutdown(signal).then((result) => {
        if (target.options.exitOnShutdown) process.exit(result.code);
      });
    });
  }
  return () => {
    for (const [signal, handler] of installed.splice(0)) process.off(signal, handler);
  };
}
