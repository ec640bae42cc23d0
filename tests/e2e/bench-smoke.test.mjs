// A quick run of `make bench`'s measurement (one repetition, 50 hot-path calls), so that the benchmark
// cannot rot unnoticed: it must finish, report every row for both libraries, and oxidc's concurrency
// row must hold (one refresh request, every call fulfilled). oxidc's engine runs in a worker: its
// bundle counts in the shipped bytes and its heap in the JS heap row. Timings are not checked here.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { REPO, requirePackage } from './harness.mjs';

test('bench smoke: every row measured for both libraries; one refresh for 50 concurrent calls', { timeout: 240_000 }, () => {
  requirePackage();
  const out = mkdtempSync(join(tmpdir(), 'oxidc-bench-'));
  try {
    const run = spawnSync(process.execPath, [join(REPO, 'tests', 'bench', 'bench.mjs')], {
      env: { ...process.env, BENCH_REPS: '1', BENCH_N: '50', BENCH_OUT_DIR: out },
      encoding: 'utf8',
      timeout: 230_000,
    });
    assert.equal(run.status, 0, `bench failed:\n${(run.stderr || '').slice(-3000)}`);
    const report = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8'));
    const { oxidc, 'oidc-client-ts': peer } = report.results;
    for (const [name, r] of Object.entries({ oxidc, peer })) {
      for (const key of ['callbackToTokenMs', 'refreshMs', 'jsHeapKB']) {
        assert.ok(Number.isFinite(r[key]) && r[key] > 0, `${name}: ${key} = ${r[key]}`);
      }
      // 50 calls can finish within one tick of the page's coarse clock: 0 is a valid measurement.
      assert.ok(Number.isFinite(r.hotPathUs) && r.hotPathUs >= 0, `${name}: hotPathUs = ${r.hotPathUs}`);
      assert.ok(Number.isFinite(r.startupMs.total) && r.startupMs.total > 0, `${name}: start-up`);
    }
    assert.ok(oxidc.wasmMemoryKB > 0);
    assert.ok(oxidc.workers >= 1 && oxidc.jsHeapWorkersKB > 0 && oxidc.jsHeapPageKB > 0, 'oxidc: the page and its worker measured');
    assert.ok(Number.isFinite(oxidc.startupMs.workerToWasm) && Number.isFinite(oxidc.startupMs.wasmToClient), 'oxidc: start-up split at the wasm');
    assert.deepEqual(
      [oxidc.concurrent.refreshRequests, oxidc.concurrent.fulfilled],
      [1, oxidc.concurrent.calls],
      JSON.stringify(oxidc.concurrent),
    );
    const sizes = report.sizes.oxidc;
    assert.ok(sizes.js_page_minified.gzip > 0 && sizes.js_worker_minified.gzip > 0 && sizes.wasm.gzip > 0);
    assert.equal(sizes.shipped_minified.gzip, sizes.js_page_minified.gzip + sizes.js_worker_minified.gzip + sizes.wasm.gzip,
      'shipped = page bundle + worker bundle + wasm');
    assert.ok(report.sizes['oidc-client-ts'].shipped_minified.gzip > 0);
    assert.equal(report.table.length, 16, 'every row of the table');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
