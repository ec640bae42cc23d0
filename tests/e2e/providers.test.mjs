// The public JS API against one mock per real provider (tests/providers/provider.mjs): Microsoft
// Entra ID, Auth0, Okta (custom and org authorization servers), Keycloak, ZITADEL, Amazon Cognito
// and Google, each with its documented discovery document, endpoint hosts, token shapes, refresh
// rules and logout endpoint, and the client configured exactly as the README says for that provider
// (PROVIDER_SETTINGS in providers-rig.mjs). For every provider but Google: sign in, user().sub,
// a forced renewal (one refresh grant), getUser(), and a logout that the provider accepts; then each
// provider's quirks. After every test the console and page errors are searched for the secrets
// the provider issued (e2eTest).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { REPO, tokenRequests } from './harness.mjs';
import { authorizeInPage, scenario } from './hostile-rig.mjs';
import {
  PROVIDER_SETTINGS, followLogout, jwtPayload, logoutInPage, openProfileClient, profileEnv, profileTest, setupProvidersSuite, signIn,
  sleep, startLogin,
} from './providers-rig.mjs';

const suite = setupProvidersSuite();

const getToken = (page, opts) => page.evaluate((o) => window.__try((a) => a.getAccessToken(o)), opts);
const getUser = (page) => page.evaluate(() => window.__try((a) => a.getUser()));
const isAuthenticated = (page) => page.evaluate(() => window.__auth.isAuthenticated());
const logoutReturn = (page, url) => page.evaluate((u) => window.__try((a) => a.handleLogoutCallback(u)), url);

/** login() in the page, the authorization response from Node, handleRedirectCallback: { callbackUrl, res }. */
async function loginWithResponse(page, client) {
  const { callbackUrl } = await authorizeInPage(page, client);
  const res = await page.evaluate((u) => window.__try((a) => a.handleRedirectCallback(u)), callbackUrl);
  return { callbackUrl, res };
}

/** A rejection with this code (and detail, status when given). */
function assertFails(res, expected) {
  assert.equal(res.ok, false, `expected ${JSON.stringify(expected)}, got success`);
  const got = Object.fromEntries(Object.keys(expected).map((k) => [k, res[k]]));
  assert.deepEqual(got, expected, JSON.stringify(res));
}

/** Where logout() must go: the configured logoutEndpoint, else the discovered end_session_endpoint. */
const logoutEndpointOf = (servers) => servers.settings.logoutEndpoint?.url ?? servers.metadata.end_session_endpoint;

/**
 * The common tests of a provider: sign in, renew, userinfo; logout through the provider, which
 * redirects back with state (`stateful`) or without (endpoints that take no state).
 */
function commonTests(env, profile, { stateful }) {
  profileTest(env, `${profile}: sign in with the README settings, user().sub, a forced renewal (one refresh grant), getUser()`, async ({ page, servers }) => {
    const client = await openProfileClient(page, servers);
    await signIn(page, servers, client);
    const first = await getToken(page);
    assert.ok(first.ok, JSON.stringify(first));
    await servers.resetLedger();
    const renewed = await getToken(page, { forceRefresh: true });
    assert.ok(renewed.ok, JSON.stringify(renewed));
    assert.notEqual(renewed.value, first.value, 'a new access token');
    assert.equal(tokenRequests(await servers.ledger(), 'refresh_token').length, 1, 'exactly one refresh grant');
    assert.equal(await isAuthenticated(page), true);
    assert.ok(servers.metadata.userinfo_endpoint, 'every profile here has a userinfo endpoint');
    const user = await getUser(page);
    assert.ok(user.ok, JSON.stringify(user));
    assert.equal(user.value.sub, servers.sub);
  });

  profileTest(env, `${profile}: logout() goes to the provider's logout endpoint, which accepts it and redirects back; handleLogoutCallback is ${stateful}`, async ({ page, servers }) => {
    const client = await openProfileClient(page, servers);
    await signIn(page, servers, client);
    const { result, navigations } = await logoutInPage(page, servers, { quietMs: 5000 });
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(navigations.length, 1, `one navigation, got ${JSON.stringify(navigations)}`);
    const endpoint = logoutEndpointOf(servers);
    assert.ok(navigations[0].startsWith(`${endpoint}?`), `logout went to ${navigations[0]}, expected ${endpoint}`);
    const back = await followLogout(servers, navigations[0]);
    assert.equal(new URL(back).searchParams.has('state'), stateful, `the provider's redirect: ${back}`);
    assert.deepEqual(await logoutReturn(page, back), { ok: true, value: stateful });
    assert.equal(await isAuthenticated(page), false);
  });
}

// ---------------------------------------------------------------------------

describe('entra', () => {
  const env = profileEnv(suite, 'entra');
  commonTests(env, 'entra', { stateful: true });

  profileTest(env, 'entra: without allowedTenants the {tenantid} issuer of the common endpoint is refused (discovery_issuer_mismatch)', async ({ page, servers }) => {
    const res = await startLogin(page, servers, { allowedTenants: undefined });
    assertFails(res, { code: 'discovery_issuer_mismatch' });
  });

  profileTest(env, 'entra: a user of a tenant not in allowedTenants is refused at the callback (id_token_invalid, tid)', async ({ page, servers }) => {
    await scenario(servers, { tenant: '5f0e0000-0000-4000-8000-0000000b0b00' });
    const client = await openProfileClient(page, servers);
    const { res } = await loginWithResponse(page, client);
    assertFails(res, { code: 'id_token_invalid', detail: 'tid' });
    assert.equal(await isAuthenticated(page), false);
  });

  profileTest(env, 'entra: allowedTenants "any" signs in a user of any tenant', async ({ page, servers }) => {
    const tenant = '5f0e0000-0000-4000-8000-0000000b0b00';
    await scenario(servers, { tenant });
    const client = await openProfileClient(page, servers, { allowedTenants: 'any' });
    const user = await signIn(page, servers, client);
    assert.equal(user.tid, tenant);
    assert.equal(user.iss, `${servers.base}/${tenant}/v2.0`);
  });

  profileTest(env, 'entra: a redirect URI registered as Web, not SPA: the callback rejects with spa_registration_required', async ({ page, servers }) => {
    await scenario(servers, { platform: 'web' });
    const client = await openProfileClient(page, servers);
    const { res } = await loginWithResponse(page, client);
    assertFails(res, { code: 'spa_registration_required' });
    assert.equal(await isAuthenticated(page), false);
  });

  profileTest(env, 'entra: the SPA refresh token past its fixed lifetime (AADSTS700084): login_required, signed out', async ({ page, servers }) => {
    await scenario(servers, { rtLifetimeSecs: 2 });
    const client = await openProfileClient(page, servers);
    await signIn(page, servers, client);
    await sleep(2500);
    const res = await getToken(page, { forceRefresh: true });
    assertFails(res, { code: 'login_required' });
    assert.equal(await isAuthenticated(page), false);
  });

  profileTest(env, 'entra: userinfo (Microsoft Graph, another host) refuses an access token for an api:// scope: http_status 401 (Graph scopes: the first entra test)', async ({ page, servers }) => {
    const client = await openProfileClient(page, servers, { scope: 'openid profile email offline_access api://my-api/read' });
    await signIn(page, servers, client);
    const refused = await getUser(page);
    assertFails(refused, { code: 'http_status', status: 401 });
    assert.equal(await isAuthenticated(page), true, 'the session itself is untouched');
    const userinfo = (await servers.ledger()).filter((e) => e.route === 'userinfo');
    assert.ok(userinfo.length >= 1 && userinfo.every((e) => e.listener === 2), 'Graph is the second host');
  });
});

// ---------------------------------------------------------------------------

describe('auth0', () => {
  const env = profileEnv(suite, 'auth0');
  commonTests(env, 'auth0', { stateful: false });

  profileTest(env, 'auth0: the issuer with its trailing slash, and an access token for the audience (a JWT whose aud has it)', async ({ page, servers }) => {
    assert.ok(servers.issuer.endsWith('/'));
    const client = await openProfileClient(page, servers);
    const user = await signIn(page, servers, client);
    assert.equal(user.iss, servers.issuer);
    const authorize = (await servers.ledger()).find((e) => e.route === 'authorize');
    assert.equal(authorize.query.audience, 'https://api.example.com');
    const token = await getToken(page);
    assert.ok(token.ok, JSON.stringify(token));
    const claims = jwtPayload(token.value);
    assert.ok([].concat(claims.aud).includes('https://api.example.com'), JSON.stringify(claims.aud));
  });

  profileTest(env, 'auth0: without logoutEndpoint (no end_session_endpoint discovered) logout() stays local', async ({ page, servers }) => {
    const client = await openProfileClient(page, servers, { logoutEndpoint: undefined });
    await signIn(page, servers, client);
    await servers.resetLedger();
    const { result, navigations } = await logoutInPage(page, servers);
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(navigations, [], 'no navigation');
    assert.equal((await servers.ledger()).filter((e) => e.route === 'logout').length, 0, 'no logout request');
    assert.equal(await isAuthenticated(page), false);
  });

  profileTest(env, 'auth0: end_session_endpoint discovered (tenant setting on): used with state even though logoutEndpoint is set', async ({ page, servers }) => {
    await scenario(servers, { endSessionDiscovery: true });
    const client = await openProfileClient(page, servers);
    await signIn(page, servers, client);
    const { result, navigations } = await logoutInPage(page, servers, { quietMs: 5000 });
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(navigations.length, 1, JSON.stringify(navigations));
    const url = new URL(navigations[0]);
    assert.equal(`${url.origin}${url.pathname}`, `${servers.base}/oidc/logout`);
    assert.ok(url.searchParams.get('state'), 'state sent');
    const back = await followLogout(servers, url.href);
    assert.deepEqual(await logoutReturn(page, back), { ok: true, value: true });
  });

  profileTest(env, 'auth0: 20 concurrent getAccessToken() after the token went stale send one refresh grant; rotation reuse detection leaves the session alive', async ({ page, servers }) => {
    // 4 s tokens: the renewal margin is then half their lifetime (2 s), so after 3 s they are stale
    // (expiry is counted in whole seconds) but not yet expired.
    await scenario(servers, { atTtl: 4 });
    const client = await openProfileClient(page, servers);
    await signIn(page, servers, client);
    await sleep(3000);
    await servers.resetLedger();
    const results = await page.evaluate(() => Promise.all(
      Array.from({ length: 20 }, () => window.__try((a) => a.getAccessToken())),
    ));
    assert.ok(results.every((r) => r.ok), JSON.stringify(results.find((r) => !r.ok)));
    assert.equal(new Set(results.map((r) => r.value)).size, 1, 'one token for every caller');
    assert.equal(tokenRequests(await servers.ledger(), 'refresh_token').length, 1, 'one refresh grant');
    const again = await getToken(page, { forceRefresh: true });
    assert.ok(again.ok, `the session did not survive: ${JSON.stringify(again)}`);
    assert.equal(await isAuthenticated(page), true);
  });
});

// ---------------------------------------------------------------------------

describe('okta', () => {
  const env = profileEnv(suite, 'okta');
  commonTests(env, 'okta', { stateful: true });

  profileTest(env, 'okta: after the session expired (no refresh token), logout() still sends id_token_hint and Okta accepts it', async ({ page, servers }) => {
    await scenario(servers, { atTtl: 2 });
    const client = await openProfileClient(page, servers, { scope: 'openid profile email' });
    await signIn(page, servers, client);
    await sleep(3000);
    assertFails(await getToken(page), { code: 'login_required' });
    assert.equal(await isAuthenticated(page), false);
    const { result, navigations } = await logoutInPage(page, servers, { quietMs: 5000 });
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(navigations.length, 1, JSON.stringify(navigations));
    assert.ok(new URL(navigations[0]).searchParams.get('id_token_hint'), 'id_token_hint sent');
    const back = await followLogout(servers, navigations[0]);
    assert.deepEqual(await logoutReturn(page, back), { ok: true, value: true });
  });

  for (const [mode, outcome] of [['sent', 'accepted'], ['wrong', 'issuer_mismatch'], ['none', 'accepted']]) {
    const what = { sent: 'sent with the right value, not advertised', wrong: 'a wrong value, not advertised', none: 'neither sent nor advertised' }[mode];
    profileTest(env, `okta: RFC 9207 iss ${what}: ${outcome}`, async ({ page, servers }) => {
      await scenario(servers, { issParam: mode });
      const client = await openProfileClient(page, servers);
      const { callbackUrl, res } = await loginWithResponse(page, client);
      const iss = new URL(callbackUrl).searchParams.get('iss');
      assert.equal(iss, { sent: servers.issuer, wrong: `${servers.issuer}/x`, none: null }[mode]);
      if (outcome === 'accepted') {
        assert.ok(res.ok, JSON.stringify(res));
        assert.equal(await isAuthenticated(page), true);
      } else {
        assertFails(res, { code: outcome });
        assert.equal(await isAuthenticated(page), false);
      }
    });
  }
});

describe('okta-org', () => {
  const env = profileEnv(suite, 'okta-org');
  commonTests(env, 'okta-org', { stateful: true });
});

// ---------------------------------------------------------------------------

describe('keycloak', () => {
  const env = profileEnv(suite, 'keycloak');
  commonTests(env, 'keycloak', { stateful: true });

  profileTest(env, 'keycloak: iss advertised and sent (RFC 9207), with session_state: accepted', async ({ page, servers }) => {
    assert.equal(servers.metadata.authorization_response_iss_parameter_supported, true);
    const client = await openProfileClient(page, servers);
    const { callbackUrl, res } = await loginWithResponse(page, client);
    const q = new URL(callbackUrl).searchParams;
    assert.equal(q.get('iss'), servers.issuer);
    assert.ok(q.get('session_state'));
    assert.ok(res.ok, JSON.stringify(res));
  });

  profileTest(env, 'keycloak: a wrong iss in the authorization response: issuer_mismatch', async ({ page, servers }) => {
    await scenario(servers, { issParam: 'wrong' });
    const client = await openProfileClient(page, servers);
    const { res } = await loginWithResponse(page, client);
    assertFails(res, { code: 'issuer_mismatch' });
    assert.equal(await isAuthenticated(page), false);
    assert.equal(tokenRequests(await servers.ledger(), 'authorization_code').length, 0, 'the code was not redeemed');
  });

  profileTest(env, 'keycloak: a hostname (frontend URL) other than the configured issuer: discovery_issuer_mismatch', async ({ page, servers }) => {
    await scenario(servers, { hostname: `http://localhost:${new URL(servers.base).port}` });
    const res = await startLogin(page, servers);
    assertFails(res, { code: 'discovery_issuer_mismatch' });
  });
});

// ---------------------------------------------------------------------------

describe('zitadel', () => {
  const env = profileEnv(suite, 'zitadel');
  commonTests(env, 'zitadel', { stateful: true });

  profileTest(env, 'zitadel: an EdDSA ID token for three audiences with azp: accepted', async ({ page, servers }) => {
    const client = await openProfileClient(page, servers);
    const { callbackUrl } = await authorizeInPage(page, client);
    const res = await page.evaluate((u) => window.__try((a) => a.handleRedirectCallback(u)), callbackUrl);
    assert.ok(res.ok, JSON.stringify(res));
    const user = await page.evaluate(() => window.__auth.user());
    assert.deepEqual(user.aud, ['spa', '287000000000000042', servers.projectId]);
    assert.equal(user.azp, 'spa');
    const authorize = (await servers.ledger()).find((e) => e.route === 'authorize');
    assert.ok(authorize.query.scope.split(' ').includes(`urn:zitadel:iam:org:project:id:${servers.projectId}:aud`));
    const idToken = (await servers.issued()).idTokens.at(-1);
    assert.equal(JSON.parse(Buffer.from(idToken.split('.')[0], 'base64url')).alg, 'EdDSA');
  });

  profileTest(env, 'zitadel: several audiences without azp: id_token_invalid (azp)', async ({ page, servers }) => {
    await scenario(servers, { dropClaims: ['azp'] });
    const client = await openProfileClient(page, servers);
    const { res } = await loginWithResponse(page, client);
    assertFails(res, { code: 'id_token_invalid', detail: 'azp' });
  });

  profileTest(env, 'zitadel: with the default idTokenSigningAlgs (no EdDSA) the EdDSA ID token is refused (id_token_invalid, alg)', async ({ page, servers }) => {
    const client = await openProfileClient(page, servers, { idTokenSigningAlgs: undefined });
    const { res } = await loginWithResponse(page, client);
    assertFails(res, { code: 'id_token_invalid', detail: 'alg' });
  });
});

// ---------------------------------------------------------------------------

describe('cognito', () => {
  const env = profileEnv(suite, 'cognito');
  commonTests(env, 'cognito', { stateful: false });

  profileTest(env, 'cognito: the issuer host is not the endpoints host; two forced renewals without a new refresh token both succeed', async ({ page, servers }) => {
    assert.notEqual(new URL(servers.metadata.token_endpoint).origin, new URL(servers.issuer).origin);
    const client = await openProfileClient(page, servers);
    await servers.resetLedger();
    await signIn(page, servers, client);
    const ledger = await servers.ledger();
    assert.deepEqual(
      [...new Set(ledger.map((e) => `${e.route}@${e.listener}`))].sort(),
      ['authorize@2', 'jwks@1', 'token@2'],
      'keys from the issuer host; authorization and tokens from the user pool domain',
    );
    const issuedBefore = (await servers.issued()).refreshTokens.length;
    const tokens = [(await getToken(page)).value];
    await servers.resetLedger();
    for (let i = 0; i < 2; i += 1) {
      const renewed = await getToken(page, { forceRefresh: true });
      assert.ok(renewed.ok, `renewal ${i + 1}: ${JSON.stringify(renewed)}`);
      tokens.push(renewed.value);
    }
    assert.equal(new Set(tokens).size, 3, 'a new access token each time');
    assert.equal(tokenRequests(await servers.ledger(), 'refresh_token').length, 2);
    assert.equal((await servers.issued()).refreshTokens.length, issuedBefore, 'no refresh token was issued: the first one was kept');
  });

  profileTest(env, 'cognito: the logout URL carries client_id and logout_uri, and no state', async ({ page, servers }) => {
    const client = await openProfileClient(page, servers);
    await signIn(page, servers, client);
    const { result, navigations } = await logoutInPage(page, servers, { quietMs: 5000 });
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(navigations.length, 1, JSON.stringify(navigations));
    const url = new URL(navigations[0]);
    assert.equal(`${url.origin}${url.pathname}`, `${servers.base2}/logout`);
    assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'logout_uri']);
    assert.equal(url.searchParams.get('client_id'), 'spa');
    assert.equal(url.searchParams.get('logout_uri'), `${servers.appOrigin}/`);
  });

  profileTest(env, 'cognito: with revocationEndpoint (/oauth2/revoke, not in discovery) logout() revokes the refresh token there, never the access token', async ({ page, servers }) => {
    const revocationEndpoint = `${servers.base2}/oauth2/revoke`;
    assert.equal(servers.metadata.revocation_endpoint, undefined);
    const client = await openProfileClient(page, servers, { revocationEndpoint });
    await signIn(page, servers, client);
    const { refreshTokens } = await servers.issued();
    const { result } = await logoutInPage(page, servers, { quietMs: 5000 });
    assert.ok(result.ok, JSON.stringify(result));
    const revocations = (await servers.ledger()).filter((e) => e.route === 'revoke');
    assert.equal(revocations.length, 1, JSON.stringify(revocations));
    assert.equal(revocations[0].listener, 2);
    // Cognito answers unsupported_token_type for an access token; the refresh token is now dead.
    const res = await fetch(servers.metadata.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshTokens.at(-1), client_id: 'spa' }),
    });
    assert.equal(res.status, 400, 'the refresh token was revoked');
  });
});

// ---------------------------------------------------------------------------

describe('google', () => {
  const env = profileEnv(suite, 'google');

  profileTest(env, 'google: the code exchange needs a client secret: confidential_client_required, none sent; logout() stays local', async ({ page, servers }) => {
    const client = await openProfileClient(page, servers);
    await servers.resetLedger();
    const { res } = await loginWithResponse(page, client);
    assertFails(res, { code: 'confidential_client_required' });
    assert.equal(await isAuthenticated(page), false);
    const exchanges = tokenRequests(await servers.ledger(), 'authorization_code');
    assert.equal(exchanges.length, 1);
    assert.equal(exchanges[0].form.includes('client_secret'), false, 'no client_secret in the form');
    assert.equal(exchanges[0].auth, null, 'no Authorization header (client_secret_basic)');
    await servers.resetLedger();
    const { result, navigations } = await logoutInPage(page, servers);
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(navigations, [], 'no navigation: Google has no end_session_endpoint');
    assert.deepEqual((await servers.ledger()).map((e) => e.route), [], 'no request to Google');
  });
});

// The README's Providers snippets are the settings these tests use: every option of
// PROVIDER_SETTINGS is in the README's createClient call for that provider, with the same value
// (URLs compared by path, the mock's identifiers by placeholder).
test('README: the Providers snippets give the settings the provider tests use', () => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Providers\n'), readme.indexOf('\n## Commands\n'));
  const code = section.match(/```js\n([\s\S]*?)```/)[1];
  const snippets = {};
  for (const m of code.matchAll(/\/\/ ([^\n]+)\nconst \w+ = await createClient\((\{[\s\S]*?\n\})\);/g)) {
    snippets[m[1]] = new Function(`return (${m[2]});`)();
  }
  const names = {
    entra: 'Microsoft Entra ID', auth0: 'Auth0', okta: 'Okta', keycloak: 'Keycloak', zitadel: 'ZITADEL', cognito: 'Amazon Cognito',
  };
  const shape = (v) => {
    if (typeof v === 'string') {
      const url = /^(<B2?>|https:\/\/[^/]+)(\/.*)?$/.exec(v);
      const text = url ? (url[2] || '/') : v;
      // The README's placeholders and the mock's own identifiers both become <id>.
      return text.replace(/<[^>]+>/g, '<id>').replace(/\/us-east-1_Example$/, '/<id>').replace(/\/realms\/demo$/, '/realms/<id>');
    }
    if (Array.isArray(v)) return v.map(shape);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
    return v;
  };
  for (const [profile, title] of Object.entries(names)) {
    const snippet = Object.entries(snippets).find(([k]) => k.startsWith(title))?.[1];
    assert.ok(snippet, `README has a createClient snippet for ${title}`);
    for (const [key, value] of Object.entries(PROVIDER_SETTINGS[profile])) {
      assert.deepEqual(shape(snippet[key]), shape(value), `${title}: ${key}`);
    }
  }
});
