// What oxidc ships to a browser, as an app's bundler would emit it: the page bundle (entry
// pkg/index.js), the worker bundle (entry pkg/worker.js, emitted as worker.js beside the page bundle,
// where the facade's `new URL("./worker.js", import.meta.url)` looks for it) and pkg/oxidc_bg.wasm
// (beside the worker: the engine resolves it against its own module URL). One recipe for the bytes
// row of `make bench` (bench.mjs) and for the size budget of `make test` (.ci/size-budget.sh).
//
//   node tests/bench/shipped.mjs <pkg dir> <out dir>
// writes <out dir>/page.js and <out dir>/worker.js, the two minified bundles.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

// esbuild --bundle --minify --format=esm --platform=browser --target=es2020 (the peer's bundle too).
export const ESBUILD_OPTIONS = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  define: { 'process.env.NODE_ENV': '"production"' },
  write: false,
  logLevel: 'silent',
};

async function build(options) {
  const result = await esbuild.build({ ...ESBUILD_OPTIONS, ...options });
  return Buffer.from(result.outputFiles[0].contents);
}

/** One minified ESM bundle of an entry file. */
export const bundleFile = (entry) => build({ entryPoints: [entry] });

/** One minified ESM bundle of an entry module given as source text, resolved from `resolveDir`. */
export const bundleSource = (contents, resolveDir) => build({ stdin: { contents, resolveDir, loader: 'js' } });

/** oxidc's two bundles: { page, worker } (Buffers). */
export async function bundleOxidc(pkgDir) {
  return {
    page: await bundleFile(join(pkgDir, 'index.js')),
    worker: await bundleFile(join(pkgDir, 'worker.js')),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [pkgDir, outDir] = process.argv.slice(2);
  if (!pkgDir || !outDir) {
    console.error('usage: node tests/bench/shipped.mjs <pkg dir> <out dir>');
    process.exit(2);
  }
  const { page, worker } = await bundleOxidc(resolve(pkgDir));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'page.js'), page);
  writeFileSync(join(outDir, 'worker.js'), worker);
}
