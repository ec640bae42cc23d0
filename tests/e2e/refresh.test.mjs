// Refresh: an expired access token is renewed with the refresh token, once, even when
// many callers ask at the same moment (the provider rotates refresh tokens and revokes
// the grant when one is used twice).

import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  appStatus, callApi, clickCallApi, e2eTest, getAccessToken, login, openApp, setupSuite, tokenRequests,
} from './harness.mjs';

const AT_TTL = Number(process.env.E2E_AT_TTL || 8);
const env = setupSuite({ atTtl: AT_TTL });

const waitForExpiry = () => sleep(AT_TTL * 1000 + 1500);

function assertNoRefreshTokenReuse(ledger) {
  const sent = tokenRequests(ledger, 'refresh_token').map((e) => e.refresh_token);
  assert.equal(new Set(sent).size, sent.length, 'a refresh token was sent twice');
}

e2eTest(env, 'G03 expired access token: getAccessToken refreshes once and the new token works', async ({ page, servers }) => {
  await openApp(page, servers);
  await login(page, servers);
  assert.equal(await appStatus(page), 'signed_in');
  const first = await getAccessToken(page);
  assert.equal(first.error, undefined, JSON.stringify(first.error));

  await waitForExpiry();
  assert.equal((await callApi(servers, first.token)).status, 401, 'the first access token has expired at the provider');
  await servers.resetLedger();

  const second = await getAccessToken(page);
  assert.equal(second.error, undefined, JSON.stringify(second.error));
  assert.notEqual(second.token, first.token, 'a new access token after expiry');

  const ledger = await servers.ledger();
  const refreshes = tokenRequests(ledger, 'refresh_token');
  assert.equal(refreshes.length, 1, 'exactly one refresh_token grant');
  assert.equal(refreshes[0].status, 200);
  assert.equal(refreshes[0].client_id, 'spa');
  assert.equal(tokenRequests(ledger).length, 1, 'no other token request');
  assert.ok((await servers.issued()).accessTokens.includes(second.token));

  assert.equal((await callApi(servers, second.token)).status, 200, 'the provider accepts the new token');
  const api = await clickCallApi(page);
  assert.equal(api.status, 200, `Call API after the refresh: ${JSON.stringify(api)}`);
  assert.equal(await appStatus(page), 'signed_in');
  assertNoRefreshTokenReuse(await servers.ledger());
});

e2eTest(env, 'G01 50 concurrent getAccessToken() after expiry: one refresh request, one token for all', async ({ page, servers }) => {
  await openApp(page, servers);
  await login(page, servers);
  assert.equal(await appStatus(page), 'signed_in');
  await waitForExpiry();
  await servers.resetLedger();

  const results = await page.evaluate(async () => {
    const calls = Array.from({ length: 50 }, () => window.__auth.getAccessToken());
    const settled = await Promise.allSettled(calls);
    return settled.map((r) => (r.status === 'fulfilled' ? { token: r.value } : { error: r.reason && r.reason.code }));
  });
  const failures = results.filter((r) => r.error !== undefined);
  assert.deepEqual(failures, [], 'every call resolves');
  const tokens = new Set(results.map((r) => r.token));
  assert.equal(tokens.size, 1, 'all 50 calls resolve to the same access token');
  const [token] = tokens;

  const ledger = await servers.ledger();
  assert.equal(tokenRequests(ledger, 'refresh_token').length, 1, 'exactly one refresh request');
  assert.equal(tokenRequests(ledger).length, 1);
  assertNoRefreshTokenReuse(ledger);
  assert.ok((await servers.issued()).accessTokens.includes(token));
  assert.equal((await callApi(servers, token)).status, 200);
});
