/**
 * What every lesson check does first: run the lesson exactly as a learner
 * would (`node --import tsx lessons/NN-<slug>/main.ts`, from the repo root) and
 * hand back its output, so the check can assert what the README promises.
 *
 * Mirrors: nothing — teaching helper
 * Read next: scripts/lesson.ts (`npm run lesson N`, the same thing by hand)
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The folder of lesson `n`, e.g. 3 => "lessons/03-fork-and-ipc". */
export function lessonDir(n: number): string {
  const prefix = `${String(n).padStart(2, '0')}-`;
  const name = readdirSync(path.join(ROOT, 'lessons')).find((entry) => entry.startsWith(prefix));
  if (name === undefined) throw new Error(`no lesson ${n} under lessons/`);
  return path.join('lessons', name);
}

export interface LessonRun { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }

/**
 * Run lesson `n` with `args`; resolve when it exits. A lesson that is still
 * running after `timeoutMs` is killed (by its pid; the lesson's own handler
 * kills its children) and the run resolves with what it printed so far.
 * With `step`, the lesson steps through (MINI_CLUSTER_STEP=pipe) and each
 * prompt is answered with Enter after `step(prompt, n)` milliseconds, as a
 * learner reading at the terminal would.
 */
export function runLesson(
  n: number,
  args: string[] = [],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; step?: (prompt: string, n: number) => number } = {},
): Promise<LessonRun> {
  const { timeoutMs = 20_000, env, step } = options;
  const main = path.join(lessonDir(n), 'main.ts');
  const start = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env, ...(step ? { MINI_CLUSTER_STEP: 'pipe' } : {}) },
      stdio: [step ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let prompts = 0;
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (step === undefined) return;
      // Each prompt ends with "> "; answer every new one after its delay.
      const blocks = stderr.split('[Enter] act on it');
      for (; prompts < blocks.length - 1; prompts++) {
        const prompt = blocks[prompts].slice(blocks[prompts].lastIndexOf('⏸'));
        setTimeout(() => child.stdin?.writable && child.stdin.write('\n'), step(prompt, prompts));
      }
    });
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'), 1_000).unref();
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - start });
    });
  });
}

/** "stdout + stderr" with a header, for assertion messages. */
export function transcript(run: LessonRun): string {
  return `\n--- exit ${run.code ?? run.signal} after ${run.ms} ms; stdout:\n${run.stdout}--- stderr:\n${run.stderr}`;
}
