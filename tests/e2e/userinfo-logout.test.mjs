// Userinfo (F01–F04) and logout with revocation and a checked state (J01–J06), against the real
// provider with fault injection where it would not misbehave on its own.

import assert from 'node:assert/strict';

import {
  appStatus, callApi, e2eTest, getAccessToken, login, logout, openApp, scanStorage, assertNoSecrets,
  setupSuite, tokenRequests, txKeys,
} from './harness.mjs';

const env = setupSuite({ atTtl: 300 });

const getUser = (page, opts) => page.evaluate(async (o) => {
  try {
    return { claims: await window.__auth.getUser(o) };
  } catch (e) {
    return { error: { code: e.code } };
  }
}, opts);

const userinfoCalls = async (servers) => (await servers.ledger()).filter((e) => e.route === 'userinfo');

async function signedIn(page, servers) {
  await openApp(page, servers);
  await login(page, servers);
  assert.equal(await appStatus(page), 'signed_in');
  await servers.resetLedger();
}

/** Session events, logged to the console so that they survive the navigation of a logout. */
function recordEvents(page) {
  const events = [];
  page.on('console', (m) => {
    const text = m.text();
    if (text.startsWith('oxidc-event ')) events.push(text.slice('oxidc-event '.length));
  });
  return page.evaluate(() => {
    window.__auth.subscribe((s) => console.log(`oxidc-event ${s.event}:${s.reason}`));
  }).then(() => events);
}

e2eTest(env, 'F02 F04 getUser: claims from userinfo, the access token only as a Bearer header, cached', async ({ page, servers }) => {
  await signedIn(page, servers);
  const { claims, error } = await getUser(page);
  assert.equal(error, undefined, JSON.stringify(error));
  assert.equal(claims.sub, 'alice');
  assert.equal(claims.email, 'alice@example.test', 'profile and email claims come from userinfo');
  const calls = await userinfoCalls(servers);
  assert.equal(calls.length, 1);
  assert.equal(calls[0].path, '/me', 'no token in the query');
  assert.equal(calls[0].status, 200);
  const { token } = await getAccessToken(page);
  const { createHash } = await import('node:crypto');
  assert.equal(calls[0].bearer, createHash('sha256').update(token).digest('hex').slice(0, 16), 'the current access token, in the Authorization header');
  await getUser(page);
  assert.equal((await userinfoCalls(servers)).length, 1, 'cached for the session');
  await getUser(page, { refresh: true });
  assert.equal((await userinfoCalls(servers)).length, 2);
});

e2eTest(env, 'F01 userinfo about another sub: refused, the claims are not exposed', async ({ page, servers }) => {
  await signedIn(page, servers);
  await servers.addFault({ route: 'userinfo', status: 200, body: { sub: 'foobar', email: 'mallory@example.com' } });
  const r = await getUser(page);
  assert.equal(r.error?.code, 'userinfo_sub_mismatch');
  assert.equal(r.claims, undefined);
  assert.equal(await appStatus(page), 'signed_in', 'the session itself is untouched');
  const again = await getUser(page);
  assert.equal(again.claims?.sub, 'alice', 'the refused answer was not cached');
});

e2eTest(env, 'F03 userinfo 401: exactly one renewal and one retry, then the error, no loop', async ({ page, servers }) => {
  await signedIn(page, servers);
  await servers.addFault({ route: 'userinfo', status: 401, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' }, body: { error: 'invalid_token' } });
  const ok = await getUser(page);
  assert.equal(ok.error, undefined, 'recovered after one renewal');
  assert.equal(tokenRequests(await servers.ledger(), 'refresh_token').length, 1);
  assert.equal((await userinfoCalls(servers)).length, 2);

  await servers.resetLedger();
  await servers.addFault({ route: 'userinfo', status: 401, body: { error: 'invalid_token' }, times: 2 });
  const failed = await getUser(page, { refresh: true });
  assert.equal(failed.error?.code, 'http_status');
  assert.equal(tokenRequests(await servers.ledger(), 'refresh_token').length, 1, 'one renewal');
  assert.equal((await userinfoCalls(servers)).length, 2, 'one retry');
});

e2eTest(env, 'J01 logout: tokens cleared, refresh token revoked, then the provider with hint, client, uri and state', async ({ page, servers }) => {
  await signedIn(page, servers);
  const { refreshTokens } = await servers.issued();
  const rt = refreshTokens[refreshTokens.length - 1];
  const events = await recordEvents(page);
  await logout(page, servers);
  const ledger = await servers.ledger();
  const revocation = ledger.findIndex((e) => e.route === 'revocation');
  const endSession = ledger.findIndex((e) => e.route === 'end_session' && e.method === 'GET');
  assert.ok(revocation >= 0, 'the refresh token was revoked');
  assert.ok(revocation < endSession, 'before leaving for the provider');
  const { createHash } = await import('node:crypto');
  assert.equal(ledger[revocation].token, createHash('sha256').update(rt).digest('hex').slice(0, 16));
  assert.equal(ledger[revocation].token_type_hint, 'refresh_token');
  assert.equal(ledger[revocation].client_id, 'spa');
  assert.equal(ledger[revocation].status, 200);
  assert.deepEqual(events, ['signed_out:logged_out'], 'cleared first; no revocation error');
  assert.deepEqual(await page.evaluate(() => window.__logout), { ok: true, pending: true }, 'the state came back unchanged');
  assert.equal(await appStatus(page), 'signed_out');
  // The revoked refresh token is dead at the provider.
  const replay = await fetch(`${servers.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: rt, client_id: 'spa' }),
  });
  assert.equal(replay.status, 400);
  const scan = await scanStorage(page);
  assertNoSecrets([scan.text], await servers.secrets(), 'storage');
  assert.deepEqual(txKeys(scan), [], 'the logout record is gone');
});

e2eTest(env, 'J02 logout answered with another state: logout_state_mismatch reported, still logged out', async ({ page, servers }) => {
  await signedIn(page, servers);
  await servers.addFault({ route: 'end_session', setParams: { state: 'RandomString' } });
  await logout(page, servers);
  assert.deepEqual(await page.evaluate(() => window.__logout), { ok: false, code: 'logout_state_mismatch' });
  assert.equal(await appStatus(page), 'signed_out');
  assert.ok(!new URL(page.url()).searchParams.has('state'), 'the state is removed from the address bar');
}, { allowRejections: true });

e2eTest(env, 'J03 logout answered without the state: logout_state_mismatch reported, still logged out', async ({ page, servers }) => {
  await signedIn(page, servers);
  await servers.addFault({ route: 'end_session', removeParams: ['state'] });
  await logout(page, servers);
  assert.deepEqual(await page.evaluate(() => window.__logout), { ok: false, code: 'logout_state_mismatch' });
  assert.equal(await appStatus(page), 'signed_out');
}, { allowRejections: true });

e2eTest(env, 'J04 revocation answering 503 with Retry-After: retried, reported, the logout completes', async ({ page, servers }) => {
  await signedIn(page, servers);
  const events = await recordEvents(page);
  await servers.addFault({ route: 'revocation', status: 503, headers: { 'Retry-After': '1' }, times: 3 });
  await logout(page, servers);
  const revocations = (await servers.ledger()).filter((e) => e.route === 'revocation');
  assert.equal(revocations.length, 3, 'bounded retries');
  assert.deepEqual(events, ['signed_out:logged_out', 'error:revocation_incomplete']);
  assert.equal(await appStatus(page), 'signed_out');
  const scan = await scanStorage(page);
  assertNoSecrets([scan.text], await servers.secrets(), 'storage: the refresh token is never kept to retry later');
});

e2eTest(env, 'J05 revocation refused with unsupported_token_type: reported, the logout is complete', async ({ page, servers }) => {
  await signedIn(page, servers);
  const events = await recordEvents(page);
  await servers.addFault({ route: 'revocation', status: 400, body: { error: 'unsupported_token_type' } });
  await logout(page, servers);
  assert.deepEqual(events, ['signed_out:logged_out', 'error:revocation_unsupported']);
  assert.equal(await appStatus(page), 'signed_out');
});

e2eTest(env, 'J06 after logout the old access token is not resurrected: getUser needs a login and sends nothing', async ({ page, servers }) => {
  await signedIn(page, servers);
  const { token } = await getAccessToken(page);
  await logout(page, servers);
  await servers.resetLedger();
  const r = await getUser(page);
  assert.equal(r.error?.code, 'login_required');
  assert.deepEqual(await userinfoCalls(servers), [], 'no userinfo request');
  assert.equal((await callApi(servers, token)).status, 401, 'the provider also invalidated the access token of the revoked grant');
});
