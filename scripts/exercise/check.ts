/**
 * Judges a workspace: runs the exercise's specs with the learner's files in
 * place of src's, through vitest's node API, and returns each spec's
 * sentence and outcome. Two stages: the unit specs of the exercised files
 * (the judge), then the lesson's own check, once the unit specs all pass.
 *
 *   unit specs:   vitest resolves every import of an exercised src file
 *                 (the spec's own, and those of src files importing it) to
 *                 the workspace copy, with a resolve plugin
 *   lesson check: its primaries and workers are real processes, out of
 *                 vitest's reach; NODE_OPTIONS preloads redirect.cjs into
 *                 each of them, which does the same swap there
 *
 * Mirrors: nothing — teaching helper (CodeCrafters' tester, in-process)
 * Read next: scripts/exercise/redirect.cjs, scripts/exercise/main.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import type { Plugin } from 'vite';
import { createVitest, type TestCase, type TestModule } from 'vitest/node';
import type { Exercise } from './exercises.ts';
import { lessonDir } from '../../lessons/_lib/run-lesson.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const REDIRECT = fileURLToPath(new URL('./redirect.cjs', import.meta.url));

/** One spec, as the learner reads it: its sentence, and why it failed. */
export interface SpecOutcome { file: string; sentence: string; ok: boolean; skipped: boolean; reason?: string }

export interface StageOutcome {
  name: 'unit specs' | 'lesson check';
  files: string[];
  specs: SpecOutcome[];
  /** Errors outside any spec (a spec file that did not load, an error thrown after a spec ended). */
  errors: string[];
  ok: boolean;
  ms: number;
}

export interface CheckOutcome { exercise: string; workspace: string; stages: StageOutcome[]; lessonWaiting: boolean; ok: boolean }

/** The lesson's check file, relative to the repository. */
export function lessonCheckOf(exercise: Exercise): string {
  return path.join(lessonDir(exercise.lesson), 'check.test.ts');
}

/**
 * Resolve every exercised src file to its workspace copy, and the imports
 * of a workspace copy as if it sat in src/ (the workspace holds only the
 * exercised files; `../ipc.ts` is src's).
 */
export function workspacePlugin(workspace: string, files: string[]): Plugin {
  const swaps = new Map(files.map((file) => [path.join(ROOT, file), path.join(workspace, file)]));
  const workspaceSrc = path.join(workspace, 'src') + path.sep;
  return {
    name: 'mini-cluster-exercise',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      const from = importer?.startsWith(workspaceSrc) ? path.join(ROOT, 'src', importer.slice(workspaceSrc.length)) : importer;
      const resolved = await this.resolve(source, from, { ...options, skipSelf: true });
      if (resolved === null) return null;
      const swapped = swaps.get(resolved.id.split('?')[0]);
      if (swapped !== undefined) return { ...resolved, id: swapped };
      return from === importer ? null : resolved;
    },
  };
}

/** The environment that makes spawned processes load the workspace copies too. */
export function redirectEnv(workspace: string, files: string[]): Record<string, string> {
  const before = process.env.NODE_OPTIONS ?? '';
  return {
    MINI_CLUSTER_EXERCISE: JSON.stringify({ root: ROOT, workspace, files }),
    NODE_OPTIONS: `${before} --require ${JSON.stringify(REDIRECT)}`.trim(),
  };
}

/** The sentence of a spec: its describe blocks, then its own name. */
function sentenceOf(test: TestCase): string {
  const suites: string[] = [];
  for (let parent = test.parent; parent.type === 'suite'; parent = parent.parent) suites.unshift(parent.name);
  return suites.length === 0 ? test.name : `${suites.join(', ')}: ${test.name}`;
}

/**
 * Why a spec failed, in one line. The lesson checks pass the lesson's whole
 * transcript as the assertion's message; the line that says what was
 * expected is the one to show then.
 */
function reasonOf(error: { message?: string } | undefined): string | undefined {
  if (error?.message === undefined) return undefined;
  const lines = stripVTControlCharacters(error.message).split('\n').map((l) => l.trim()).filter((l) => l !== '');
  if (lines.length === 0) return undefined;
  const assertion = [...lines].reverse().find((l) => /(^|: )expected /.test(l));
  let reason = lines[0];
  if (assertion !== undefined) {
    const at = assertion.search(/(^|: )expected /);
    const head = lines[0].startsWith('--- ') ? '' : assertion.slice(0, at).trim();
    const tail = assertion.slice(at).replace(/^: /, '');
    reason = head === '' ? tail : `${head}: ${tail}`;
  }
  return reason.length > 200 ? `${reason.slice(0, 197)}...` : reason;
}

/** The first `n` lines of an error that is not a spec's (a file that did not load, say). */
function linesOf(error: { message?: string } | undefined, n: number): string {
  const lines = stripVTControlCharacters(error?.message ?? String(error)).split('\n').filter((l) => l.trim() !== '');
  return lines.slice(0, n).join('\n      ') + (lines.length > n ? '\n      ...' : '');
}

function outcomesOf(modules: TestModule[]): { specs: SpecOutcome[]; errors: string[] } {
  const specs: SpecOutcome[] = [];
  const errors: string[] = [];
  for (const module of modules) {
    const file = path.relative(ROOT, module.moduleId);
    for (const error of module.errors()) errors.push(`${file}: ${linesOf(error, 6)}`);
    for (const test of module.children.allTests()) {
      const result = test.result();
      // A spec skipped on purpose (it.runIf) is fine; one that did not run
      // because its file or a hook failed is not.
      const skipped = result.state === 'skipped' && test.options.mode !== 'run';
      const ok = result.state === 'passed' || skipped;
      const reason = ok ? undefined : reasonOf(result.errors?.[0]) ?? 'did not run (a hook or the file failed)';
      specs.push({ file, sentence: sentenceOf(test), ok, skipped, reason });
    }
  }
  return { specs, errors };
}

/** How long a stage may take before it is stopped: ten times what it takes with src's files, or more. */
const STAGE_LIMIT_MS = { 'unit specs': 60_000, 'lesson check': 120_000 } as const;

/** SIGKILL vitest's worker processes, children of this one, each by pid, found in /proc (Linux). */
function killChildren(): void {
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return; // no /proc: vitest.close() is all we have
  }
  for (const pid of entries) {
    try {
      // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (command.includes(`${path.sep}vitest${path.sep}`)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** Run `files` (relative to the repository) once, with the workspace's files in place of src's. */
export async function runStage(name: StageOutcome['name'], files: string[], workspace: string, exercised: string[]): Promise<StageOutcome> {
  const start = performance.now();
  const silent = {}; // a reporter that reports nothing: we print the outcome ourselves
  const vitest = await createVitest('test', {
    root: ROOT,
    config: false,
    watch: false,
    include: files,
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: [silent],
    env: redirectEnv(workspace, exercised),
  }, { plugins: [workspacePlugin(workspace, exercised)] });
  // A spec stuck in an endless loop of the learner's making never reaches
  // its timeout (the loop never yields): past the limit, we kill vitest's
  // processes, each by its pid, and close it.
  let watchdog: NodeJS.Timeout | undefined;
  const limitMs = STAGE_LIMIT_MS[name];
  const stuck = new Promise<null>((resolve) => (watchdog = setTimeout(() => resolve(null), limitMs)));
  let result;
  try {
    result = await Promise.race([vitest.start(), stuck]);
    // vitest.close() would wait for the stuck process to answer first: end it here.
    if (result === null) killChildren();
  } finally {
    clearTimeout(watchdog);
    // After a kill, close() may wait for an answer from a process that is
    // gone: give it a few seconds, no more (main.ts exits when done).
    const closed = vitest.close();
    await (result === null ? Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 5_000))]) : closed);
  }
  process.exitCode = 0; // vitest sets it on failure; main.ts decides
  if (result === null) {
    const error = `stopped after ${limitMs / 1000} s: a spec never ended (an endless loop?)`;
    return { name, files, specs: [], errors: [error], ok: false, ms: performance.now() - start };
  }
  const { specs, errors } = outcomesOf(result.testModules);
  for (const error of result.unhandledErrors) errors.push(`thrown outside any spec: ${linesOf(error as Error, 3)}`);
  const found = new Set(result.testModules.map((m) => path.relative(ROOT, m.moduleId)));
  for (const file of files) if (!found.has(file)) errors.push(`${file}: not run`);
  const ok = errors.length === 0 && specs.length > 0 && specs.every((s) => s.ok);
  return { name, files, specs, errors, ok, ms: performance.now() - start };
}

/**
 * The whole check. `lesson`: 'auto' runs the lesson's check once the unit
 * specs pass; 'always' runs it regardless (the both-directions spec); 'never' skips it.
 */
export async function check(exercise: Exercise, workspace: string, lesson: 'auto' | 'always' | 'never' = 'auto'): Promise<CheckOutcome> {
  const exercised = Object.keys(exercise.files);
  const stages = [await runStage('unit specs', exercise.specs, workspace, exercised)];
  const wanted = exercise.lessonCheck && lesson !== 'never';
  const lessonWaiting = wanted && lesson === 'auto' && !stages[0].ok;
  if (wanted && !lessonWaiting) stages.push(await runStage('lesson check', [lessonCheckOf(exercise)], workspace, exercised));
  return { exercise: exercise.number, workspace, stages, lessonWaiting, ok: !lessonWaiting && stages.every((s) => s.ok) };
}
