/**
 * The trace page's script, run in the browser: it reads the trace the
 * renderer embedded, builds the model (model.ts, the same code the specs
 * test), and draws it: one lane per process, one row per trace line, time
 * down the side, and the listeners' queues after the selected step.
 *
 *   embedded JSONL => modelFromText() => rows (only those in view are in the DOM)
 *   ← → Home End space, a click => select(step) => row highlight, state panel, #run=1&step=12
 *
 * Mirrors: nothing — teaching aid
 * Read next: scripts/trace-render/html.ts (bundles this file into the page), scripts/trace-render/model.ts
 */
import { describeRun, modelFromText, type Listener, type Run, type Step } from './model.ts';

const ROW = 24; // px per step: every row has the same height, so row n sits at n * ROW
const OVERSCAN = 15; // rows drawn above and below the visible ones
const TIME_WIDTH = 84; // px for the time column
const PLAY_MS = 600; // one step per 0.6 s while playing

const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** A new element with a class and a text; text only through textContent, never as HTML. */
function el(tag: string, className = '', text = ''): HTMLElement {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

const model = modelFromText(byId('trace-data').textContent ?? '');
const scroller = byId<HTMLDivElement>('scroller');
const canvas = byId<HTMLDivElement>('canvas');
const rowsLayer = byId<HTMLDivElement>('rows');
const laneLines = byId<HTMLDivElement>('lane-lines');
const laneHead = byId<HTMLDivElement>('lane-head');

let run: Run = model.runs[0];
let selected = 0; // index into run.steps
let laneWidth = 120;
let drawn: [number, number] = [-1, -1]; // the range of rows now in the DOM
let player: ReturnType<typeof setInterval> | null = null;

// ---- where things go ----

function laneX(lane: string): number {
  const i = Math.max(0, run.lanes.indexOf(lane));
  return TIME_WIDTH + laneWidth * (i + 0.5);
}

function layout(): void {
  const room = scroller.clientWidth - TIME_WIDTH - 320; // leave the text column 320 px at least
  laneWidth = Math.max(80, Math.min(150, Math.floor(room / Math.max(1, run.lanes.length))));
  canvas.style.height = `${run.steps.length * ROW}px`;
  laneLines.style.left = `${TIME_WIDTH}px`;
  laneLines.style.width = `${laneWidth * run.lanes.length}px`;
  laneLines.style.backgroundSize = `${laneWidth}px 100%`;
  drawn = [-1, -1];
}

// ---- the rows ----

function rowFor(step: Step, index: number): HTMLElement {
  const row = el('div', `row ${step.kind}`);
  row.style.top = `${index * ROW}px`;
  row.dataset.index = String(index);
  if (index === selected) row.classList.add('selected');
  row.append(el('span', 'time', `+${step.t.toFixed(1)}ms`));
  if (step.arrow) {
    const [x1, x2] = [laneX(step.arrow.from), laneX(step.arrow.to)];
    const arrow = el('div', `arrow ${x2 >= x1 ? 'right' : 'left'}${step.arrow.reply ? ' reply' : ''}`);
    arrow.style.left = `${Math.min(x1, x2)}px`;
    arrow.style.width = `${Math.abs(x2 - x1)}px`;
    const label = el('span', 'label', step.label);
    if (step.label.endsWith('+handle')) label.classList.add('handle');
    arrow.append(label);
    row.append(arrow);
  } else {
    const tag = el('span', `tag ${step.kind}`, step.label);
    tag.style.left = `${laneX(step.lane)}px`;
    row.append(tag);
  }
  if (step.marker) {
    const mark = el('span', `marker${step.marker.user ? ' user' : ''}`, step.marker.label);
    mark.style.left = `${laneX(step.marker.lane)}px`;
    row.append(mark);
  }
  const text = el('span', 'text', step.detail);
  text.style.left = `${TIME_WIDTH + laneWidth * run.lanes.length + 60}px`; // clear of a mark on the last lane
  text.title = step.line;
  row.append(text);
  return row;
}

/** Put into the DOM the rows in view (and a few around), and nothing else: 10,000 rows stay cheap. */
function drawRows(): void {
  const first = Math.max(0, Math.floor(scroller.scrollTop / ROW) - OVERSCAN);
  const last = Math.min(run.steps.length, Math.ceil((scroller.scrollTop + scroller.clientHeight) / ROW) + OVERSCAN);
  if (first === drawn[0] && last === drawn[1]) return;
  drawn = [first, last];
  const rows: HTMLElement[] = [];
  for (let i = first; i < last; i++) rows.push(rowFor(run.steps[i], i));
  rowsLayer.replaceChildren(...rows);
}

function drawLaneHead(step: Step | undefined): void {
  laneHead.replaceChildren(el('span', 'time', 'time'));
  for (const lane of run.lanes) {
    const head = el('span', 'lane', lane);
    head.dataset.lane = lane;
    head.style.left = `${laneX(lane) - laneWidth / 2}px`;
    head.style.width = `${laneWidth}px`;
    const status = step?.workers[lane];
    if (status) head.append(el('small', '', status));
    laneHead.append(head);
  }
}

// ---- the state panel ----

function chips(className: string, names: string[], empty: string): HTMLElement {
  const dd = el('dd', className);
  if (names.length === 0) dd.append(el('span', 'none', empty));
  for (const name of names) dd.append(el('span', 'chip', name));
  return dd;
}

function listenerBox(l: Listener, changed: boolean): HTMLElement {
  const box = el('section', `listener${changed ? ' changed' : ''}`);
  box.dataset.key = l.key;
  box.append(el('h4', '', l.key));
  const dl = el('dl');
  const handles = el('dd', 'handles');
  handles.dataset.count = String(l.handles);
  for (let i = 0; i < Math.min(l.handles, 40); i++) handles.append(el('span', 'queued'));
  handles.append(el('span', 'count', l.handles === 0 ? 'none waiting' : `${l.handles} waiting`));
  dl.append(
    el('dt', '', 'free'), chips('free', l.free, 'nobody idle'),
    el('dt', '', 'handles'), handles,
    el('dt', '', 'in flight'), chips('inflight', l.inflight, 'no newconn unanswered'),
    el('dt', '', 'workers'), chips('all', l.all, 'none: the listener is closed'),
  );
  for (const [name, value] of l.extra) {
    const dd = el('dd', 'extra', value);
    dd.dataset.name = name;
    dl.append(el('dt', '', name), dd);
  }
  box.append(dl);
  return box;
}

function drawPanel(step: Step | undefined): void {
  byId('position').textContent = step ? `step ${step.n} of ${run.steps.length}` : 'no steps';
  byId('step-time').textContent = step ? `+${step.t.toFixed(1)} ms · written by pid ${step.pid}` : '';
  byId('step-line').textContent = step ? step.line : '';
  byId('step-parts').replaceChildren(...(step?.parts ?? []).flatMap(([name, value]) => [el('dt', '', name), el('dd', '', value)]));
  const listeners = byId('listeners');
  const boxes = (step?.listeners ?? []).map((l) => listenerBox(l, l.key === step?.changed));
  const none = run.listenerKinds.includes('SharedHandle') && !run.listenerKinds.includes('RoundRobinHandle')
    ? 'A SharedHandle keeps no queues: every worker accepts on the shared socket itself, and the kernel picks (SCHED_NONE).'
    : 'No RoundRobinHandle has written its queues yet in this run.';
  listeners.replaceChildren(...(boxes.length ? boxes : [el('p', 'none', none)]));
  const workers = byId('workers');
  workers.replaceChildren(...run.lanes.filter((lane) => lane !== 'primary').map((lane) => {
    const item = el('li', '', lane);
    item.dataset.lane = lane;
    item.append(el('b', '', step?.workers[lane] ?? '–'));
    return item;
  }));
}

// ---- selecting a step ----

function select(index: number, scroll = true): void {
  if (run.steps.length === 0) return drawPanel(undefined);
  selected = Math.max(0, Math.min(run.steps.length - 1, index));
  if (scroll) {
    const top = selected * ROW;
    if (top < scroller.scrollTop || top + ROW > scroller.scrollTop + scroller.clientHeight) {
      scroller.scrollTop = Math.max(0, top - scroller.clientHeight / 3);
    }
  }
  drawRows();
  for (const row of rowsLayer.querySelectorAll('.row.selected')) row.classList.remove('selected');
  rowsLayer.querySelector(`.row[data-index="${selected}"]`)?.classList.add('selected');
  const step = run.steps[selected];
  drawPanel(step);
  drawLaneHead(step);
  writeHash();
}

function showRun(n: number, index = 0): void {
  run = model.runs.find((r) => r.n === n) ?? model.runs[0];
  for (const tab of document.querySelectorAll<HTMLButtonElement>('#runs button')) tab.classList.toggle('current', tab.dataset.run === String(run.n));
  layout();
  scroller.scrollTop = 0;
  select(index);
}

// ---- the address keeps the step: #step=12, or #run=2&step=12 ----

function writeHash(): void {
  const hash = `#${model.runs.length > 1 ? `run=${run.n}&` : ''}step=${selected + 1}`;
  if (location.hash === hash) return;
  try {
    history.replaceState(null, '', hash);
  } catch {
    location.replace(hash); // some browsers refuse replaceState on file:// pages
  }
}

function readHash(): { run: number; step: number } {
  const params = new URLSearchParams(location.hash.slice(1));
  return { run: Number(params.get('run')) || 1, step: Math.max(1, Number(params.get('step')) || 1) };
}

// ---- playing ----

function play(on: boolean): void {
  if (player !== null) clearInterval(player);
  player = null;
  if (on && selected >= run.steps.length - 1) select(0);
  if (on) {
    player = setInterval(() => {
      if (selected >= run.steps.length - 1) return play(false);
      select(selected + 1);
    }, PLAY_MS);
  }
  const button = byId('play');
  button.textContent = on ? '⏸ pause' : '▶ play';
  button.setAttribute('aria-pressed', String(on));
}

// ---- start ----

function start(): void {
  byId('runs').replaceChildren(...model.runs.map((r) => {
    const tab = el('button', '', describeRun(r, model.runs.length));
    tab.dataset.run = String(r.n);
    tab.addEventListener('click', () => (play(false), showRun(r.n)));
    return tab;
  }));
  if (model.badLines > 0) byId('warning').textContent = `${model.badLines} line(s) of the file were not trace events and were left out.`;
  if (model.runs.length === 0) {
    byId('warning').textContent = 'This trace has no lines.';
    return;
  }
  document.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const moves: Record<string, () => void> = {
      ArrowRight: () => select(selected + 1),
      ArrowLeft: () => select(selected - 1),
      Home: () => select(0),
      End: () => select(run.steps.length - 1),
      ' ': () => play(player === null),
    };
    const move = moves[event.key];
    if (move === undefined) return;
    event.preventDefault(); // no page scroll, no button press
    if (event.key !== ' ') play(false);
    move();
  });
  rowsLayer.addEventListener('click', (event) => {
    const row = (event.target as HTMLElement).closest<HTMLElement>('.row');
    if (row) (play(false), select(Number(row.dataset.index), false));
  });
  let queued = false;
  scroller.addEventListener('scroll', () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => ((queued = false), drawRows()));
  });
  window.addEventListener('resize', () => (layout(), select(selected, false)));
  window.addEventListener('hashchange', () => {
    const wanted = readHash();
    if (wanted.run !== run.n) showRun(wanted.run, wanted.step - 1);
    else if (wanted.step - 1 !== selected) select(wanted.step - 1);
  });
  for (const [id, go] of [['first', () => select(0)], ['prev', () => select(selected - 1)], ['next', () => select(selected + 1)],
    ['last', () => select(run.steps.length - 1)]] as const) byId(id).addEventListener('click', () => (play(false), go()));
  byId('play').addEventListener('click', () => play(player === null));
  const wanted = readHash();
  showRun(wanted.run, wanted.step - 1);
  document.body.dataset.ready = 'true'; // for the specs: the first step is drawn
}

start();
