/**
 * The learner's two commands:
 *   npm run lesson 3 [-- --flag ...]   runs lessons/03-<slug>/main.ts with the flags
 *   npm run check 3                    runs lessons/03-<slug>/check.test.ts (vitest)
 *   npm run check                      runs every lesson's check
 *   npm run lesson 7 -- --step         the same with MINI_CLUSTER_STEP=1: on a terminal
 *                                      the primary pauses before each internal message
 *
 * Mirrors: nothing — teaching helper (learnyounode's `run` and `verify`)
 * Read next: lessons/README.md
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT, lessonDir } from '../lessons/_lib/run-lesson.ts';

const args = process.argv.slice(2);
const checking = args[0] === '--check';
if (checking) args.shift();
const number = args[0] !== undefined && /^\d+$/.test(args[0]) ? Number(args.shift()) : undefined;

function usage(message: string): never {
  console.error(`${message}\nusage: npm run lesson <N> [-- flags] [-- --step]   |   npm run check [N]`);
  process.exit(2);
}

function dirOf(n: number): string {
  try {
    return lessonDir(n);
  } catch (err) {
    return usage((err as Error).message);
  }
}

// --step is ours, not the lesson's: it turns on the engine's step-through
// mode (src/step.ts) for the lesson's primary.
const env = { ...process.env };
const step = args.indexOf('--step');
if (step !== -1 && !checking) {
  args.splice(step, 1);
  env.MINI_CLUSTER_STEP = '1';
  if (!process.stdin.isTTY) console.error('--step: stdin is not a terminal, so the primary will not pause (src/step.ts)');
}

let command: string[];
if (checking) {
  // vitest treats a path argument as a filter on spec file names.
  const filter = number === undefined ? 'lessons/' : path.join(dirOf(number), 'check.test.ts');
  command = [path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', filter, ...args];
} else {
  if (number === undefined) usage('which lesson?');
  command = ['--import', 'tsx', path.join(dirOf(number), 'main.ts'), ...args];
}

const child = spawn(process.execPath, command, { cwd: ROOT, env, stdio: 'inherit' });
// Ctrl-C reaches the lesson too (same terminal); we just wait for it to end.
process.on('SIGINT', () => {});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
