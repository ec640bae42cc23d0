// Runs the example: the development OpenID provider and the static app server.
//
//   node www-example/demo.mjs        (after building the package into pkg/)
//
// Environment: OP_PORT (default 9000), APP_PORT (default 8080), AT_TTL (default 300),
// OXIDC_PKG_DIR (default <repo>/pkg). Stop with Ctrl-C.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const OP_PORT = process.env.OP_PORT || '9000';
const APP_PORT = process.env.APP_PORT || '8080';
const APP_ORIGIN = `http://127.0.0.1:${APP_PORT}`;
const ISSUER = `http://127.0.0.1:${OP_PORT}`;
const PKG_DIR = resolve(process.env.OXIDC_PKG_DIR || join(HERE, '..', 'pkg'));

if (!existsSync(join(PKG_DIR, 'index.js'))) {
  console.error(`The package is not built: ${join(PKG_DIR, 'index.js')} is missing. Build it first (make pkg).`);
  process.exit(1);
}
if (!existsSync(join(HERE, 'node_modules', 'oidc-provider'))) {
  console.error(`oidc-provider is not installed: run "npm ci" in ${HERE}`);
  process.exit(1);
}

const children = [];
let stopping = false;

function start(name, script, env, readyPrefix) {
  const child = spawn(process.execPath, [join(HERE, script)], {
    cwd: HERE,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const ready = new Promise((resolveReady, rejectReady) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith(readyPrefix)) resolveReady(line.slice(readyPrefix.length).trim());
      else console.log(`[${name}] ${line}`);
    });
    createInterface({ input: child.stderr }).on('line', (line) => {
      // oidc-provider's start-up notices about development-only features are expected here.
      if (!/oidc-provider WARNING/.test(line)) console.error(`[${name}] ${line}`);
    });
    child.on('exit', (code, signal) => {
      rejectReady(new Error(`${name} exited (${signal || code}) before it was ready`));
      if (!stopping) {
        console.error(`${name} stopped (${signal || code}); shutting down`);
        stop(1);
      }
    });
  });
  return ready;
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
  setTimeout(() => process.exit(code), 300).unref();
  Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null
    ? null
    : new Promise((r) => { c.once('exit', r); })))).then(() => process.exit(code));
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

try {
  const [issuer, appUrl] = await Promise.all([
    start('provider', 'provider.mjs', { OP_PORT, APP_ORIGIN }, 'provider ready '),
    start('app', 'serve.mjs', { APP_PORT, OP_ISSUER: ISSUER, OXIDC_PKG_DIR: PKG_DIR }, 'app ready '),
  ]);
  console.log('');
  console.log(`  oxidc demo:      ${appUrl}`);
  console.log(`  OpenID provider: ${issuer}`);
  console.log('');
  console.log('  Open the app and log in with any username and password.');
  console.log('  Press Ctrl-C to stop.');
} catch (err) {
  console.error(err.message);
  stop(1);
}
