/**
 * Writes the trace page: one self-contained HTML file, with its styles, its
 * script (page.ts and model.ts, bundled by esbuild) and the trace itself
 * inline, so it opens from file:// with no network and no server.
 *
 *   the JSONL file's text, `<` escaped => <script type="application/x-ndjson">
 *   page.ts + model.ts => esbuild (one IIFE, no minifying) => <script>
 *
 * Mirrors: nothing — teaching aid
 * Read next: scripts/trace-render/page.ts (what the script does), scripts/trace-render/main.ts (--html)
 */
import { buildSync } from 'esbuild';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseTrace } from './model.ts';

const PAGE_TS = fileURLToPath(new URL('./page.ts', import.meta.url));

let bundled: string | null = null;

/** page.ts and what it imports, as one script for the browser (built once per process). */
export function pageScript(): string {
  bundled ??= buildSync({
    entryPoints: [PAGE_TS], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2020',
    charset: 'utf8', legalComments: 'none',
  }).outputFiles[0].text;
  return bundled;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const STYLE = `
* { box-sizing: border-box; }
html, body { height: 100%; margin: 0; }
body { font: 13px/1.35 system-ui, sans-serif; color: #1d1d1f; background: #fff; display: flex; flex-direction: column; }
header { padding: 8px 14px; border-bottom: 1px solid #ddd; background: #f7f7f9; }
h1 { font-size: 15px; margin: 0 0 6px; } h1 small { font-weight: normal; color: #666; margin-left: .6em; }
#runs button { margin: 0 4px 6px 0; border: 1px solid #bbb; background: #fff; border-radius: 4px; padding: 2px 8px; cursor: pointer; font: inherit; }
#runs button.current { background: #1f4e8c; border-color: #1f4e8c; color: #fff; }
.controls { display: flex; align-items: center; gap: 6px; flex-wrap: wrap; }
.controls button { font: inherit; padding: 2px 9px; border: 1px solid #bbb; background: #fff; border-radius: 4px; cursor: pointer; }
#position { font-weight: 600; margin-left: 6px; } .help { color: #666; margin-left: auto; }
#warning:empty { display: none; } #warning { color: #8a4b00; margin-top: 4px; }
main { flex: 1; display: flex; min-height: 0; }
#diagram { flex: 1; display: flex; flex-direction: column; min-width: 0; }
#lane-head { position: relative; height: 38px; border-bottom: 1px solid #ddd; background: #fff; flex: none; }
#lane-head .lane { position: absolute; top: 4px; text-align: center; font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#lane-head .lane small { display: block; font-weight: normal; color: #2d6a2d; font-size: 11px; }
#lane-head .time { position: absolute; left: 10px; top: 10px; color: #666; }
#scroller { flex: 1; overflow: auto; position: relative; }
#canvas { position: relative; min-width: 100%; }
#lane-lines { position: absolute; top: 0; bottom: 0; pointer-events: none;
  background-image: linear-gradient(to right, transparent calc(50% - 1px), #d5d5dc calc(50% - 1px), #d5d5dc calc(50% + 1px), transparent calc(50% + 1px));
  background-repeat: repeat; }
.row { position: absolute; left: 0; right: 0; height: ${24}px; cursor: pointer; white-space: nowrap; }
.row:hover { background: #f3f6fb; } .row.selected { background: #ffeeb0; }
.row .time { position: absolute; left: 6px; top: 5px; width: 74px; text-align: right; color: #666; font: 11px ui-monospace, monospace; }
.arrow { position: absolute; top: 15px; height: 0; border-top: 2px solid #3a3a44; }
.arrow.reply { border-top-style: dashed; border-top-color: #6a6a78; }
.arrow::after { content: ''; position: absolute; top: -7px; border: 6px solid transparent; }
.arrow.right::after { right: -2px; border-left: 9px solid #3a3a44; border-right: 0; }
.arrow.left::after { left: -2px; border-right: 9px solid #3a3a44; border-left: 0; }
.arrow.reply.right::after { border-left-color: #6a6a78; } .arrow.reply.left::after { border-right-color: #6a6a78; }
.arrow .label { position: absolute; left: 50%; transform: translateX(-50%); top: -15px; font: 11px ui-monospace, monospace; background: rgba(255,255,255,.85); padding: 0 3px; }
.arrow .label.handle { color: #8b1e6b; font-weight: 600; }
.tag, .marker { position: absolute; top: 4px; transform: translateX(-50%); font-size: 11px; padding: 0 6px; border-radius: 8px; line-height: 16px; }
.tag.state { background: #dbe8fb; color: #1f4e8c; border: 1px solid #9dbbe6; }
.tag.note { background: #eee; color: #555; font-style: italic; border: 1px solid #ccc; }
.marker { transform: none; margin-left: 8px; background: #dcf2dc; color: #1f5e1f; border: 1px solid #93c993; z-index: 1; }
.marker.user { background: #efe0f7; color: #5b2a7a; border-color: #c59fdd; }
.row .text { position: absolute; top: 5px; font: 11.5px ui-monospace, monospace; color: #333; }
.row.state .text { color: #1f4e8c; } .row.note .text { color: #666; font-style: italic; }
aside { width: 380px; flex: none; border-left: 1px solid #ddd; padding: 10px 14px; overflow: auto; background: #fcfcfd; }
aside h2 { font-size: 14px; margin: 0; } aside h3 { font-size: 13px; margin: 14px 0 6px; color: #444; }
#step-time { color: #666; font-size: 12px; }
#step-parts { display: grid; grid-template-columns: 80px 1fr; gap: 3px 8px; margin: 8px 0; }
#step-parts dt { color: #666; } #step-parts dd { margin: 0; font: 11.5px ui-monospace, monospace; word-break: break-all; }
details summary { color: #666; cursor: pointer; font-size: 12px; }
#step-line { white-space: pre-wrap; word-break: break-all; font: 11.5px ui-monospace, monospace; background: #f1f1f4; padding: 6px; border-radius: 4px; }
.listener { border: 1px solid #ddd; border-radius: 6px; padding: 6px 8px; margin-bottom: 8px; background: #fff; }
.listener.changed { border-color: #e0a800; box-shadow: 0 0 0 2px #ffe28a; }
.listener h4 { margin: 0 0 4px; font: 600 11.5px ui-monospace, monospace; word-break: break-all; }
.listener dl { display: grid; grid-template-columns: 70px 1fr; gap: 4px 8px; margin: 0; align-items: center; }
.listener dt { color: #666; } .listener dd { margin: 0; display: flex; flex-wrap: wrap; gap: 3px; align-items: center; }
.chip { background: #e6eefb; border: 1px solid #9dbbe6; border-radius: 4px; padding: 0 5px; font: 11.5px ui-monospace, monospace; }
.inflight .chip { background: #fde7d6; border-color: #e8a777; }
.queued { width: 10px; height: 14px; background: #c0392b; border-radius: 2px; }
.count, .none { color: #777; font-size: 12px; }
#workers { list-style: none; padding: 0; margin: 0; } #workers li { display: flex; gap: 8px; } #workers b { font-weight: normal; color: #1f5e1f; }
`;

/**
 * The whole page for a JSONL trace, as the file holds it (the page parses
 * it, and counts what it cannot read): `source` names that file.
 */
export function renderPage(jsonl: string, options: { source: string }): string {
  // In JSON, `<` can only stand inside a string, where \u003c means the same:
  // so no line can close the script element early.
  const data = jsonl.replace(/</g, '\\u003c');
  const script = pageScript().replace(/<\/script/gi, '<\\/script');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>mini-cluster trace · ${escapeHtml(options.source)}</title>
<style>${STYLE}</style></head>
<body>
<header>
  <h1>mini-cluster trace<small>${escapeHtml(options.source)}</small></h1>
  <nav id="runs"></nav>
  <div class="controls">
    <button id="first" title="Home">« first</button><button id="prev" title="←">← back</button><button id="play" title="space" aria-pressed="false">▶ play</button><button id="next" title="→">next →</button><button id="last" title="End">last »</button>
    <span id="position"></span>
    <span class="help">← → step · Home End jump · space plays · click a line · the address keeps the step (#step=12)</span>
  </div>
  <div id="warning"></div>
</header>
<main>
  <section id="diagram">
    <div id="lane-head"></div>
    <div id="scroller"><div id="canvas"><div id="lane-lines"></div><div id="rows"></div></div></div>
  </section>
  <aside>
    <h2 id="step-title">Selected step</h2>
    <div id="step-time"></div>
    <dl id="step-parts"></dl>
    <details><summary>as MINI_CLUSTER_TRACE=1 prints it</summary><pre id="step-line"></pre></details>
    <h3>Listeners after this step</h3>
    <div id="listeners"></div>
    <h3>Workers: last lifecycle mark so far</h3>
    <ul id="workers"></ul>
  </aside>
</main>
<script type="application/x-ndjson" id="trace-data">
${data}
</script>
<script>
${script}
</script>
</body></html>
`;
}

/**
 * Write the page for a JSONL file to `out` (`source` names it in the page's
 * title, the file's path by default); returns the lines it could not read.
 */
export function writeTracePage(file: string, out: string, source = file): { badLines: number } {
  const text = fs.readFileSync(file, 'utf8');
  const tmp = `${out}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, renderPage(text, { source }));
  fs.renameSync(tmp, out); // whole or not at all, even if another run writes the same page
  return { badLines: parseTrace(text).badLines };
}
