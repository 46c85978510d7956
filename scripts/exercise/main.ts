/**
 * The learner's exercise command: write an engine file yourself, and let the
 * engine's own specs judge it.
 *   npm run exercise -- --list        one line per lesson that has an exercise
 *   npm run exercise 7                writes the skeleton into workspace/07/ and says what to do
 *   npm run exercise 7 -- --check     runs the specs with your files in place of src's
 *   npm run exercise 7 -- --hint      the next hint
 *   npm run exercise 7 -- --reset     the skeleton again (your files go to workspace/07/.previous/)
 *   npm run exercise 7 -- --run       runs lesson 7 itself on your files (flags after it go to the lesson)
 * For the specs of this command: --dir D (a workspace elsewhere), --json,
 * --lesson always|never (run the lesson's check whatever the unit specs say, or never).
 *
 * Mirrors: nothing — teaching helper (rustlings' `watch`, CodeCrafters' `test`)
 * Read next: scripts/exercise/exercises.ts, then docs/exercises.md
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { EXERCISES, exerciseOf, type Exercise } from './exercises.ts';
import { exerciseFiles, writeWorkspace } from './skeleton.ts';
import { ROOT, check, lessonCheckOf, redirectEnv, type CheckOutcome } from './check.ts';

const args = process.argv.slice(2);
function flag(name: string): boolean {
  const i = args.indexOf(`--${name}`);
  if (i !== -1) args.splice(i, 1);
  return i !== -1;
}
function option(name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i === -1) return undefined;
  const [, value] = args.splice(i, 2);
  if (value === undefined) usage(`--${name} needs a value`);
  return value;
}

function usage(message?: string): never {
  if (message !== undefined) console.error(message);
  console.error('usage: npm run exercise -- --list   |   npm run exercise <N> [-- --check | --hint | --reset | --run]');
  process.exit(2);
}

const list = flag('list');
const running = flag('run');
const checking = flag('check');
const hinting = flag('hint');
const resetting = flag('reset');
const json = flag('json');
const dirOption = option('dir');
const lessonOption = option('lesson');
if (lessonOption !== undefined && lessonOption !== 'always' && lessonOption !== 'never') usage('--lesson takes always or never');
const numberArg = args.shift();
// With --run, whatever is left goes to the lesson (`-- --run --no-trace`).
if (args.length > 0 && !running) usage(`unknown arguments: ${args.join(' ')}`);

const rel = (file: string): string => path.relative(process.cwd(), file) || '.';
const workspaceOf = (exercise: Exercise): string => path.resolve(dirOption ?? path.join(ROOT, 'workspace', exercise.number));

if (list || numberArg === undefined) {
  if (!list) console.log('Which exercise? Each follows a lesson; the number is the lesson\'s:\n');
  for (const e of EXERCISES) {
    const started = fs.existsSync(workspaceOf(e)) ? '  (started: workspace/' + e.number + ')' : '';
    console.log(`${e.number}  ${e.title}${started}`);
  }
  if (!list) console.log('\nnpm run exercise <N> writes the skeleton of lesson N\'s exercise into workspace/NN/.');
  process.exit(0);
}

if (!/^\d+$/.test(numberArg)) usage(`not a lesson number: ${numberArg}`);
const exercise = exerciseOf(Number(numberArg)) ?? usage(`lesson ${Number(numberArg)} has no exercise; npm run exercise -- --list shows those that do`);
const workspace = workspaceOf(exercise);
const stateFile = path.join(workspace, '.exercise.json');
const N = String(exercise.lesson);

interface State { hintsShown: number }
function readState(): State {
  try {
    return JSON.parse(fs.readFileSync(stateFile, 'utf8')) as State;
  } catch {
    return { hintsShown: 0 };
  }
}
function writeState(state: State): void {
  fs.writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`);
}

function needWorkspace(): void {
  if (fs.existsSync(workspace)) return;
  console.error(`No ${rel(workspace)}/ yet: npm run exercise ${N} writes it.`);
  process.exit(2);
}

/** What to do next, after writing the skeleton (or when it is there already). */
function instructions(): void {
  const files = Object.keys(exercise.files);
  console.log('\nWhat to do:');
  console.log(`  1. Read ${lessonReadme()} if you have not yet: this exercise is its idea.`);
  console.log(`  2. In ${files.map((f) => rel(path.join(workspace, f))).join(' and ')}, replace each todo(...) with the code`);
  console.log('     its TODO comment asks for. Everything else in the file is as the engine has it.');
  console.log(`  3. npm run exercise ${N} -- --check   runs ${exercise.specs.join(' and ')} on your copy,`);
  if (exercise.lessonCheck) console.log(`     then, once those all pass, the lesson's own check (${lessonCheckOf(exercise)}) with your file in its processes.`);
  console.log(`\n  npm run exercise ${N} -- --hint    one hint at a time (${exercise.hints.length} in all)`);
  console.log(`  npm run exercise ${N} -- --reset   the skeleton again (your files are kept in ${rel(path.join(workspace, '.previous'))}/)`);
  console.log(`  npm run exercise ${N} -- --run     runs lesson ${exercise.number} itself on your files`);
  console.log(`  npx tsc -p ${rel(workspace)}          type-checks your copy against the rest of src/`);
}

function lessonReadme(): string {
  return path.join(path.dirname(lessonCheckOf(exercise)), 'README.md');
}

function writeSkeleton(): void {
  const files = exerciseFiles(ROOT, exercise);
  writeWorkspace(ROOT, workspace, files);
  for (const file of Object.keys(files)) console.log(`  wrote ${rel(path.join(workspace, file))}  (the skeleton of ${file})`);
}

function printOutcome(outcome: CheckOutcome): void {
  for (const stage of outcome.stages) {
    const seconds = (stage.ms / 1000).toFixed(1);
    const skipped = stage.specs.filter((s) => s.skipped).length;
    const counted = stage.specs.length - skipped;
    const passed = stage.specs.filter((s) => s.ok && !s.skipped).length;
    const skipNote = skipped === 0 ? '' : `, ${skipped} not for this Node or system`;
    console.log(`\n${stage.name === 'unit specs' ? 'The unit specs' : "The lesson's check"} (${stage.files.join(', ')}), with your files:`);
    for (const spec of stage.specs.filter((s) => !s.ok)) {
      console.log(`  ✗ ${spec.sentence}`);
      if (spec.reason) console.log(`      ${spec.reason}`);
    }
    for (const error of stage.errors) console.log(`  ✗ ${error}`);
    if (stage.specs.length === 0) console.log(`  no spec ran (${seconds} s)`);
    else console.log(`  ${stage.ok ? '✓ all' : `${passed} of`} ${counted} pass${skipNote} (${seconds} s)`);
  }
  if (outcome.lessonWaiting) console.log(`\nThe lesson's check (${lessonCheckOf(exercise)}) runs once every unit spec passes.`);
  const lesson = outcome.stages.find((s) => s.name === 'lesson check');
  if (lesson !== undefined && !lesson.ok) {
    console.log(`\nThe lesson's check compares the lesson's output with its README. See that output, with your files:`);
    console.log(`  npm run exercise ${N} -- --run`);
  }
  if (outcome.ok) {
    console.log(`\nDone: your ${Object.keys(exercise.files).map((f) => path.basename(f)).join(' and ')} pass${Object.keys(exercise.files).length === 1 ? 'es' : ''} what src's does.`);
    for (const file of Object.keys(exercise.files)) console.log(`Compare with the engine's: git diff --no-index ${file} ${rel(path.join(workspace, file))}`);
  } else {
    const hints = readState().hintsShown;
    if (hints < exercise.hints.length) console.log(`\nStuck? npm run exercise ${N} -- --hint (${hints} of ${exercise.hints.length} shown so far)`);
  }
}

if (hinting) {
  needWorkspace();
  const state = readState();
  if (state.hintsShown >= exercise.hints.length) {
    console.log(`That was every hint (${exercise.hints.length}). The answer itself is the engine's file: ${Object.keys(exercise.files).join(', ')}.`);
    exercise.hints.forEach((hint, i) => console.log(`\nhint ${i + 1}: ${hint}`));
  } else {
    const n = state.hintsShown + 1;
    console.log(`hint ${n} of ${exercise.hints.length}: ${exercise.hints[n - 1]}`);
    writeState({ ...state, hintsShown: n });
  }
} else if (resetting) {
  needWorkspace();
  const previous = path.join(workspace, '.previous');
  fs.rmSync(previous, { recursive: true, force: true });
  for (const file of Object.keys(exercise.files)) {
    const mine = path.join(workspace, file);
    if (!fs.existsSync(mine)) continue;
    fs.mkdirSync(path.dirname(path.join(previous, file)), { recursive: true });
    fs.renameSync(mine, path.join(previous, file));
  }
  console.log(`Exercise ${exercise.number}: your files are now in ${rel(previous)}/, and the skeleton is back:`);
  writeSkeleton();
  console.log(`(hints already shown: ${readState().hintsShown}; they stay shown)`);
} else if (running) {
  needWorkspace();
  const main = path.join(path.dirname(lessonCheckOf(exercise)), 'main.ts');
  console.log(`Lesson ${exercise.number} (${main}), with your ${Object.keys(exercise.files).join(' and ')} from ${rel(workspace)}/:\n`);
  const env = { ...process.env, ...redirectEnv(workspace, Object.keys(exercise.files)) };
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], { cwd: ROOT, env, stdio: 'inherit' });
  process.on('SIGINT', () => {}); // the lesson gets Ctrl-C too (same terminal) and stops its workers
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else if (checking) {
  needWorkspace();
  if (!json) console.log(`Exercise ${exercise.number}, ${exercise.title}: checking ${rel(workspace)}/`);
  const outcome = await check(exercise, workspace, (lessonOption as 'always' | 'never' | undefined) ?? 'auto');
  if (json) console.log(JSON.stringify(outcome));
  else printOutcome(outcome);
  // Exit now: a stage that was stopped may leave a handle of the learner's code behind.
  process.exit(outcome.ok ? 0 : 1);
} else if (fs.existsSync(workspace)) {
  console.log(`Exercise ${exercise.number}, ${exercise.title}: ${rel(workspace)}/ is there already (npm run exercise ${N} -- --reset starts over).`);
  instructions();
} else {
  console.log(`Exercise ${exercise.number}, ${exercise.title}\n\nYou write ${exercise.writes}.\n`);
  writeSkeleton();
  writeState({ hintsShown: 0 });
  instructions();
}
