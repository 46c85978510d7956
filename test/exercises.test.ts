/**
 * Specifies the exercises (`npm run exercise`): skeletons cut from src's
 * marked regions, and, for every exercise, both directions of its check.
 * The untouched skeleton fails it, in the unit specs and in the lesson's
 * check (so the learner's file really is what the lesson's processes run);
 * the engine's own files, put in a workspace the same way, pass it.
 *
 * Each check runs as the learner runs it (scripts/exercise/main.ts N
 * --check, with --dir for a temporary workspace and --json to read the
 * outcome), one at a time: the lesson checks time things, and the machine
 * may have two cores.
 *
 * Mirrors: nothing — teaching helper
 * Read next: scripts/exercise/main.ts, docs/exercises.md
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXERCISES } from '../scripts/exercise/exercises.ts';
import { exerciseFiles, findRegions, skeletonOf, solutionOf, writeWorkspace } from '../scripts/exercise/skeleton.ts';
import type { CheckOutcome } from '../scripts/exercise/check.ts';
import { ROOT } from '../lessons/_lib/run-lesson.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mini-cluster-exercises-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Run { code: number | null; stdout: string; stderr: string; ms: number }

/** Run `npm run exercise` as the learner does (without npm); killed by pid after `timeoutMs`. */
function exercise(args: string[], timeoutMs = 100_000): Promise<Run> {
  // The spawned check starts vitest of its own: it must not take this run's variables for its own.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST')));
  const start = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/exercise/main.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 2_000).unref();
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - start });
    });
  });
}

/** The outcome `--json` printed (its last line). */
function outcomeOf(run: Run): CheckOutcome {
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as CheckOutcome;
  } catch {
    throw new Error(`no JSON outcome; exit ${run.code}\n--- stdout:\n${run.stdout}\n--- stderr:\n${run.stderr}`);
  }
}

/** The failing specs of an outcome, one line each, for assertion messages. */
function failures(outcome: CheckOutcome): string {
  return outcome.stages.flatMap((s) => [...s.errors, ...s.specs.filter((x) => !x.ok).map((x) => `${x.sentence}: ${x.reason}`)]).join('\n');
}

describe('the exercise skeletons', () => {
  it('replace each region of the exercise with its stub, at the region\'s indent, and drop every marker line', () => {
    const text = [
      'function f(): number {',
      '  // exercise 07: begin body',
      '  return 42;',
      '  // exercise 07: end',
      '}',
      '  // exercise 08: begin other',
      '  const kept = 1;',
      '  // exercise 08: end',
      '',
    ].join('\n');
    const skeleton = skeletonOf(text, '07', { body: ['// TODO(exercise 07): the answer', "return todo<number>('exercise 07: write f()');"] });
    expect(skeleton.split('\n').slice(0, 6)).toEqual([
      'function f(): number {',
      '  // TODO(exercise 07): the answer',
      "  return todo<number>('exercise 07: write f()');",
      '}',
      '  const kept = 1;',
      '',
    ]);
    expect(skeleton).toContain('function todo<T = never>(what: string): T {');
    expect(solutionOf(text)).toBe(['function f(): number {', '  return 42;', '}', '  const kept = 1;', ''].join('\n'));
  });

  it('refuse a marker out of place: an end with no begin, a region that never ends, a stub with no region', () => {
    expect(() => findRegions('  // exercise 07: end\n', 'a.ts')).toThrow('a.ts:1: an end of exercise 07 with no begin');
    expect(() => findRegions('// exercise 07: begin x\nreturn 1;\n', 'a.ts')).toThrow("a.ts: exercise 07's x never ends");
    expect(() => findRegions('// exercise 7: begin x\n', 'a.ts')).toThrow('a.ts:1: not a marker');
    expect(() => skeletonOf('// exercise 07: begin x\n// exercise 07: end\n', '07', { x: [], y: [] }, 'a.ts')).toThrow('not marked: y');
  });

  it('find in src exactly the regions the exercises stub, and no others', () => {
    const srcDir = path.join(ROOT, 'src');
    const marked = fs.readdirSync(srcDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).flatMap((f) => {
      const file = path.join('src', f);
      return findRegions(fs.readFileSync(path.join(ROOT, file), 'utf8'), file).map((r) => `${r.exercise} ${file} ${r.id}`);
    });
    const stubbed = EXERCISES.flatMap((e) => Object.entries(e.files).flatMap(([file, stubs]) => Object.keys(stubs).map((id) => `${e.number} ${file} ${id}`)));
    expect(marked.sort()).toEqual(stubbed.sort());
  });

  it('type-check, stubs and all, against the rest of src', async () => {
    const runs = await Promise.all(EXERCISES.map(async (e) => {
      const dir = path.join(tmp, `typecheck-${e.number}`);
      writeWorkspace(ROOT, dir, exerciseFiles(ROOT, e));
      const run = await new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir, '--noEmit'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
        child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.on('close', (code) => (clearTimeout(timer), resolve({ code, output })));
      });
      return `${e.number}: exit ${run.code}${run.output ? `\n${run.output}` : ''}`;
    }));
    expect(runs).toEqual(EXERCISES.map((e) => `${e.number}: exit 0`));
  }, 90_000);
});

describe.each(EXERCISES.map((e) => [e.number, e] as const))('exercise %s', (number, e) => {
  it(`fails its check with the untouched skeleton, in ${e.specs.join(' and ')} and in the lesson's check`, async () => {
    const dir = path.join(tmp, `skeleton-${number}`);
    writeWorkspace(ROOT, dir, exerciseFiles(ROOT, e));
    const run = await exercise([String(e.lesson), '--check', '--dir', dir, '--json', '--lesson', 'always']);
    const outcome = outcomeOf(run);
    console.log(`exercise ${number}, skeleton: ${run.ms} ms (${outcome.stages.map((s) => `${s.name} ${Math.round(s.ms)} ms`).join(', ')})`);
    expect(outcome.stages.map((s) => [s.name, s.ok])).toEqual([['unit specs', false], ['lesson check', false]]);
    expect(run.code).toBe(1);
    // The unit specs failed on the skeleton's own todo()s: the learner's file is the one that ran.
    const reasons = outcome.stages[0].specs.map((s) => s.reason ?? '');
    expect(reasons.some((r) => r.startsWith(`exercise ${number}: `)), failures(outcome)).toBe(true);
  }, 110_000);

  it('passes its check with the engine\'s own files in the workspace, the lesson\'s check included', async () => {
    const dir = path.join(tmp, `solution-${number}`);
    writeWorkspace(ROOT, dir, exerciseFiles(ROOT, e, 'solution'));
    const run = await exercise([String(e.lesson), '--check', '--dir', dir, '--json']);
    const outcome = outcomeOf(run);
    console.log(`exercise ${number}, src's files: ${run.ms} ms (${outcome.stages.map((s) => `${s.name} ${Math.round(s.ms)} ms`).join(', ')})`);
    expect(outcome.ok, failures(outcome)).toBe(true);
    expect(outcome.stages.map((s) => [s.name, s.ok, s.specs.length > 0])).toEqual([['unit specs', true, true], ['lesson check', true, true]]);
    expect(run.code).toBe(0);
  }, 110_000);
});
