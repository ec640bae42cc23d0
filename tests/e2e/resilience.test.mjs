// Sessions under failure: stolen and rejected refresh tokens, the refresh request itself, logout and
// the back-forward cache, a slow or broken token endpoint, 5xx with Retry-After, a missing CORS header,
// discovery down, and going offline mid-refresh. Every case keeps the secrets out of storage and output.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  appError, appStatus, assertNoSecrets, assertScrubbed, callApi, e2eTest, getAccessToken, login, logout,
  openApp, scanStorage, setupSuite, tokenRequests, txKeys, waitForApp,
  onWorkers,
} from './harness.mjs';

const AT_TTL = 8;
const env = setupSuite({ atTtl: AT_TTL });

const refreshes = async (servers) => tokenRequests(await servers.ledger(), 'refresh_token');
const codeExchanges = async (servers) => tokenRequests(await servers.ledger(), 'authorization_code');

async function signedIn(page, servers, config) {
  if (config) await page.addInitScript((c) => { window.OXIDC_CONFIG = c; }, config);
  await openApp(page, servers);
  await login(page, servers);
  assert.equal(await appStatus(page), 'signed_in');
}

async function assertStorageClean(page, servers) {
  const scan = await scanStorage(page);
  assertNoSecrets([scan.text], await servers.secrets(), 'storage');
  assert.deepEqual(txKeys(scan), [], 'no transaction record left');
}

function watchEvents(page) {
  return page.evaluate(() => {
    window.__events = [];
    window.__auth.subscribe((s) => window.__events.push({ event: s.event, reason: s.reason }));
  });
}

e2eTest(env, 'G06 a stolen refresh token used first by someone else: the client ends the session and stops', async ({ page, servers }) => {
  await signedIn(page, servers);
  await watchEvents(page);
  const { refreshTokens } = await servers.issued();
  const stolen = refreshTokens[refreshTokens.length - 1];
  // The thief redeems it out of band; the provider rotates it.
  const res = await fetch(`${servers.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: stolen, client_id: 'spa' }),
  });
  assert.equal(res.status, 200, 'the thief got tokens');
  await servers.resetLedger();
  const r = await getAccessToken(page, { forceRefresh: true });
  assert.equal(r.error?.code, 'login_required');
  assert.equal(await appStatus(page), 'signed_out');
  assert.deepEqual(await page.evaluate(() => window.__events), [{ event: 'signed_out', reason: 'refresh_rejected' }]);
  const again = await getAccessToken(page);
  assert.equal(again.error?.code, 'login_required');
  const sent = await refreshes(servers);
  assert.equal(sent.length, 1, 'one attempt, then no further refresh');
  assert.equal(sent[0].error, 'invalid_grant');
  await assertStorageClean(page, servers);
}, { allowRejections: true });

e2eTest(env, 'G08 the refresh request: grant_type, refresh_token and client_id only; no secret, no scope', async ({ page, servers }) => {
  await signedIn(page, servers);
  await servers.resetLedger();
  const r = await getAccessToken(page, { forceRefresh: true });
  assert.equal(r.error, undefined);
  const [entry] = await refreshes(servers);
  assert.equal(entry.client_id, 'spa');
  assert.ok(entry.refresh_token, 'the refresh token was sent');
  assert.equal(entry.scope, undefined, 'scope omitted: the original grant');
  assert.equal(entry.client_secret, undefined, 'a public client sends no secret');
  assert.equal(entry.origin, servers.appOrigin, 'sent by the page (CORS), without credentials');
});

e2eTest(env, 'G13 after logout, Back to the app (back-forward cache or reload) finds no token', async ({ page, servers }) => {
  await signedIn(page, servers);
  await logout(page, servers);
  assert.equal(await appStatus(page), 'signed_out');
  // Back past the provider's sign-out page to the app page the logout started from.
  await page.evaluate(() => { window.__afterLogout = true; history.go(-2); });
  await page.waitForFunction(() => window.__afterLogout === undefined && document.readyState !== 'loading', null, { timeout: 30_000 });
  assert.equal(new URL(page.url()).origin, servers.appOrigin);
  await waitForApp(page);
  const r = await getAccessToken(page);
  assert.equal(r.error?.code, 'login_required');
  assert.equal(await appStatus(page), 'signed_out');
  await assertStorageClean(page, servers);
});

e2eTest(env, 'H01 code exchange slower than the deadline: timeout, never retried, address scrubbed', async ({ page, servers }) => {
  await page.addInitScript(() => { window.OXIDC_CONFIG = { timeoutMs: 2000 }; });
  await openApp(page, servers);
  await servers.resetLedger();
  await servers.resetLedger();
  await servers.addFault({ route: 'token', grantType: 'authorization_code', delayMs: 5000 });
  await login(page, servers);
  await page.waitForFunction(() => window.__callback !== undefined);
  assert.deepEqual(await page.evaluate(() => window.__callback), { ok: false, code: 'timeout' });
  assertScrubbed(page.url());
  await sleep(4000);
  assert.equal((await codeExchanges(servers)).length, 1, 'the code was not exchanged again');
  assert.equal(await appStatus(page), 'signed_out');
  await assertStorageClean(page, servers);
  // The next login works.
  await login(page, servers);
  assert.equal(await appStatus(page), 'signed_in');
}, { allowRejections: true });

// The connection drops mid-response. (Dropped before any byte of the response, Chromium itself resends
// a request that went over a reused keep-alive connection, POST included, which no page code can
// prevent; a provider then sees the code twice.)
e2eTest(env, 'H02 connection dropped after the provider issued the tokens: network error, no retry, next login works', async ({ page, servers }) => {
  await openApp(page, servers);
  await servers.resetLedger();
  await servers.addFault({ route: 'token', grantType: 'authorization_code', truncate: true });
  await login(page, servers);
  await page.waitForFunction(() => window.__callback !== undefined);
  assert.deepEqual(await page.evaluate(() => window.__callback), { ok: false, code: 'network' });
  assert.equal((await codeExchanges(servers)).length, 1);
  assertScrubbed(page.url());
  await login(page, servers);
  assert.equal(await appStatus(page), 'signed_in');
  await assertStorageClean(page, servers);
}, { allowRejections: true });

// The refresh variant of H02: the provider rotates the refresh token and the answer is lost. The fault
// is `truncate` (status line, headers and half a body, then the socket is destroyed): with the
// connection dropped before any byte of the answer, Chromium itself may resend the POST over a new
// connection, and the second request would not be the library's.
e2eTest(env, 'H02 refresh answer lost after the provider rotated the refresh token: one resend, invalid_grant, signed out, nothing more', async ({ page, servers }) => {
  await signedIn(page, servers);
  await watchEvents(page);
  const issuedBefore = (await servers.issued()).refreshTokens.length;
  await servers.resetLedger();
  await servers.addFault({ route: 'token', grantType: 'refresh_token', truncate: true });
  const r = await getAccessToken(page, { forceRefresh: true });
  assert.equal(r.error?.code, 'login_required', JSON.stringify(r));
  const sent = await refreshes(servers);
  assert.equal(sent.length, 2, 'the request and one resend');
  assert.equal(sent[0].status, 200, 'the provider answered the first one');
  assert.ok(sent[0].fault, 'and its answer was cut off');
  const { refreshTokens } = await servers.issued();
  assert.equal(refreshTokens.length, issuedBefore + 1, 'a new refresh token was issued');
  const rotated = createHash('sha256').update(refreshTokens[refreshTokens.length - 1]).digest('hex').slice(0, 16);
  assert.notEqual(sent[0].refresh_token, rotated, 'the provider rotated the refresh token');
  assert.equal(sent[1].refresh_token, sent[0].refresh_token, 'the resend carried the same refresh token');
  assert.ok(sent.every((e) => e.refresh_token !== rotated), 'the page never sent the one it did not see');
  assert.equal(sent[1].status, 400);
  assert.equal(sent[1].error, 'invalid_grant');
  assert.equal(await appStatus(page), 'signed_out');
  assert.deepEqual(await page.evaluate(() => window.__events), [{ event: 'signed_out', reason: 'refresh_rejected' }]);
  const again = await getAccessToken(page);
  assert.equal(again.error?.code, 'login_required');
  const forced = await getAccessToken(page, { forceRefresh: true });
  assert.equal(forced.error?.code, 'login_required');
  await sleep(1500);
  assert.equal(tokenRequests(await servers.ledger()).length, 2, 'no further token request');
  assert.equal(await page.evaluate(() => window.__events.length), 1, 'one signed_out event');
  await assertStorageClean(page, servers);
}, { allowRejections: true });

// Timeouts whose requests the provider never handles (the fault answers 503 after the deadline,
// without passing them on), so the refresh token stays valid: exactly two sends, then the caller gets
// `timeout` with the session kept; no automatic renewal sends it again, only the app's next call.
// (The ledger fills in grant_type and refresh_token of a held request only when the fault answers, so
// the sends are counted as token requests and compared once the faults have answered.)
e2eTest(env, 'H01 refresh timed out twice: one resend only, session kept, no automatic send, the next call renews with the same refresh token', async ({ page, context, servers }) => {
  const HOLD_MS = 4000;
  const sends = async () => tokenRequests(await servers.ledger()).length;
  await signedIn(page, servers, { timeoutMs: 1500 });
  await watchEvents(page);
  await servers.resetLedger();
  await servers.addFault({
    route: 'token', grantType: 'refresh_token', delayMs: HOLD_MS, status: 503, times: 3,
  });
  const r = await getAccessToken(page, { forceRefresh: true });
  assert.equal(r.error?.code, 'timeout', JSON.stringify(r));
  assert.equal(await sends(), 2, 'the request and one resend, no third');
  assert.equal(await appStatus(page), 'signed_in', 'the session is kept');
  // The access token expires, and the page comes back online: the automatic re-check sends nothing.
  await sleep(AT_TTL * 1000);
  await context.setOffline(true);
  await context.setOffline(false);
  await sleep(2000);
  assert.equal(await sends(), 2, 'no automatic send');
  // The app asks: one send (it times out: no resend), then the next call renews.
  const third = await getAccessToken(page);
  assert.equal(third.error?.code, 'timeout');
  assert.equal(await sends(), 3, 'one send for the call, no resend');
  const renewed = await getAccessToken(page);
  assert.equal(renewed.error, undefined, JSON.stringify(renewed.error));
  assert.equal((await callApi(servers, renewed.token)).status, 200);
  await sleep(HOLD_MS);
  const all = await refreshes(servers);
  assert.deepEqual(all.map((e) => e.status), [503, 503, 503, 200]);
  assert.ok(all.every((e) => e.refresh_token === all[0].refresh_token), 'always the one refresh token');
  assert.deepEqual(await page.evaluate(() => window.__events), [
    { event: 'error', reason: 'timeout' },
    { event: 'error', reason: 'timeout' },
    { event: 'refreshed', reason: null },
  ]);
}, { allowRejections: true });

e2eTest(env, 'H03 refresh answered 503 with Retry-After: retried after the delay, session kept', async ({ page, servers }) => {
  await signedIn(page, servers);
  await servers.resetLedger();
  await servers.addFault({
    route: 'token', grantType: 'refresh_token', status: 503, headers: { 'Retry-After': '1' }, times: 2,
  });
  const started = Date.now();
  const r = await getAccessToken(page, { forceRefresh: true });
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.ok(Date.now() - started >= 1900, 'waited Retry-After between attempts');
  const sent = await refreshes(servers);
  assert.deepEqual(sent.map((e) => e.status), [503, 503, 200]);
  assert.equal((await callApi(servers, r.token)).status, 200);

  // Bounded: a provider that keeps failing gets three attempts, then the caller gets the error and the
  // session stays.
  await watchEvents(page);
  await servers.resetLedger();
  await servers.addFault({ route: 'token', grantType: 'refresh_token', status: 502, times: 5 });
  const failed = await getAccessToken(page, { forceRefresh: true });
  assert.equal(failed.error?.code, 'token_error', 'the 502 carried an OAuth error body');
  assert.equal((await refreshes(servers)).length, 3, 'at most two retries');
  assert.equal(await appStatus(page), 'signed_in', 'the session is kept');
  assert.deepEqual(await page.evaluate(() => window.__events), [{ event: 'error', reason: 'token_error' }]);
  await servers.resetFaults();
  const later = await getAccessToken(page, { forceRefresh: true });
  assert.equal(later.error, undefined, 'renews once the provider is back');
});

e2eTest(env, 'H06 token endpoint without CORS headers: network error, no tokens, the code not retried', async ({ page, servers }) => {
  await openApp(page, servers);
  await servers.resetLedger();
  await servers.addFault({ route: 'token', grantType: 'authorization_code', noCors: true });
  await login(page, servers);
  await page.waitForFunction(() => window.__callback !== undefined);
  assert.deepEqual(await page.evaluate(() => window.__callback), { ok: false, code: 'network' });
  assert.equal((await codeExchanges(servers)).length, 1, 'no retry storm');
  assert.equal(await appStatus(page), 'signed_out');
  await assertStorageClean(page, servers);
}, { allowRejections: true });

e2eTest(env, 'H07 discovery down: createClient fails before any navigation, with an actionable code', async ({ page, servers }) => {
  await servers.addFault({ route: 'discovery', status: 500 });
  const navigations = [];
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations.push(f.url()); });
  await openApp(page, servers);
  assert.equal(await appStatus(page), 'error');
  const error = await appError(page);
  assert.equal(error.code, 'http_status');
  assert.ok(navigations.every((u) => new URL(u).origin === servers.appOrigin), 'never left the app');
}, { allowRejections: true });

e2eTest(env, 'H08 offline during a refresh: offline error, session kept, renewed when back online', async ({ page, context, servers, browser }) => {
  await signedIn(page, servers);
  await watchEvents(page);
  await sleep(AT_TTL * 1000 + 1500);
  await servers.resetLedger();
  // Offline for the page and for the engine's worker (which makes the requests).
  await context.setOffline(true);
  const workers = await onWorkers(browser, 'Network.emulateNetworkConditions', {
    offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1,
  });
  assert.ok(workers.count >= 1, 'the engine worker');
  const r = await getAccessToken(page);
  assert.equal(r.error?.code, 'offline');
  assert.equal(await appStatus(page), 'signed_in', 'the session is kept');
  assert.equal((await refreshes(servers)).length, 0, 'nothing reached the provider');
  await workers.close();
  await context.setOffline(false);
  // The online event re-checks the session and renews it without anyone asking.
  const deadline = Date.now() + 10_000;
  while ((await refreshes(servers)).length === 0 && Date.now() < deadline) await sleep(200);
  assert.equal((await refreshes(servers)).length, 1, 'one renewal on the online event');
  const after = await getAccessToken(page);
  assert.equal(after.error, undefined);
  assert.equal((await callApi(servers, after.token)).status, 200);
  assert.equal((await refreshes(servers)).length, 1, 'getAccessToken used the renewal');
}, { allowRejections: true });
