// Refresh-token policies of the provider: no rotation (G05) and a short refresh-token lifetime (G15).
// Each needs its own provider configuration, hence its own suite.

import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe } from 'node:test';

import {
  appStatus, callApi, e2eTest, getAccessToken, login, openApp, setupSuite, tokenRequests,
} from './harness.mjs';

describe('provider without refresh-token rotation', () => {
  const env = setupSuite({ atTtl: 300, env: { RT_ROTATE: '0' } });

  e2eTest(env, 'G05 no refresh_token in the refresh response: the old one is kept and used next time', async ({ page, servers }) => {
    await openApp(page, servers);
    await login(page, servers);
    await servers.resetLedger();
    for (let i = 0; i < 3; i += 1) {
      const r = await getAccessToken(page, { forceRefresh: true });
      assert.equal(r.error, undefined, JSON.stringify(r.error));
      assert.equal((await callApi(servers, r.token)).status, 200);
    }
    const sent = tokenRequests(await servers.ledger(), 'refresh_token');
    assert.equal(sent.length, 3);
    assert.ok(sent.every((e) => e.status === 200));
    assert.equal(new Set(sent.map((e) => e.refresh_token)).size, 1, 'the one refresh token, kept');
    assert.equal(await appStatus(page), 'signed_in');
  });
});

describe('provider with short-lived refresh tokens', () => {
  const RT_TTL = 6;
  const env = setupSuite({ atTtl: 3, env: { RT_TTL: String(RT_TTL) } });

  e2eTest(env, 'G15 idle past the refresh token lifetime: one rejected request, then login_required', async ({ page, servers }) => {
    await openApp(page, servers);
    await login(page, servers);
    await page.evaluate(() => {
      window.__events = [];
      window.__auth.subscribe((s) => window.__events.push({ event: s.event, reason: s.reason }));
    });
    await sleep((RT_TTL + 2) * 1000);
    await servers.resetLedger();
    const r = await getAccessToken(page);
    assert.equal(r.error?.code, 'login_required');
    const again = await getAccessToken(page);
    assert.equal(again.error?.code, 'login_required');
    const sent = tokenRequests(await servers.ledger(), 'refresh_token');
    assert.equal(sent.length, 1, 'exactly one request');
    assert.equal(sent[0].error, 'invalid_grant');
    assert.equal(await appStatus(page), 'signed_out');
    assert.deepEqual(await page.evaluate(() => window.__events), [{ event: 'signed_out', reason: 'refresh_rejected' }]);
  }, { allowRejections: true });
});
