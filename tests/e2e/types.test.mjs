// The package's TypeScript declarations: a typed app compiles against them, and misuse does not.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { PKG_DIR, requirePackage } from './harness.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');

function check(file) {
  requirePackage();
  assert.ok(existsSync(join(PKG_DIR, 'index.d.ts')), 'pkg/index.d.ts exists');
  const dir = mkdtempSync(join(tmpdir(), 'oxidc-types-'));
  try {
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        strict: true, noEmit: true, target: 'es2022', module: 'es2022', moduleResolution: 'bundler',
        skipLibCheck: false, paths: { oxidc: [join(PKG_DIR, 'index.d.ts')] },
      },
      files: [join(HERE, 'types', file)],
    }));
    execFileSync(process.execPath, [tsc, '-p', dir], { stdio: 'pipe' });
    return '';
  } catch (e) {
    return String(e.stdout || e.message);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('types: a strict TypeScript app type-checks against index.d.ts', () => {
  assert.equal(check('app.ts'), '');
});

test('types: misuse is a compile error (missing option, refresh token, wrong types)', () => {
  const out = check('misuse.ts');
  const errors = out.split('\n').filter((l) => /misuse\.ts\(\d+,\d+\): error/.test(l));
  assert.equal(errors.length, 5, out);
});

test('docs: every error code the page facade and the worker raise themselves has a row in the README', async () => {
  const { readFileSync } = await import('node:fs');
  const repo = join(HERE, '..', '..');
  const sources = ['src/facade/client.js', 'pkg-template/index.js', 'pkg-template/worker.js', 'pkg-template/engine.js']
    .map((f) => readFileSync(join(repo, f), 'utf8')).join('\n');
  // The first argument of pageError(...), popupError(...) and new OidcError(...), across line breaks.
  const codes = new Set([...sources.matchAll(/(?:pageError|popupError|new OidcError)\(\s*"([a-z_]+)"/g)].map((m) => m[1]));
  for (const code of ['popup_blocked', 'popup_closed', 'popup_timeout', 'popup_pending', 'worker_unavailable', 'no_pending_login']) {
    assert.ok(codes.has(code), `found ${code} in the sources (found: ${[...codes]})`);
  }
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  for (const code of codes) assert.ok(readme.includes(`| \`${code}\` |`), `README.md has no row for error code \`${code}\``);
});
