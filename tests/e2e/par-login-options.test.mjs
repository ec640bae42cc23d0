// Typed login options and pushed authorization requests (RFC 9126) in Chromium.
//
// Against the real provider (oidc-provider, www-example/provider.mjs): a login pushed with the
// pushedAuthorizationRequests option (A08) and one pushed because the provider requires it
// (OP_REQUIRE_PAR=1, a second provider), pushes the provider refuses or answers badly (A09), and the
// typed options of a front-channel login, maxAge checked against the real ID token's auth_time (E22).
// Against the hostile mock (tests/hostile/provider.mjs): the ID-token checks of what a login asked
// (E22 a stale auth_time for a per-login maxAge, E24 essential and voluntary acr) and the option on a
// provider without a pushed authorization request endpoint (A08).
//
// One browser for the three providers; each test gets a fresh context.

import assert from 'node:assert/strict';
import { after, before } from 'node:test';

import {
  appStatus, assertNoSecrets, e2eTest, launchBrowser, login, openApp, requirePackage, startServers,
  STEP_TIMEOUT, waitForApp,
} from './harness.mjs';
import { openClientPage, scenario, sessionState, startHostile } from './hostile-rig.mjs';

const real = { servers: null, browser: null };
const required = { servers: null, browser: null };
const hostile = { servers: null, browser: null };

before(async () => {
  requirePackage();
  const browser = await launchBrowser();
  real.browser = browser;
  required.browser = browser;
  hostile.browser = browser;
  real.servers = await startServers();
  required.servers = await startServers({ env: { OP_REQUIRE_PAR: '1' } });
  hostile.servers = await startHostile();
}, { timeout: 120_000 });

after(async () => {
  await real.browser?.close().catch(() => {});
  await Promise.all([real, required, hostile].map((env) => env.servers?.stop()));
}, { timeout: 30_000 });

/** The authorization endpoint itself (not the provider's /auth/<uid> resume steps). */
const isAuthorization = (url, servers) => {
  const u = new URL(url);
  return u.origin === servers.issuer && u.pathname === '/auth';
};

/**
 * A probe page on the app's origin whose client has the app's configuration plus `options`
 * (window.__auth; window.__try(fn) settles fn(auth) into { ok, value } or the error's fields).
 * Records every navigation of the page to the provider's authorization endpoint in `navigations`.
 */
async function openProbe(page, servers, options = {}) {
  const url = servers.probePage('par-client', `
const auth = await createClient({ ...config, ...JSON.parse(new URLSearchParams(location.search).get('options') || '{}') });
window.__auth = auth;
window.__try = async (fn) => {
  try {
    return { ok: true, value: await fn(auth) };
  } catch (e) {
    return {
      ok: false, code: e.code, detail: e.detail ?? null, text: String(e), hint: String(e.hint),
      error: e.error ?? null, errorDescription: e.errorDescription ?? null, status: e.status ?? null,
    };
  }
};`);
  const navigations = [];
  page.on('request', (req) => {
    if (req.isNavigationRequest() && isAuthorization(req.url(), servers)) navigations.push(req.url());
  });
  const probeUrl = `${url}?options=${encodeURIComponent(JSON.stringify(options))}`;
  await page.goto(probeUrl);
  await page.waitForSelector('html[data-ready="true"]', { state: 'attached', timeout: STEP_TIMEOUT });
  assert.equal(await page.evaluate(() => window.__probeError), undefined, 'the client started');
  return { navigations, probeUrl };
}

/** login(options) in the probe page, through the provider's forms, back to the app signed in. */
async function loginThroughProvider(page, servers, options) {
  await page.evaluate((o) => {
    window.__auth.login(o).catch((e) => { window.__loginError = e.code; });
  }, options);
  await page.waitForURL((u) => u.origin === servers.issuer, { timeout: STEP_TIMEOUT });
  await login(page, servers, { start: false });
  await waitForApp(page);
  assert.equal(await appStatus(page), 'signed_in');
}

const paramNames = (url) => [...new URL(url).searchParams.keys()];
const txRecords = (page) => page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('oxidc.tx.')));
const PUSHED = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method'];

e2eTest(real, 'A08 pushedAuthorizationRequests: PKCE, state and nonce are pushed, the browser carries only client_id and request_uri, the login completes', async ({ page, servers }) => {
  const probe = await openProbe(page, servers, { pushedAuthorizationRequests: true });
  await servers.resetLedger();
  await loginThroughProvider(page, servers, { returnTo: '/', loginHint: 'alice', uiLocales: 'en' });
  const ledger = await servers.ledger();
  const pushes = ledger.filter((e) => e.route === 'par');
  assert.equal(pushes.length, 1, 'one push');
  assert.equal(pushes[0].status, 201);
  for (const name of [...PUSHED, 'login_hint', 'ui_locales', 'prompt']) {
    assert.ok(pushes[0].fields.includes(name), `${name} pushed (fields: ${pushes[0].fields})`);
  }
  assert.ok(!pushes[0].fields.includes('code_verifier'), 'the verifier stays in the browser');
  assert.equal(probe.navigations.length, 1, 'one navigation to the authorization endpoint');
  assert.deepEqual(paramNames(probe.navigations[0]), ['client_id', 'request_uri']);
  assert.equal(new URL(probe.navigations[0]).searchParams.get('client_id'), 'spa');
  const authorizations = ledger.filter((e) => e.route === 'authorization' && e.path === '/auth');
  assert.deepEqual(Object.keys(authorizations[0].params), ['client_id', 'request_uri']);
  assert.ok(pushes[0].seq < authorizations[0].seq, 'pushed before the browser went');
  assert.equal(ledger.filter((e) => e.route === 'token' && e.grant_type === 'authorization_code').length, 1);
});

e2eTest(required, 'A08 a provider that requires pushed requests (OP_REQUIRE_PAR=1): a client without the option pushes and logs in', async ({ page, servers }) => {
  const navigations = [];
  page.on('request', (req) => {
    if (req.isNavigationRequest() && isAuthorization(req.url(), servers)) navigations.push(req.url());
  });
  await openApp(page, servers);
  await servers.resetLedger();
  await login(page, servers);
  assert.equal(await appStatus(page), 'signed_in');
  const ledger = await servers.ledger();
  assert.equal(ledger.filter((e) => e.route === 'par' && e.status === 201).length, 1, 'pushed');
  assert.deepEqual(paramNames(navigations[0]), ['client_id', 'request_uri']);
});

e2eTest(required, 'A08 silent restore on a provider that requires pushed requests: the prompt=none request is pushed, the browser carries only client_id and request_uri, restored', async ({ page, servers }) => {
  await page.addInitScript(() => { window.OXIDC_CONFIG = { restore: 'silent' }; });
  await openApp(page, servers);
  await login(page, servers);
  assert.equal(await appStatus(page), 'signed_in');
  await servers.resetLedger();
  const navigations = [];
  page.on('request', (req) => {
    if (req.isNavigationRequest() && isAuthorization(req.url(), servers)) navigations.push(req.url());
  });
  await page.reload();
  await page.waitForURL((u) => u.origin === servers.appOrigin && !u.searchParams.has('code'), { timeout: STEP_TIMEOUT });
  await waitForApp(page);
  assert.equal(await appStatus(page), 'signed_in', 'restored');
  const ledger = await servers.ledger();
  const pushes = ledger.filter((e) => e.route === 'par');
  assert.equal(pushes.length, 1, 'the silent request was pushed');
  assert.equal(pushes[0].status, 201);
  assert.ok(pushes[0].fields.includes('prompt'), `prompt pushed (fields: ${pushes[0].fields})`);
  assert.equal(navigations.length, 1, 'one navigation to the authorization endpoint');
  assert.deepEqual(paramNames(navigations[0]), ['client_id', 'request_uri']);
  assert.equal(ledger.filter((e) => e.route === 'token' && e.grant_type === 'authorization_code').length, 1);
});

e2eTest(real, 'two login() calls answered out of order (the first push is slow): the latest call is the one that completes', async ({ page, servers }) => {
  await openProbe(page, servers, { pushedAuthorizationRequests: true });
  await servers.resetLedger();
  // The first push answers after the second; the browser's trip to the provider is slow, so the
  // first answer arrives while the page is still there.
  await servers.addFault({ route: 'par', delayMs: 1500 });
  await servers.addFault({ route: 'authorization', delayMs: 3000 });
  await page.evaluate(() => {
    window.__auth.login({ returnTo: '/first' }).catch((e) => { window.__loginError = e.code; });
    window.__auth.login({ returnTo: '/second' }).catch((e) => { window.__loginError = e.code; });
  });
  await page.waitForURL((u) => u.origin === servers.issuer, { timeout: STEP_TIMEOUT });
  await login(page, servers, { start: false });
  await waitForApp(page);
  assert.equal(await appStatus(page), 'signed_in');
  assert.equal(new URL(page.url()).pathname, '/second', 'the latest login completed');
  const authorizations = (await servers.ledger()).filter((e) => e.route === 'authorization' && e.path === '/auth');
  assert.equal(authorizations.length, 1, 'the browser went to the provider once');
});

e2eTest(real, 'A09 a push the provider refuses: par_error from login(), no navigation, no login record left', async ({ page, servers }) => {
  const probe = await openProbe(page, servers, { pushedAuthorizationRequests: true });
  await servers.resetLedger();
  await servers.addFault({
    route: 'par', status: 400, body: { error: 'invalid_request', error_description: 'pushed request refused' },
  });
  const refused = await page.evaluate(() => window.__try((a) => a.login({ returnTo: '/' })));
  assert.equal(refused.ok, false);
  assert.deepEqual([refused.code, refused.error, refused.status], ['par_error', 'invalid_request', 400], refused.text);
  assert.equal(refused.errorDescription, 'pushed request refused');
  assertNoSecrets([refused.text, refused.hint], await servers.secrets(), 'the error');
  // A malformed success is a typed error too.
  await servers.addFault({ route: 'par', status: 201, body: { request_uri: '', expires_in: 60 } });
  const malformed = await page.evaluate(() => window.__try((a) => a.login({ returnTo: '/' })));
  assert.deepEqual([malformed.code, malformed.detail], ['invalid_par_response', 'request_uri'], malformed.text);
  assert.equal(page.url(), probe.probeUrl, 'the page stayed');
  assert.deepEqual(probe.navigations, [], 'no navigation to the authorization endpoint');
  assert.deepEqual(await txRecords(page), [], 'no login record left');
  const ledger = await servers.ledger();
  assert.equal(ledger.filter((e) => e.route === 'par').length, 2);
  assert.equal(ledger.filter((e) => e.route === 'authorization').length, 0, 'never a front-channel request');
});

e2eTest(real, 'E22 per-login maxAge against the real provider: sent with prompt, login_hint, ui_locales and acr_values; auth_time checked, signed in', async ({ page, servers }) => {
  await openProbe(page, servers);
  await servers.resetLedger();
  await loginThroughProvider(page, servers, {
    returnTo: '/', maxAge: 300, prompt: 'login', loginHint: 'alice', uiLocales: 'fr-CA en', acrValues: ['urn:example:silver'],
  });
  const ledger = await servers.ledger();
  const { params } = ledger.find((e) => e.route === 'authorization' && e.path === '/auth');
  assert.equal(params.max_age, '300');
  assert.equal(params.prompt, 'login', 'the typed prompt replaces extraAuthParams.prompt');
  assert.equal(params.login_hint, 'alice');
  assert.equal(params.ui_locales, 'fr-CA en');
  assert.equal(params.acr_values, 'urn:example:silver');
  assert.equal(params.claims, undefined, 'a voluntary acr needs no claims parameter');
  assert.equal(ledger.filter((e) => e.route === 'par').length, 0, 'front channel without the option');
  const user = await page.evaluate(() => window.__auth?.user() ?? null);
  assert.equal(typeof user?.auth_time, 'number', 'the ID token carries auth_time');
});

// ---------------------------------------------------------------------------
// The hostile mock: its authorization endpoint answers at once; the probe page intercepts the
// navigation (hostile-rig's openClientPage) and hands the response to handleRedirectCallback.

/** login(options) in the page, the response fetched from the provider, then the callback in the page. */
async function loginWith(page, client, options) {
  const before = client.authorizeUrls.length;
  const started = await page.evaluate((o) => window.__try((a) => a.login(o)), { returnTo: '/', ...options });
  assert.ok(started.ok, `login() failed: ${JSON.stringify(started)}`);
  const deadline = Date.now() + STEP_TIMEOUT;
  while (client.authorizeUrls.length === before) {
    assert.ok(Date.now() < deadline, 'login() did not navigate');
    await new Promise((r) => { setTimeout(r, 20); });
  }
  const authorizeUrl = client.authorizeUrls.at(-1);
  const res = await fetch(authorizeUrl, { redirect: 'manual', signal: AbortSignal.timeout(STEP_TIMEOUT) });
  assert.equal(res.status, 302);
  const result = await page.evaluate((u) => window.__try((a) => a.handleRedirectCallback(u)), res.headers.get('location'));
  return { authorizeUrl: new URL(authorizeUrl), result };
}

async function assertRefused(page, servers, result, detail) {
  assert.equal(result.ok, false, `expected id_token_invalid/${detail}`);
  assert.deepEqual([result.code, result.detail], ['id_token_invalid', detail], result.text);
  assertNoSecrets([result.text, result.hint], await servers.secrets(), 'the error');
  const state = await sessionState(page);
  assert.equal(state.authenticated, false, 'no session');
  assert.equal(state.token.code, 'login_required');
  assert.deepEqual(await txRecords(page), [], 'the login record is consumed');
}

e2eTest(hostile, 'E22 per-login maxAge with a stale auth_time: id_token_invalid/auth_time; a recent one signs in', async ({ page, servers }) => {
  const client = await openClientPage(page, servers);
  await scenario(servers, { authTimeAgo: 3600 });
  const stale = await loginWith(page, client, { maxAge: 60 });
  assert.equal(stale.authorizeUrl.searchParams.get('max_age'), '60');
  await assertRefused(page, servers, stale.result, 'auth_time');
  await scenario(servers, { authTimeAgo: 5 });
  const fresh = await loginWith(page, client, { maxAge: 60 });
  assert.ok(fresh.result.ok, JSON.stringify(fresh.result));
  // Without a max_age the same stale auth_time is fine.
  await scenario(servers, { authTimeAgo: 3600 });
  assert.ok((await loginWith(page, client, {})).result.ok);
});

e2eTest(hostile, 'E24 essential acr: another acr is id_token_invalid/acr; one of the values asked signs in', async ({ page, servers }) => {
  const client = await openClientPage(page, servers);
  const asked = { acrValues: ['urn:acr:gold', 'urn:acr:silver'], acrEssential: true };
  await scenario(servers, { acr: 'urn:acr:bronze' });
  const other = await loginWith(page, client, asked);
  assert.equal(other.authorizeUrl.searchParams.get('acr_values'), 'urn:acr:gold urn:acr:silver');
  assert.deepEqual(JSON.parse(other.authorizeUrl.searchParams.get('claims')), {
    id_token: { acr: { essential: true, values: ['urn:acr:gold', 'urn:acr:silver'] } },
  });
  await assertRefused(page, servers, other.result, 'acr');
  await scenario(servers, { acr: null });
  await assertRefused(page, servers, (await loginWith(page, client, asked)).result, 'acr');
  await scenario(servers, { acr: 'urn:acr:silver' });
  const good = await loginWith(page, client, asked);
  assert.ok(good.result.ok, JSON.stringify(good.result));
  assert.equal(await page.evaluate(() => window.__auth.user().acr), 'urn:acr:silver');
});

e2eTest(hostile, 'E24 voluntary acr: another acr signs in, and user().acr is the provider\'s', async ({ page, servers }) => {
  const client = await openClientPage(page, servers);
  await scenario(servers, { acr: 'urn:acr:bronze' });
  const { authorizeUrl, result } = await loginWith(page, client, { acrValues: ['urn:acr:gold'] });
  assert.equal(authorizeUrl.searchParams.get('claims'), null);
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(await page.evaluate(() => window.__auth.user().acr), 'urn:acr:bronze');
});

e2eTest(hostile, 'A08 pushedAuthorizationRequests with a provider that has no pushed authorization endpoint: par_unsupported, nothing sent', async ({ page, servers }) => {
  const client = await openClientPage(page, servers, { pushedAuthorizationRequests: true });
  await servers.resetLedger();
  const res = await page.evaluate(() => window.__try((a) => a.login({ returnTo: '/' })));
  assert.deepEqual([res.ok, res.code], [false, 'par_unsupported'], JSON.stringify(res));
  assert.deepEqual(client.authorizeUrls, [], 'no navigation');
  assert.deepEqual(await txRecords(page), [], 'no login record');
  assert.deepEqual((await servers.ledger()).map((e) => e.route), [], 'no request');
});

e2eTest(hostile, 'invalid login options are invalid_config naming the option, before anything is stored or sent', async ({ page, servers }) => {
  const client = await openClientPage(page, servers);
  for (const [options, field] of [
    [{ prompt: 'none login' }, 'prompt'],
    [{ prompt: 7 }, 'prompt'],
    [{ maxAge: -1 }, 'maxAge'],
    [{ maxAge: 1.5 }, 'maxAge'],
    [{ uiLocales: 'en_US' }, 'uiLocales'],
    [{ loginHint: 'x'.repeat(600) }, 'loginHint'],
    [{ acrValues: 'urn:acr:gold' }, 'acrValues'],
    [{ acrValues: ['two words'] }, 'acrValues'],
    [{ acrEssential: true }, 'acrEssential'],
    [{ acrValues: ['a'], acrEssential: 'yes' }, 'acrEssential'],
  ]) {
    const res = await page.evaluate((o) => window.__try((a) => a.login(o)), options);
    assert.deepEqual([res.code, res.detail], ['invalid_config', field], JSON.stringify(options));
  }
  assert.deepEqual(client.authorizeUrls, []);
  assert.deepEqual(await txRecords(page), []);
});
