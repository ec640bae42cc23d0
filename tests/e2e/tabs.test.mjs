// Many tabs, tokens only in memory: the tabs share one engine (a SharedWorker), so a new tab joins
// the session at once, one refresh serves every tab, a login in one tab replaces the session in all
// (a call waiting for a renewal then gets the new session's token, for the same user only), logout
// in one tab ends the session in all, and no refresh token is ever sent twice. Without SharedWorker,
// or with shareTabs: false, a tab keeps its own engine. Pages of one browser context are tabs of one
// browser.

import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  appStatus, assertNoSecrets, callApi, e2eTest, getAccessToken, login, logout, openApp, scanStorage,
  setupSuite, tokenRequests, txKeys, waitForApp,
} from './harness.mjs';

const AT_TTL = 8;
const env = setupSuite({ atTtl: AT_TTL });
const waitForExpiry = () => sleep(AT_TTL * 1000 + 1500);

function assertNoRefreshTokenReuse(ledger) {
  const sent = tokenRequests(ledger, 'refresh_token').map((e) => e.refresh_token);
  assert.equal(new Set(sent).size, sent.length, 'a refresh token was sent twice');
}

async function signedInTab(context, servers, config) {
  const page = await context.newPage();
  if (config) await page.addInitScript((c) => { window.OXIDC_CONFIG = c; }, config);
  await openApp(page, servers);
  await login(page, servers);
  assert.equal(await appStatus(page), 'signed_in');
  return page;
}

async function openTab(context, servers, path = '/') {
  const page = await context.newPage();
  await openApp(page, servers, path);
  return page;
}

async function assertStorageClean(pages, servers) {
  for (const p of pages) {
    const scan = await scanStorage(p);
    assertNoSecrets([scan.text], await servers.secrets(), 'storage');
    assert.deepEqual(txKeys(scan), [], 'no transaction record');
  }
}

e2eTest(env, 'G12 a new tab takes the session from an open tab: no redirect, no token request', async ({ context, servers }) => {
  const a = await signedInTab(context, servers);
  await servers.resetLedger();
  const b = await openTab(context, servers, '/orders');
  assert.equal(await appStatus(b), 'signed_in', 'the new tab is signed in');
  assert.equal(new URL(b.url()).pathname, '/orders', 'no round trip to the provider');
  const ledger = await servers.ledger();
  assert.deepEqual(tokenRequests(ledger), [], 'no token request');
  assert.equal(ledger.filter((e) => e.route === 'authorization').length, 0, 'no authorization request');
  const ta = await getAccessToken(a);
  const tb = await getAccessToken(b);
  assert.equal(tb.token, ta.token, 'one session in both tabs');
  assert.equal((await callApi(servers, tb.token)).status, 200);
  assert.deepEqual(await b.evaluate(() => window.__auth.user().sub), await a.evaluate(() => window.__auth.user().sub));
  await assertStorageClean([a, b], servers);
});

e2eTest(env, 'G11 two tabs renewing at the same moment: one refresh request, both get the new token', async ({ context, servers }) => {
  const a = await signedInTab(context, servers);
  const b = await openTab(context, servers);
  assert.equal(await appStatus(b), 'signed_in');
  await waitForExpiry();
  await servers.resetLedger();
  const [ra, rb] = await Promise.all([getAccessToken(a), getAccessToken(b)]);
  assert.equal(ra.error, undefined, JSON.stringify(ra.error));
  assert.equal(rb.error, undefined, JSON.stringify(rb.error));
  assert.equal(ra.token, rb.token, 'the same renewed token in both tabs');
  const ledger = await servers.ledger();
  assert.equal(tokenRequests(ledger, 'refresh_token').length, 1, 'one refresh for both tabs');
  assert.equal((await callApi(servers, ra.token)).status, 200, 'the renewed token works');
  assertNoRefreshTokenReuse(ledger);
});

e2eTest(env, 'G01 three tabs, 50 concurrent calls each after expiry: one refresh request, all 150 fulfilled', async ({ context, servers }) => {
  const a = await signedInTab(context, servers);
  const b = await openTab(context, servers);
  const c = await openTab(context, servers);
  await waitForExpiry();
  await servers.resetLedger();
  const burst = (p) => p.evaluate(async () => {
    const calls = Array.from({ length: 50 }, () => window.__auth.getAccessToken().then((t) => ({ t }), (e) => ({ e: e.code })));
    return Promise.all(calls);
  });
  const results = (await Promise.all([burst(a), burst(b), burst(c)])).flat();
  const failures = results.filter((r) => r.e);
  assert.deepEqual(failures, [], 'every call fulfilled');
  assert.equal(new Set(results.map((r) => r.t)).size, 1, 'one token for all');
  const ledger = await servers.ledger();
  assert.equal(tokenRequests(ledger, 'refresh_token').length, 1, 'exactly one refresh request');
  assertNoRefreshTokenReuse(ledger);
  assert.equal((await callApi(servers, results[0].t)).status, 200);
});

e2eTest(env, 'G04 renewals alternate between tabs: each uses the newest refresh token, never an old one', async ({ context, servers }) => {
  const a = await signedInTab(context, servers);
  const b = await openTab(context, servers);
  await servers.resetLedger();
  for (const p of [a, b, a, b]) {
    const r = await p.evaluate(() => window.__auth.getAccessToken({ forceRefresh: true }).then((t) => ({ t }), (e) => ({ e: e.code })));
    assert.equal(r.e, undefined, r.e);
  }
  const ledger = await servers.ledger();
  const refreshes = tokenRequests(ledger, 'refresh_token');
  assert.equal(refreshes.length, 4);
  assert.ok(refreshes.every((e) => e.status === 200), 'no refresh was rejected');
  assertNoRefreshTokenReuse(ledger);
  const [ta, tb] = [await getAccessToken(a), await getAccessToken(b)];
  assert.equal(ta.token, tb.token);
  assert.equal((await callApi(servers, ta.token)).status, 200);
});

/** Signs in again in `page`, a tab of a session already signed in, as `username`. */
async function loginAgain(page, servers, username) {
  const provider = new URL(servers.issuer).origin;
  // `login`: the provider asks who signs in even though it has a session already; `consent`: it
  // grants `offline_access` (a refresh token) again, as the app's configured prompt does.
  await page.evaluate(() => { void window.__auth.login({ returnTo: '/', prompt: 'login consent' }); });
  await page.waitForURL((u) => u.origin === provider, { timeout: 10_000 });
  await login(page, servers, { start: false, username });
  assert.equal(await appStatus(page), 'signed_in');
}

/** In tab `a`, a forced renewal the provider holds back while `b` signs in again as `username`. */
async function renewalCutShortByALogin(a, b, servers, username, holdMs = 6000) {
  await servers.resetLedger();
  await servers.addFault({ route: 'token', grantType: 'refresh_token', delayMs: holdMs });
  const waiting = getAccessToken(a, { forceRefresh: true });
  await sleep(300);
  await loginAgain(b, servers, username);
  const rb = await getAccessToken(b);
  assert.equal(rb.error, undefined, JSON.stringify(rb.error));
  const ra = await waiting;
  // Checked at once: the tokens live 8 s.
  if (ra.token) assert.equal((await callApi(servers, ra.token)).status, 200);
  return { ra, rb };
}

/** The held refresh is answered in the end: its result changes nothing. */
async function afterTheHeldRefresh(a, servers) {
  await sleep(6500);
  assertNoRefreshTokenReuse(await servers.ledger());
  assert.equal(await appStatus(a), 'signed_in');
  const after = await getAccessToken(a);
  assert.equal(after.error, undefined, JSON.stringify(after.error));
  return after;
}

e2eTest(env, 'a login of the same user in another tab during a renewal: the waiting call gets the new session\'s token', async ({ context, servers }) => {
  const a = await signedInTab(context, servers);
  const b = await openTab(context, servers);
  const { ra, rb } = await renewalCutShortByALogin(a, b, servers, 'alice');
  assert.equal(ra.error, undefined, `not login_required: ${JSON.stringify(ra.error)}`);
  // The new session's token, or, when it came inside its renewal margin, the token of that
  // session's renewal: the one tab b has now.
  const now = await getAccessToken(b);
  assert.ok([rb.token, now.token].includes(ra.token), "the new session's token");
  await afterTheHeldRefresh(a, servers);
});

e2eTest(env, 'a renewal held back longer than the new session\'s tokens live: the waiting call gets a live token, not the stale one', async ({ context, servers }) => {
  const a = await signedInTab(context, servers);
  const b = await openTab(context, servers);
  // Held 11 s: the tokens of the login in tab b (8 s) have expired when tab a's call ends its wait.
  const { ra, rb } = await renewalCutShortByALogin(a, b, servers, 'alice', 11_000);
  assert.equal(ra.error, undefined, JSON.stringify(ra.error));
  assert.notEqual(ra.token, rb.token, 'not the token that expired during the wait');
  await afterTheHeldRefresh(a, servers);
});

e2eTest(env, 'a login of another user in another tab during a renewal: the waiting call gets login_required, never their token', async ({ context, servers }) => {
  const a = await signedInTab(context, servers);
  const b = await openTab(context, servers);
  const { ra, rb } = await renewalCutShortByALogin(a, b, servers, 'bob');
  assert.equal(ra.error?.code, 'login_required', JSON.stringify(ra));
  assert.notEqual(ra.token, rb.token);
  await afterTheHeldRefresh(a, servers);
  assert.equal(await a.evaluate(() => window.__auth.user().sub), 'bob', 'every tab of the engine has the new session');
});

e2eTest(env, 'logout in one tab ends the session in every tab', async ({ context, servers }) => {
  const a = await signedInTab(context, servers);
  const b = await openTab(context, servers);
  const c = await openTab(context, servers);
  await logout(a, servers);
  for (const p of [b, c]) {
    await p.waitForFunction(() => document.getElementById('status').dataset.status === 'signed_out');
    assert.match(await p.locator('#status').textContent(), /other_tab/);
    const r = await getAccessToken(p);
    assert.equal(r.error?.code, 'login_required');
  }
  assert.equal(await appStatus(a), 'signed_out');
  // A tab opened now finds no session to take.
  const d = await openTab(context, servers);
  assert.equal(await appStatus(d), 'signed_out');
  await assertStorageClean([a, b, c, d], servers);
});

e2eTest(env, 'G10 a duplicated tab (sessionStorage copied) holds no token of its own and never replays one', async ({ context, servers }) => {
  const a = await signedInTab(context, servers);
  await servers.resetLedger();
  // window.open from the tab copies its sessionStorage, like "Duplicate tab".
  const [dup] = await Promise.all([
    context.waitForEvent('page'),
    a.evaluate(() => { window.open(location.href, '_blank'); }),
  ]);
  await waitForApp(dup);
  assert.equal(await appStatus(dup), 'signed_in', 'took the session over the channel');
  await assertStorageClean([a, dup], servers);
  await waitForExpiry();
  const [ra, rd] = await Promise.all([getAccessToken(a), getAccessToken(dup)]);
  assert.equal(ra.token, rd.token);
  const ledger = await servers.ledger();
  assert.equal(tokenRequests(ledger, 'refresh_token').length, 1);
  assertNoRefreshTokenReuse(ledger);
});

e2eTest(env, 'without SharedWorker each tab runs its own engine (dedicated worker): no session crosses, each tab logs in on its own', async ({ context, servers }) => {
  await context.addInitScript(() => { delete window.SharedWorker; });
  const a = await signedInTab(context, servers);
  const b = await openTab(context, servers);
  assert.equal(await appStatus(b), 'signed_out', 'a new tab does not get the session of another engine');
  assert.equal(await appStatus(a), 'signed_in');
  await servers.resetLedger();
  await login(b, servers);
  assert.equal(await appStatus(b), 'signed_in');
  const ra = await getAccessToken(a, { forceRefresh: true });
  const rb = await getAccessToken(b, { forceRefresh: true });
  assert.equal(ra.error, undefined, JSON.stringify(ra.error));
  assert.equal(rb.error, undefined, JSON.stringify(rb.error));
  const refreshes = tokenRequests(await servers.ledger(), 'refresh_token');
  assert.equal(refreshes.length, 2);
  assert.ok(refreshes.every((e) => e.status === 200), 'each tab renews with its own refresh token');
  assert.notEqual(refreshes[0].refresh_token, refreshes[1].refresh_token);
});

e2eTest(env, 'shareTabs: false keeps a tab to itself while the other tabs share', async ({ context, servers }) => {
  await signedInTab(context, servers);
  const alone = await context.newPage();
  await alone.addInitScript(() => { window.OXIDC_CONFIG = { shareTabs: false }; });
  await openApp(alone, servers);
  assert.equal(await appStatus(alone), 'signed_out', 'the session is not taken with shareTabs: false');
  const sharing = await openTab(context, servers);
  assert.equal(await appStatus(sharing), 'signed_in', 'a tab with the default options takes it');
});

e2eTest(env, 'G12 reload with restore "none": no token survives, no request, the app shows login', async ({ page, servers }) => {
  await openApp(page, servers);
  await login(page, servers);
  await servers.resetLedger();
  await page.reload();
  await waitForApp(page);
  assert.equal(await appStatus(page), 'signed_out');
  assert.deepEqual(tokenRequests(await servers.ledger()), [], 'no pre-reload refresh token was used');
  const r = await getAccessToken(page);
  assert.equal(r.error?.code, 'login_required');
});

e2eTest(env, 'G12 reload with restore "silent": a prompt=none round trip back to the same route', async ({ page, servers }) => {
  await page.addInitScript(() => { window.OXIDC_CONFIG = { restore: 'silent' }; });
  await openApp(page, servers);
  await login(page, servers);
  await page.evaluate(() => history.replaceState(null, '', '/orders?page=2'));
  await servers.resetLedger();
  const authorizations = [];
  page.on('request', (r) => { if (r.url().startsWith(`${servers.issuer}/auth`)) authorizations.push(r.url()); });
  await page.reload();
  await page.waitForURL((u) => u.origin === servers.appOrigin && u.pathname === '/orders', { timeout: 30_000 });
  await waitForApp(page);
  assert.equal(authorizations.length, 1, 'one authorization request');
  assert.equal(new URL(authorizations[0]).searchParams.get('prompt'), 'none');
  assert.equal(await appStatus(page), 'signed_in', 'restored');
  assert.equal(new URL(page.url()).search, '?page=2', 'back to the same route');
  const ledger = await servers.ledger();
  assert.equal(tokenRequests(ledger, 'authorization_code').length, 1);
  assert.equal(tokenRequests(ledger, 'refresh_token').length, 0, 'no pre-reload refresh token was used');
  const r = await getAccessToken(page);
  assert.equal((await callApi(servers, r.token)).status, 200);
});

e2eTest(env, 'G12 silent restore without a provider session ends signed out, once, never in a loop', async ({ page, servers }) => {
  await page.addInitScript(() => { window.OXIDC_CONFIG = { restore: 'silent' }; });
  const authorizations = [];
  page.on('request', (r) => { if (r.url().startsWith(`${servers.issuer}/auth`)) authorizations.push(r.url()); });
  await page.goto(new URL('/orders', servers.appUrl).href);
  await page.waitForURL((u) => u.origin === servers.appOrigin && u.pathname === '/orders', { timeout: 30_000 });
  await waitForApp(page);
  assert.equal(await appStatus(page), 'signed_out');
  assert.equal(authorizations.length, 1, 'one silent attempt');
  assert.deepEqual(await page.evaluate(() => window.__callback), { ok: true, signedIn: false }, 'the callback ended cleanly');
  // Reloading (or a full navigation by the app) does not try again.
  await page.reload();
  await waitForApp(page);
  await sleep(500);
  assert.equal(authorizations.length, 1, 'no second silent attempt: no loop');
  assert.equal(await appStatus(page), 'signed_out');
  const scan = await scanStorage(page);
  assertNoSecrets([scan.text], await servers.secrets(), 'storage');
  assert.deepEqual(txKeys(scan), ['oxidc.tx.restore-failed'], 'only the no-secret restore marker');
  // An interactive login works and clears the marker.
  await login(page, servers);
  assert.equal(await appStatus(page), 'signed_in');
  assert.deepEqual(txKeys(await scanStorage(page)), []);
});
