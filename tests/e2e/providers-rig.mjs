// Rig for the provider-profile tests: tests/providers/provider.mjs (one mock per real provider:
// Entra ID, Auth0, Okta, Keycloak, ZITADEL, Cognito, Google) with the example app server, one pair
// per profile, and the settings the README gives for each provider.
//
// The servers object is the shared harness's Servers class (issuer = the issuer the client is
// configured with), so e2eTest's console and secrets checks work unchanged; logins run in the page
// as in hostile-rig.mjs (the navigation to the authorization endpoint is answered 204, Node
// fetches the authorization response, the page calls handleRedirectCallback).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';

import {
  PKG_DIR, REPO, STEP_TIMEOUT, Servers, e2eTest, freePort, launchBrowser, requirePackage, spawnReady,
} from './harness.mjs';
import { loginInPage, openClientPage } from './hostile-rig.mjs';

const PROVIDER = join(REPO, 'tests', 'providers', 'provider.mjs');

export const PROFILES = ['entra', 'auth0', 'okta', 'okta-org', 'keycloak', 'zitadel', 'cognito', 'google'];

/**
 * The settings the README gives per provider, on top of clientId, redirectUri and
 * postLogoutRedirectUri (the tests add allowLoopbackHttp: the mocks are http on 127.0.0.1).
 * Placeholders: <B> the provider's main host (the Auth0 tenant domain, the Okta org, ...), <B2>
 * its second host (Cognito: the user pool's domain), <tenant> the Entra directory (tenant) id,
 * <projectId> the ZITADEL project id.
 */
export const PROVIDER_SETTINGS = {
  entra: {
    issuer: '<B>/common/v2.0',
    scope: 'openid profile email offline_access',
    allowedTenants: ['<tenant>'],
  },
  auth0: {
    issuer: '<B>/',
    scope: 'openid profile email offline_access',
    extraAuthParams: { audience: 'https://api.example.com' },
    logoutEndpoint: { url: '<B>/v2/logout', redirectParam: 'returnTo' },
  },
  okta: {
    issuer: '<B>/oauth2/default',
    scope: 'openid profile email offline_access',
  },
  'okta-org': {
    issuer: '<B>',
    scope: 'openid profile email offline_access',
  },
  keycloak: {
    issuer: '<B>/realms/demo',
    // Keycloak issues a refresh token with every login; offline_access would ask for an offline token.
    scope: 'openid profile email',
  },
  zitadel: {
    issuer: '<B>',
    scope: 'openid profile email offline_access urn:zitadel:iam:org:project:id:<projectId>:aud',
    idTokenSigningAlgs: ['RS256', 'ES256', 'EdDSA'],
  },
  cognito: {
    issuer: '<B>/us-east-1_Example',
    scope: 'openid email profile',
    logoutEndpoint: { url: '<B2>/logout', redirectParam: 'logout_uri' },
    revocationEndpoint: '<B2>/oauth2/revoke',
  },
  google: {
    issuer: '<B>',
    scope: 'openid email profile',
  },
};

/** `value` with every placeholder of PROVIDER_SETTINGS replaced (strings, arrays and objects, deeply). */
export function fillPlaceholders(value, { base, base2, tenant = '', projectId = '' }) {
  const fill = (v) => {
    if (typeof v === 'string') {
      return v.replaceAll('<B2>', base2).replaceAll('<B>', base).replaceAll('<tenant>', tenant)
        .replaceAll('<projectId>', projectId);
    }
    if (Array.isArray(v)) return v.map(fill);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]));
    return v;
  };
  return fill(value);
}

/**
 * Start the example app and the profile's mock provider (its two listeners on free loopback
 * ports, so that the app server is told the issuer of PROVIDER_SETTINGS). The returned
 * Servers also has: profile, base, base2, sub (the mock's user), tenant / projectId (where the
 * profile has them), settings (PROVIDER_SETTINGS for these hosts) and metadata (the discovery
 * document at start-up).
 */
/** The mock's fixed identifiers (tests/providers/provider.mjs prints them when ready). */
export const MOCK_IDS = { tenant: '8a1b2c3d-0000-4000-8000-00000000e1d0', projectId: '287000000000000001' };

export async function startProfile(profile, { appDir } = {}) {
  const testDir = mkdtempSync(join(tmpdir(), `oxidc-${profile}-`));
  let lastError;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    let port2 = await freePort();
    while (port2 === port) port2 = await freePort();
    const hosts = { base: `http://127.0.0.1:${port}`, base2: `http://127.0.0.1:${port2}` };
    const issuer = fillPlaceholders(PROVIDER_SETTINGS[profile].issuer, hosts);
    // A built Rust example app reads the provider's settings from window.OXIDC_CONFIG (APP_CONFIG).
    const settings = fillPlaceholders(PROVIDER_SETTINGS[profile], { ...hosts, ...MOCK_IDS });
    delete settings.issuer;
    const app = spawnReady('app', 'serve.mjs', {
      APP_PORT: '0', OP_ISSUER: issuer, OXIDC_PKG_DIR: PKG_DIR, APP_TEST_DIR: testDir,
      ...(appDir ? { APP_DIR: appDir, APP_CONFIG: JSON.stringify(settings) } : {}),
    }, 'app ready ', 60_000);
    const appUrl = await app.ready;
    const appOrigin = new URL(appUrl).origin;
    const op = spawnReady(`${profile} provider`, PROVIDER, {
      PROFILE: profile, OP_PORT: String(port), OP_PORT2: String(port2), APP_ORIGIN: appOrigin,
    }, 'profile provider ready ', 60_000);
    let info;
    try {
      info = JSON.parse(await op.ready);
    } catch (err) {
      // A port was taken in the meantime: start over with others.
      lastError = err;
      app.child.kill('SIGKILL');
      continue;
    }
    const servers = new Servers({
      issuer, appOrigin, appUrl, testDir, children: [op.child, app.child], logs: { op: op.output, app: app.output },
    });
    assert.equal(info.issuer, issuer, `${profile}: the README's issuer is not the one the provider names`);
    for (const [name, value] of Object.entries(MOCK_IDS)) {
      if (info[name] !== undefined) assert.equal(info[name], value, `${profile}: the mock's ${name} changed`);
    }
    writeFileSync(join(testDir, 'storage-probe.html'), '<!DOCTYPE html><title>storage probe</title>\n');
    const res = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(STEP_TIMEOUT),
    });
    Object.assign(servers, {
      profile,
      ...hosts,
      sub: info.sub,
      tenant: info.tenant ?? null,
      projectId: info.projectId ?? null,
      settings: fillPlaceholders(PROVIDER_SETTINGS[profile], info),
      metadata: await res.json(),
    });
    return servers;
  }
  rmSync(testDir, { recursive: true, force: true });
  throw lastError;
}

/**
 * node:test set-up for a file of profile tests: one browser for the file (launched in `before`),
 * and per profile an env { servers, browser } for e2eTest, whose servers start in the `before` of
 * the describe block that calls profileEnv and stop in its `after` (one pair runs at a time).
 */
export function setupProvidersSuite() {
  const suite = { browser: null, envs: [] };
  before(async () => {
    requirePackage();
    suite.browser = await launchBrowser();
  }, { timeout: 60_000 });
  after(async () => {
    await suite.browser?.close().catch(() => {});
    await Promise.all(suite.envs.map((env) => env.servers?.stop()));
  }, { timeout: 30_000 });
  return suite;
}

/** Call inside describe(profile): the env of that profile, servers started in the block's `before`. */
export function profileEnv(suite, profile, options = {}) {
  const env = {
    servers: null,
    get browser() { return suite.browser; },
  };
  suite.envs.push(env);
  before(async () => {
    env.servers = await startProfile(profile, options);
  }, { timeout: 120_000 });
  after(async () => {
    await env.servers?.stop();
    env.servers = null;
  }, { timeout: 30_000 });
  return env;
}

/** e2eTest (console and secrets checks) with the provider's ledger emptied first. */
export function profileTest(env, name, fn, options) {
  e2eTest(env, name, async (ctx) => {
    await ctx.servers.resetLedger();
    await fn(ctx);
  }, options);
}

/**
 * createClient options: the README's settings for this provider (PROVIDER_SETTINGS) and the app's
 * addresses, then `patch` (a member set to undefined is left out). extraAuthParams is null unless
 * the settings have it, so that nothing of the probe page's default configuration remains.
 */
export function clientOptions(servers, patch = {}) {
  return {
    issuer: servers.issuer,
    clientId: 'spa',
    redirectUri: `${servers.appOrigin}/callback`,
    postLogoutRedirectUri: `${servers.appOrigin}/`,
    allowLoopbackHttp: true,
    extraAuthParams: null,
    ...servers.settings,
    ...patch,
  };
}

/** Open a client page with the provider's settings (see clientOptions). */
export function openProfileClient(page, servers, patch = {}, { mayFail = false } = {}) {
  return openClientPage(page, servers, clientOptions(servers, patch), {
    authorizePrefix: servers.metadata.authorization_endpoint, mayFail,
  });
}

/**
 * createClient, then login(): the first error of the two ({ ok: false, code, ... }), or { ok: true }
 * once login() navigated to the authorization endpoint.
 */
export async function startLogin(page, servers, patch = {}) {
  const client = await openProfileClient(page, servers, patch, { mayFail: true });
  if (client.startError) return { ok: false, stage: 'createClient', ...client.startError };
  const res = await page.evaluate(() => window.__try((a) => a.login({ returnTo: '/' })));
  if (!res.ok) return { stage: 'login', ...res };
  const deadline = Date.now() + STEP_TIMEOUT;
  while (client.authorizeUrls.length === 0) {
    assert.ok(Date.now() < deadline, 'login() did not navigate to the authorization endpoint');
    await new Promise((r) => { setTimeout(r, 20); });
  }
  return { ok: true };
}

/** Sign in through the public API and check the session: isAuthenticated() and user().sub. */
export async function signIn(page, servers, client) {
  const res = await loginInPage(page, servers, client);
  assert.ok(res.ok, `${servers.profile}: the login failed: ${JSON.stringify(res)}`);
  const state = await page.evaluate(() => ({ authenticated: window.__auth.isAuthenticated(), user: window.__auth.user() }));
  assert.equal(state.authenticated, true, 'isAuthenticated() after the callback');
  assert.equal(state.user?.sub, servers.sub, 'user().sub is the provider\'s subject');
  return state.user;
}

/**
 * Call logout() in the page; a navigation it starts (to any URL of the provider's hosts) is answered
 * 204, so the page stays. Resolves to { result, navigations } once the navigation was seen, or after
 * `quietMs` without one.
 */
export async function logoutInPage(page, servers, { quietMs = 750 } = {}) {
  const hosts = new Set([new URL(servers.base).origin, new URL(servers.base2).origin]);
  const navigations = [];
  const match = (u) => hosts.has(u.origin);
  const handler = async (route) => {
    if (route.request().isNavigationRequest()) {
      navigations.push(route.request().url());
      await route.fulfill({ status: 204, body: '' });
    } else {
      await route.fallback();
    }
  };
  const others = [];
  const onRequest = (req) => {
    if (req.isNavigationRequest() && req.frame() === page.mainFrame() && !match(new URL(req.url()))) others.push(req.url());
  };
  page.on('request', onRequest);
  await page.route(match, handler);
  try {
    const result = await page.evaluate(() => window.__try((a) => a.logout()));
    const deadline = Date.now() + quietMs;
    while (navigations.length === 0 && others.length === 0 && Date.now() < deadline) {
      await new Promise((r) => { setTimeout(r, 20); });
    }
    return { result, navigations: [...navigations, ...others] };
  } finally {
    page.off('request', onRequest);
    await page.unroute(match, handler);
  }
}

/**
 * Fetch a logout URL from Node (no redirect followed) and check that the provider accepts it: a
 * 302 back to the app. Resolves to the Location.
 */
export async function followLogout(servers, url) {
  const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(STEP_TIMEOUT) });
  const body = res.status === 302 ? '' : await res.text();
  assert.equal(res.status, 302, `${servers.profile}: the provider refused the logout request ${url}: ${res.status} ${body}`);
  const location = res.headers.get('location');
  assert.equal(new URL(location).origin, servers.appOrigin, 'the provider sends the browser back to the app');
  return location;
}

/** Decode a JWT's payload (no verification), in Node. */
export const jwtPayload = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));

export const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });
