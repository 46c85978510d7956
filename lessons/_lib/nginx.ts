/**
 * Real nginx for the lessons (14 and 15): a config of ours in a temporary
 * directory, nginx in the foreground with one process, listening on
 * 127.0.0.1 only, stopped by its pid with SIGQUIT (its graceful stop). The
 * system's nginx service is never touched. Where nginx cannot be found on
 * the PATH, startNginx() says why, and the lesson shows what it would run.
 *
 * Mirrors: nothing — teaching helper
 * Read next: lessons/14-beyond-one-process-group/main.ts (upstream in front of three processes)
 *
 *   startNginx({ servers }) => <tmp>/nginx.conf => nginx -p <tmp> -c nginx.conf => listening => stop(): SIGQUIT, rm -r <tmp>
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sleep, track } from './lesson.ts';

/** What goes inside `http { }` after the plumbing: upstream and server blocks, indented by two. */
export type HttpBlocks = string;

/** The whole config: one process in the foreground, every path in `dir`. */
export function nginxConfig(dir: string, writtenBy: string, blocks: HttpBlocks): string {
  return `# written by ${writtenBy}; everything stays in ${dir}
daemon off;            # stay in the foreground: the lesson started it and stops it by pid
master_process off;    # one process, no workers: one pid to stop
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${blocks}}
`;
}

/** The interesting lines of a config, for the transcript: from the first upstream to the end of http. */
export function showConfig(config: string, indent = '  '): void {
  const start = config.indexOf('  upstream');
  for (const line of config.slice(start).split('\n').slice(0, -2)) console.log(`${indent}${line}`);
}

/** nginx's version if `nginx` is on the PATH, else null. */
export function nginxVersion(): string | null {
  const version = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) return null;
  return /nginx\/([\d.]+)/.exec(version.stderr)?.[1] ?? '?';
}

export interface Nginx { proc: ChildProcess; dir: string; version: string; config: string; stop(): Promise<string> }

export const NOT_INSTALLED = 'nginx is not installed (Debian/Ubuntu: apt-get install nginx)';

/**
 * Start nginx with `blocks` and wait until it accepts on `port` (the first
 * `listen` of the blocks); a string says why it could not run. Prints the
 * config's upstream and server blocks as it starts.
 */
export async function startNginx(port: number, writtenBy: string, blocks: HttpBlocks): Promise<Nginx | string> {
  const version = nginxVersion();
  if (version === null) return NOT_INSTALLED;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mini-cluster-nginx-'));
  const config = nginxConfig(dir, writtenBy, blocks);
  writeFileSync(path.join(dir, 'nginx.conf'), config);
  // -p: the prefix for relative paths; -e: the error log from the start (before the config is read).
  const proc = track(spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] }));
  let stderr = '';
  proc.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  console.log(`  nginx ${version} found: starting it with a config of ours, ${path.join(dir, 'nginx.conf')}:`);
  showConfig(config);
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) break;
    if (await canConnect(port)) {
      const stop = async (): Promise<string> => {
        const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
        proc.kill('SIGQUIT'); // nginx's graceful stop
        const code = await exited;
        rmSync(dir, { recursive: true, force: true });
        return `nginx stopped (SIGQUIT to pid ${proc.pid}, exit code ${code}), its temp dir removed`;
      };
      return { proc, dir, version, config, stop };
    }
    await sleep(30);
  }
  proc.kill('SIGKILL');
  let log = '';
  try { log = readFileSync(path.join(dir, 'error.log'), 'utf8'); } catch { /* no log */ }
  rmSync(dir, { recursive: true, force: true });
  return `nginx did not start (${(stderr + log).trim().split('\n').at(-1) ?? 'no message'})`;
}

export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
  });
}

/** A port that was free a moment ago (for a config written before anything listens). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
