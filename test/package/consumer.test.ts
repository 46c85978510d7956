// The package as a user meets it: the `npm pack` tarball installed into a
// temporary folder (test/helpers/package.ts), programs run with plain node,
// TypeScript programs type-checked against the shipped types. Each program
// is in test/fixtures/package/; its node:cluster twin is the same text with
// the import changed.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { installedPackage, root } from '../helpers/package.ts';

const fixtures = path.join(root, 'test/fixtures/package');
let app = '';

beforeAll(async () => {
  app = (await installedPackage()).app;
  // The programs sit in the consumer folder, so 'mini-cluster' resolves to the installed tarball.
  for (const file of fs.readdirSync(fixtures)) {
    const text = fs.readFileSync(path.join(fixtures, file), 'utf8');
    fs.writeFileSync(path.join(app, file), text);
    fs.writeFileSync(path.join(app, `node-${file}`), text.replaceAll("'mini-cluster'", "'node:cluster'"));
  }
}, 180_000);

function node(args: string[], env: Record<string, string> = {}): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: app, env: { ...process.env, ...env }, timeout: 15_000 }, (err, stdout, stderr) => {
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? ''));
      } catch {
        reject(new Error(`node ${args.join(' ')} printed no result: ${err?.message}\n${stdout}\n${stderr}`));
      }
    });
  });
}

describe.each(['rr', 'none'] as const)('the packed package under %s, on plain node', (policy) => {
  const env = { NODE_CLUSTER_SCHED_POLICY: policy };

  it('runs an ESM program whose workers never import it, as node:cluster runs it', async () => {
    const [mini, nodeCluster] = await Promise.all([node(['esm-app.mjs'], env), node(['node-esm-app.mjs'], env)]);
    expect(mini.named).toEqual({ isPrimary: true, workerIsClusterWorker: true, instance: true, SCHED_RR: 2 });
    expect(mini.named).toEqual(nodeCluster.named);
    expect(mini).toMatchObject({ policy, samePort: true });
    expect(mini.served).toHaveLength(6);
    // Round robin alternates between the two idle workers; the kernel may not.
    if (policy === 'rr') expect(mini.served).toEqual(['w1', 'w1', 'w1', 'w2', 'w2', 'w2']);
    expect(nodeCluster).toMatchObject({ policy, samePort: true });
  }, 30_000);

  it('runs a CommonJS program: require() gives the cluster itself, with node:cluster keys', async () => {
    const [mini, nodeCluster] = await Promise.all([node(['cjs-app.cjs'], env), node(['node-cjs-app.cjs'], env)]);
    expect(mini.keys).toEqual(nodeCluster.keys);
    expect(mini.sameAsEsmDefault).toBe(true);
    expect(mini).toMatchObject({ policy, samePort: true });
    if (policy === 'rr') expect(mini.served).toEqual(['w1', 'w1', 'w1', 'w2', 'w2', 'w2']);
  }, 30_000);
});

describe('a worker of the packed package', () => {
  it("gets exactly the primary's execArgv, and its own children keep the user's preload", async () => {
    const args = ['--require', './user-preload.cjs'];
    const [mini, nodeCluster] = await Promise.all([node([...args, 'exec-argv.cjs']), node([...args, 'node-exec-argv.cjs'])]);
    expect(mini).toEqual({ ...nodeCluster });
    expect(mini).toEqual({
      primary: args, worker: args, workerPreloaded: true,
      grandchild: { execArgv: args, preloaded: true, isWorker: false },
    });
  }, 30_000);
});

describe('the shipped types', () => {
  it('type-check ESM and CommonJS TypeScript programs written as for node:cluster', async () => {
    fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: false,
        types: ['node'], typeRoots: [path.join(root, 'node_modules/@types')],
      },
      files: ['consumer.mts', 'consumer.cts'],
    }));
    const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
    const output = await new Promise<string>((resolve) => {
      execFile(process.execPath, [tsc, '-p', app], { cwd: app, timeout: 60_000 }, (err, stdout, stderr) => resolve(err ? `${stdout}${stderr}` || String(err) : ''));
    });
    // Each program also holds a deliberate misuse under @ts-expect-error:
    // if the types were `any`, tsc would fail on that unused directive.
    expect(output).toBe('');
  }, 90_000);
});
