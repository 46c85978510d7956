/**
 * The quickstart demo: a primary with 4 workers running an unmodified HTTP
 * server, under round robin and then under SCHED_NONE; 16 requests on new
 * connections each, and which worker served every one of them. With --html,
 * both primaries trace into one file, written out as a page to step through
 * (one run per policy).
 *
 * Mirrors: nothing — teaching helper
 * Read next: README.md (Concepts), lessons/README.md
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKERS = 4;
const REQUESTS = 16;

if (process.env.DEMO_ROLE === 'primary') await runPrimary();
else await runBoth();

/** Each policy runs in a primary process of its own: the policy freezes at the first fork. */
async function runBoth(): Promise<void> {
  const trace = process.argv.includes('--html') ? traceFile() : null;
  for (const policy of ['rr', 'none']) {
    const title = policy === 'rr' ? 'round robin (SCHED_RR): the primary accepts and hands off' : 'SCHED_NONE: every worker accepts on the shared socket';
    console.log(`\n== ${title}`);
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
      env: { ...process.env, ...(trace && { MINI_CLUSTER_TRACE: trace.file }), DEMO_ROLE: 'primary', NODE_CLUSTER_SCHED_POLICY: policy },
      stdio: 'inherit',
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await new Promise((resolve) => child.on('exit', resolve));
    clearTimeout(timer);
  }
  console.log('\nRound robin rotates strictly through idle workers; SCHED_NONE lets the kernel pick,');
  console.log('so its split is uneven. Next: lessons/README.md, or `npm run spec` for the specification.');
  if (trace) {
    const { writeTracePage } = await import('./trace-render/html.ts');
    const out = path.join(os.tmpdir(), 'mini-cluster-demo.html');
    writeTracePage(trace.file, out, 'npm run demo -- --html: run 1 round robin, run 2 SCHED_NONE');
    if (trace.own) rmSync(trace.file, { force: true });
    console.log(`\ntrace page: ${out} (open it in a browser: → and ← step, space plays)`);
  }
}

/** Where both primaries append their trace: the learner's MINI_CLUSTER_TRACE=path.jsonl, or a temp file of our own. */
function traceFile(): { file: string; own: boolean } {
  const setting = process.env.MINI_CLUSTER_TRACE ?? '';
  if (setting !== '' && setting !== '0' && setting !== '1') return { file: path.resolve(setting), own: false };
  const file = path.join(os.tmpdir(), `mini-cluster-demo-trace-${process.pid}.jsonl`);
  rmSync(file, { force: true });
  return { file, own: true };
}

async function runPrimary(): Promise<void> {
  const { default: cluster } = await import('../src/index.ts');
  const http = await import('node:http');
  cluster.setupPrimary({ exec: path.join(here, '../test/fixtures/http-worker.ts') });
  const workers = Array.from({ length: WORKERS }, () => cluster.fork());
  const byPid = new Map(workers.map((w) => [String(w.process.pid), w.id]));
  const port = await new Promise<number>((resolve) => {
    let listening = 0;
    cluster.on('listening', (worker, address) => {
      console.log(`worker ${worker.id} (pid ${worker.process.pid}) listening on ${address.address}:${address.port}`);
      if (++listening === WORKERS) resolve(address.port);
    });
  });
  const served: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const pid = await new Promise<string>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, agent: false }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk)).on('end', () => resolve(body));
      }).on('error', reject);
    });
    served.push(byPid.get(pid) ?? -1);
  }
  console.log(`request → worker: ${served.join(' ')}`);
  for (const worker of workers) {
    const n = served.filter((id) => id === worker.id).length;
    console.log(`  worker ${worker.id} ${'█'.repeat(n * 2)} ${n}`);
  }
  cluster.disconnect();
}
