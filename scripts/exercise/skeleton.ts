/**
 * Turns an engine file into an exercise skeleton. The src file marks what an
 * exercise takes out with two comment lines around it,
 *
 *     // exercise 07: begin distribute
 *     ...the code the learner writes...
 *     // exercise 07: end
 *
 * and the skeleton is that file with each region of the exercise replaced by
 * the stub its definition gives (a TODO comment and a `todo(...)` that fails
 * naming what to write), every marker line dropped. Derived every time, so a
 * skeleton follows the engine as it changes and never drifts from it.
 *
 * Mirrors: nothing — teaching helper (rustlings' exercises, cut from the real source)
 * Read next: scripts/exercise/exercises.ts (the stubs and hints), scripts/exercise/check.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Exercise } from './exercises.ts';

const BEGIN = /^(\s*)\/\/ exercise (\d\d): begin ([\w-]+)\s*$/;
const END = /^\s*\/\/ exercise (\d\d): end\s*$/;

/** One marked region: the lines strictly between its two markers. */
export interface Region { exercise: string; id: string; indent: string; begin: number; end: number }

/** Every region in `text`, in order; throws, naming `file` and the line, on a marker out of place. */
export function findRegions(text: string, file = '(text)'): Region[] {
  const regions: Region[] = [];
  let open: Region | null = null;
  text.split('\n').forEach((line, i) => {
    const begin = BEGIN.exec(line);
    const end = END.exec(line);
    if (begin !== null) {
      if (open !== null) throw new Error(`${file}:${i + 1}: exercise ${begin[2]} begins inside exercise ${open.exercise}'s ${open.id}`);
      open = { exercise: begin[2], id: begin[3], indent: begin[1], begin: i, end: -1 };
    } else if (end !== null) {
      if (open === null || open.exercise !== end[1]) throw new Error(`${file}:${i + 1}: an end of exercise ${end[1]} with no begin`);
      regions.push({ ...open, end: i });
      open = null;
    } else if (/\/\/ exercise \d+:/.test(line)) {
      throw new Error(`${file}:${i + 1}: not a marker of the form "// exercise NN: begin ID" or "// exercise NN: end": ${line.trim()}`);
    }
  });
  if (open !== null) throw new Error(`${file}: exercise ${(open as Region).exercise}'s ${(open as Region).id} never ends`);
  return regions;
}

/** A helper every skeleton ends with: what the stubs call. */
const TODO_HELPER = [
  '',
  '// ---- added by `npm run exercise` (harmless once no todo() is left) ----',
  '',
  '/** Stands for code not written yet (of type T where a value is needed): it fails, saying what to write. */',
  'function todo<T = never>(what: string): T {',
  '  throw new Error(what);',
  '}',
  '',
];

/**
 * `text` with exercise `number`'s regions replaced by their stubs and every
 * marker line (this exercise's and the others') dropped. `stubs` are by
 * region id; a region without a stub, or a stub without a region, throws.
 */
export function skeletonOf(text: string, number: string, stubs: Record<string, string[]>, file = '(text)'): string {
  const regions = findRegions(text, file).filter((r) => r.exercise === number);
  const ids = regions.map((r) => r.id);
  const missing = Object.keys(stubs).filter((id) => !ids.includes(id));
  const unstubbed = ids.filter((id) => !(id in stubs));
  if (missing.length > 0) throw new Error(`${file}: exercise ${number} has stubs for regions that are not marked: ${missing.join(', ')}`);
  if (unstubbed.length > 0) throw new Error(`${file}: exercise ${number}'s regions ${unstubbed.join(', ')} have no stub`);

  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const region = regions.find((r) => r.begin === i);
    if (region !== undefined) {
      out.push(...stubs[region.id].map((line) => (line === '' ? '' : region.indent + line)));
      i = region.end; // skip the body and the end marker
    } else if (!BEGIN.test(lines[i]) && !END.test(lines[i])) {
      out.push(lines[i]);
    }
  }
  // The file ends with a newline; the helper goes before it.
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return [...out, ...TODO_HELPER].join('\n');
}

/** `text` as the engine runs it, without the marker lines: the answer to every exercise. */
export function solutionOf(text: string, file = '(text)'): string {
  findRegions(text, file); // the same checks
  return text.split('\n').filter((line) => !BEGIN.test(line) && !END.test(line)).join('\n');
}

/** What a workspace holds: each file's path (relative to the repository) and text. */
export type Files = Record<string, string>;

/** The exercise's files as the learner starts them, or (`solution`) as src has them. */
export function exerciseFiles(root: string, exercise: Exercise, kind: 'skeleton' | 'solution' = 'skeleton'): Files {
  const files: Files = {};
  for (const [file, stubs] of Object.entries(exercise.files)) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    files[file] = kind === 'skeleton' ? skeletonOf(text, exercise.number, stubs, file) : solutionOf(text, file);
  }
  return files;
}

/**
 * Write the files into `dir`, each at its path in the repository
 * (`dir/src/master/round-robin-handle.ts`), with a tsconfig.json whose
 * rootDirs lets the editor and `tsc -p dir` resolve the other engine files
 * (`../ipc.ts`) in the repository's src/, and a package.json that makes
 * them ES modules wherever the folder is.
 */
export function writeWorkspace(root: string, dir: string, files: Files): void {
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  const up = path.relative(dir, root) || '.';
  const tsconfig = {
    extends: `${up}/tsconfig.json`,
    compilerOptions: {
      // Your src/ and the repository's, seen as one folder: `../ipc.ts` is found in the second.
      rootDirs: ['./src', `${up}/src`],
      typeRoots: [`${up}/node_modules/@types`], // found from wherever this folder is
      // The skeleton leaves imports and parameters unused until you write the code.
      noUnusedLocals: false,
      noUnusedParameters: false,
    },
    include: ['src'],
  };
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
  // ES modules, like src/ (the repository's package.json says so for src; a
  // workspace outside the repository needs its own).
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ private: true, type: 'module' }, null, 2)}\n`);
}
