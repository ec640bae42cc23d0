// DPoP-bound tokens (RFC 9449, K01–K06) and the authenticated fetch (I04), in Chromium against the
// real provider (oidc-provider with DPoP, www-example/provider.mjs) and a resource server
// (resource-server.mjs) that verifies every proof in full and checks tokens by introspection.
//
// The example app runs with { dpop: true, apiOrigins: [the resource server] } and calls the API with
// auth.fetch(). A capture server stands for any other origin.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before } from 'node:test';

import {
  appStatus, e2eTest, freePort, getAccessToken, launchBrowser, login, logout, onWorkers, openApp,
  requirePackage, startServers, tokenRequests,
} from './harness.mjs';
import { startCaptureServer, startResourceServer } from './resource-server.mjs';

const env = { servers: null, browser: null, rs: null, sink: null };

before(async () => {
  requirePackage();
  const port = await freePort();
  const rsOrigin = `http://127.0.0.1:${port}`;
  env.servers = await startServers({
    appEnv: { APP_CONFIG: JSON.stringify({ dpop: true, apiOrigins: [rsOrigin], apiUrl: `${rsOrigin}/api/me` }) },
  });
  env.rs = await startResourceServer({ issuer: env.servers.issuer, appOrigin: env.servers.appOrigin, port });
  env.sink = await startCaptureServer();
  env.browser = await launchBrowser();
}, { timeout: 90_000 });

after(async () => {
  await env.browser?.close().catch(() => {});
  await env.rs?.stop();
  await env.sink?.stop();
  await env.servers?.stop();
}, { timeout: 30_000 });

const b64json = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
const sha256b64 = (text) => createHash('sha256').update(text).digest('base64url');

async function fresh() {
  env.rs.reset();
  env.sink.reset();
  await env.servers.hook('/__dpop', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requireNonce: false }),
  });
}

async function requireProviderNonce(on) {
  await env.servers.hook('/__dpop', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requireNonce: on }),
  });
}

/** auth.fetch in the page; the response's status, type and JSON body, or the error's code. */
function apiFetch(page, url, init) {
  return page.evaluate(async ([u, i]) => {
    try {
      const r = await window.__auth.fetch(u, i);
      let body = null;
      try { body = await r.json(); } catch { body = null; }
      return { status: r.status, type: r.type, body };
    } catch (e) {
      return { error: { code: e.code ?? null, name: e.name, message: e.message } };
    }
  }, [url, init]);
}

async function signedIn(page, servers) {
  await openApp(page, servers);
  await login(page, servers);
  assert.equal(await appStatus(page), 'signed_in');
}

e2eTest(env, 'apiOrigins must be written as the browser writes origins', async ({ page, servers }) => {
  await openApp(page, servers);
  const codes = await page.evaluate(async (cfg) => {
    const { createClient } = await import('/pkg/index.js');
    const out = [];
    // The last two only the page catches: the engine's own check takes them, but the browser writes
    // them otherwise (https://api.example.com, https://127.0.0.1), so they could never match.
    for (const origin of ['https://API.example.com', 'https://api.example.com/', 'https://api.example.com:443', 'api.example.com',
      'https://api.example.com:0443', 'https://127.1']) {
      try {
        await createClient({ ...cfg, apiOrigins: [origin] });
        out.push('accepted');
      } catch (e) {
        out.push(`${e.code}:${e.detail}`);
      }
    }
    return out;
  }, { issuer: servers.issuer, clientId: 'spa', redirectUri: `${servers.appOrigin}/callback`, allowLoopbackHttp: true });
  assert.deepEqual(codes, Array(6).fill('invalid_config:apiOrigins'));
});

e2eTest(env, 'K01 K03 login and renewal with DPoP: every token request carries a proof and every token is DPoP-bound', async ({ page, servers }) => {
  await fresh();
  await servers.resetLedger();
  await signedIn(page, servers);
  const [exchange] = tokenRequests(await servers.ledger(), 'authorization_code');
  assert.equal(exchange.dpop, true, 'the code request carries a DPoP proof');
  assert.equal(exchange.token_type, 'DPoP');
  const auth = (await servers.ledger()).find((e) => e.route === 'authorization' && e.path === '/auth');
  assert.equal(auth.params.dpop_jkt, undefined, 'a redirect login does not bind the code to a key that may not survive it');
  const first = await apiFetch(page, `${env.rs.origin}/api/me`);
  assert.equal(first.status, 200, JSON.stringify(first));
  assert.equal(first.body.scheme, 'DPoP');
  assert.ok(first.body.jkt, 'the access token is bound to a key');
  // Renewal: the refresh request proves possession of the same key, and the new token is bound to it.
  const { token: before } = await getAccessToken(page);
  const { token: after, error } = await getAccessToken(page, { forceRefresh: true });
  assert.equal(error, undefined, JSON.stringify(error));
  assert.notEqual(after, before);
  const [refresh] = tokenRequests(await servers.ledger(), 'refresh_token');
  assert.equal(refresh.dpop, true);
  assert.equal(refresh.token_type, 'DPoP');
  assert.equal(refresh.status, 200);
  const second = await apiFetch(page, `${env.rs.origin}/api/me`);
  assert.equal(second.status, 200);
  assert.equal(second.body.jkt, first.body.jkt, 'one key for the session');
  // K01: the proofs as the resource server got them.
  for (const entry of env.rs.ledger) {
    const [h, p] = entry.dpop.split('.');
    const header = b64json(h);
    const payload = b64json(p);
    assert.equal(header.typ, 'dpop+jwt');
    assert.equal(header.alg, 'ES256');
    assert.equal(header.jwk.d, undefined, 'never the private key');
    assert.equal(payload.htm, 'GET');
    assert.equal(payload.htu, `${env.rs.origin}/api/me`);
    assert.ok(Math.abs(payload.iat - Date.now() / 1000) < 60);
    assert.ok(Buffer.from(payload.jti, 'base64url').length >= 12, 'jti of at least 96 bits');
    assert.equal(payload.ath, sha256b64(entry.authorization.replace(/^DPoP /, '')));
  }
  const jtis = env.rs.ledger.map((e) => b64json(e.dpop.split('.')[1]).jti);
  assert.equal(new Set(jtis).size, jtis.length);
});

e2eTest(env, 'K01 the DPoP key is made non-extractable in the engine, and a popup login binds the code to it (dpop_jkt)', async ({ page, servers }) => {
  await fresh();
  await servers.resetLedger();
  await openApp(page, servers);
  // Watch the engine's WebCrypto before it makes the key (at the popup login).
  const hook = await onWorkers(env.browser, 'Runtime.evaluate', {
    expression: `(() => {
      const subtle = SubtleCrypto.prototype;
      const generate = subtle.generateKey;
      self.__keys = [];
      subtle.generateKey = async function (alg, extractable, usages) {
        const pair = await generate.call(this, alg, extractable, usages);
        let exported = 'refused';
        try { await crypto.subtle.exportKey('jwk', pair.privateKey); exported = 'EXPORTED'; } catch (e) { exported = 'refused: ' + e.name; }
        self.__keys.push({ alg: alg.name, curve: alg.namedCurve, extractable, privateExtractable: pair.privateKey.extractable, exported });
        return pair;
      };
      return true;
    })()`,
  });
  assert.ok(hook.count >= 1, 'the engine runs in a worker');
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.locator('#login-popup').click()]);
  await login(popup, servers, { start: false, popup: true });
  await page.waitForFunction(() => document.getElementById('status')?.dataset.status === 'signed_in', null, { timeout: 30_000 });
  const seen = await onWorkers(env.browser, 'Runtime.evaluate', { expression: 'JSON.stringify(self.__keys || [])', returnByValue: true });
  await hook.close();
  await seen.close();
  const keys = seen.results.flatMap((r) => JSON.parse(r.result.value));
  assert.equal(keys.length, 1, JSON.stringify(keys));
  assert.deepEqual(keys[0], {
    alg: 'ECDSA', curve: 'P-256', extractable: false, privateExtractable: false, exported: 'refused: InvalidAccessError',
  });
  const ledger = await servers.ledger();
  const auth = ledger.find((e) => (e.route === 'authorization' && e.path === '/auth') || e.route === 'par');
  const jkt = auth.params?.dpop_jkt;
  assert.ok(jkt, 'the popup login sends dpop_jkt');
  const [exchange] = tokenRequests(ledger, 'authorization_code');
  assert.equal(exchange.status, 200, 'the provider found the proof key equal to dpop_jkt');
  const api = await apiFetch(page, `${env.rs.origin}/api/me`);
  assert.equal(api.status, 200);
  assert.equal(api.body.jkt, jkt, 'the tokens are bound to the key of dpop_jkt');
});

e2eTest(env, 'K05 getUser sends the token as DPoP with a proof the provider checks (ath), and logout revokes with a proof', async ({ page, servers }) => {
  await fresh();
  await signedIn(page, servers);
  await servers.resetLedger();
  const { token } = await getAccessToken(page);
  const user = await page.evaluate(async () => {
    try {
      return { claims: await window.__auth.getUser() };
    } catch (e) {
      return { error: e.code };
    }
  });
  assert.equal(user.error, undefined, JSON.stringify(user));
  assert.equal(user.claims.sub, 'alice');
  const calls = (await servers.ledger()).filter((e) => e.route === 'userinfo');
  assert.deepEqual(calls.map((e) => [e.status, e.scheme, e.dpop]), [[200, 'DPoP', true]]);
  assert.equal(calls[0].bearer, createHash('sha256').update(token).digest('hex').slice(0, 16), 'the current access token');
  await logout(page, servers);
  const revocations = (await servers.ledger()).filter((e) => e.route === 'revocation');
  assert.deepEqual(revocations.map((e) => [e.status, e.dpop]), [[200, true]]);
});

e2eTest(env, 'dpop_unsupported when the engine cannot make its key: the login stops before anything is sent', async ({ page, servers }) => {
  await fresh();
  await openApp(page, servers);
  await servers.resetLedger();
  const hook = await onWorkers(env.browser, 'Runtime.evaluate', {
    expression: `SubtleCrypto.prototype.generateKey = () => Promise.reject(new DOMException('no ECDSA here', 'NotSupportedError')); true`,
  });
  assert.ok(hook.count >= 1);
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.locator('#login-popup').click()]);
  await page.waitForSelector('#error:not([hidden])', { timeout: 30_000 });
  await hook.close();
  assert.equal(await page.locator('#error').getAttribute('data-code'), 'dpop_unsupported');
  await popup.waitForEvent('close', { timeout: 10_000 }).catch(() => {});
  assert.equal(popup.isClosed(), true, 'the popup is closed');
  const sent = (await servers.ledger()).filter((e) => ['authorization', 'par', 'token'].includes(e.route));
  assert.deepEqual(sent, [], 'no login was sent');
  assert.equal(await appStatus(page), 'signed_out');
});

e2eTest(env, 'K02 the nonce dance at the token endpoint: use_dpop_nonce, then exactly one retry with the nonce', async ({ page, servers }) => {
  await fresh();
  await openApp(page, servers);
  await requireProviderNonce(true);
  await servers.resetLedger();
  await login(page, servers);
  assert.equal(await appStatus(page), 'signed_in');
  const exchanges = tokenRequests(await servers.ledger(), 'authorization_code');
  assert.deepEqual(exchanges.map((e) => [e.status, e.error ?? null]), [[400, 'use_dpop_nonce'], [200, null]]);
  // The nonce is kept: the refresh needs no retry.
  await getAccessToken(page, { forceRefresh: true });
  const refreshes = tokenRequests(await servers.ledger(), 'refresh_token');
  assert.deepEqual(refreshes.map((e) => e.status), [200]);
});

e2eTest(env, 'K05 the nonce dance at the resource server: one retry with its DPoP-Nonce', async ({ page, servers }) => {
  await fresh();
  await signedIn(page, servers);
  env.rs.requireNonce(true);
  const r = await apiFetch(page, `${env.rs.origin}/api/me`);
  assert.equal(r.status, 200, JSON.stringify(r));
  assert.deepEqual(env.rs.ledger.map((e) => [e.status, e.reason]), [[401, 'nonce'], [200, null]]);
  assert.equal(b64json(env.rs.ledger[1].dpop.split('.')[1]).nonce, env.rs.nonce());
  // The nonce is kept for the next request to that origin.
  const again = await apiFetch(page, `${env.rs.origin}/api/me`);
  assert.equal(again.status, 200);
  assert.equal(env.rs.ledger.length, 3);
});

e2eTest(env, 'K06 a replayed proof is refused, and a token copied out is useless without the key', async ({ page, servers }) => {
  await fresh();
  await signedIn(page, servers);
  const r = await apiFetch(page, `${env.rs.origin}/api/me`);
  assert.equal(r.status, 200);
  const { authorization, dpop } = env.rs.ledger[0];
  const replay = await fetch(`${env.rs.origin}/api/me`, { headers: { authorization, dpop } });
  assert.equal(replay.status, 401);
  assert.equal((await replay.json()).reason, 'replayed_jti');
  const token = authorization.replace(/^DPoP /, '');
  const asBearer = await fetch(`${env.rs.origin}/api/me`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(asBearer.status, 401);
  assert.equal((await asBearer.json()).reason, 'dpop_bound_as_bearer');
  // With a proof of another key (the attacker's own), the binding does not match.
  const { privateKey, publicKey } = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']);
  const { x, y } = await crypto.subtle.exportKey('jwk', publicKey);
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${enc({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256', x, y } })}.${enc({
    jti: crypto.randomUUID(), htm: 'GET', htu: `${env.rs.origin}/api/me`, iat: Math.floor(Date.now() / 1000), ath: sha256b64(token),
  })}`;
  const sig = Buffer.from(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, Buffer.from(input))).toString('base64url');
  const otherKey = await fetch(`${env.rs.origin}/api/me`, { headers: { authorization: `DPoP ${token}`, dpop: `${input}.${sig}` } });
  assert.equal(otherKey.status, 401);
  assert.equal((await otherKey.json()).reason, 'jkt_mismatch');
});

e2eTest(env, 'I04 a disallowed origin is refused with nothing sent, and a redirect to another origin is not followed', async ({ page, servers }) => {
  await fresh();
  await signedIn(page, servers);
  for (const url of [`${env.sink.origin}/steal`, `${servers.issuer}/api/hello`, `${env.rs.origin.replace('127.0.0.1', 'localhost')}/api/me`]) {
    const r = await apiFetch(page, url);
    assert.equal(r.error?.code, 'api_origin_not_allowed', `${url}: ${JSON.stringify(r)}`);
  }
  const relative = await apiFetch(page, '/api/me');
  assert.equal(relative.error?.code, 'api_origin_not_allowed', 'the app\'s own origin is not listed');
  assert.deepEqual(env.sink.requests, [], 'nothing reached the other origin');
  assert.deepEqual(env.rs.ledger, []);
  // A script that skips the page's check and asks the engine itself (on the client's own port).
  const direct = await page.evaluate(async (targets) => {
    const port = window.__auth._port;
    const answers = [];
    for (const [i, url] of targets.entries()) {
      answers.push(await new Promise((resolve) => {
        const id = `probe-${i}`;
        const listen = (e) => {
          if (e.data && e.data.id === id) {
            port.removeEventListener('message', listen);
            resolve(e.data.err ? { code: e.data.err.code } : { ok: Boolean(e.data.ok && e.data.ok.proof) });
          }
        };
        port.addEventListener('message', listen);
        port.postMessage({ id, op: 'authorize', method: 'GET', url });
      }));
    }
    return answers;
  }, [`${env.sink.origin}/steal`, `${servers.issuer}/token`, `${env.rs.origin}/api/me`]);
  assert.deepEqual(direct, [{ code: 'api_origin_not_allowed' }, { code: 'api_origin_not_allowed' }, { ok: true }]);
  const redirected = await apiFetch(page, `${env.rs.origin}/api/redirect?to=${encodeURIComponent(`${env.sink.origin}/landing`)}`);
  assert.equal(redirected.type, 'opaqueredirect', JSON.stringify(redirected));
  assert.equal(env.rs.ledger[0].status, 302);
  await new Promise((r) => { setTimeout(r, 300); });
  assert.deepEqual(env.sink.requests, [], 'the redirect was not followed, with or without the token');
});

e2eTest(env, 'auth.fetch: a 401 invalid_token is renewed and retried exactly once; a body is sent again on the retry', async ({ page, servers }) => {
  await fresh();
  await signedIn(page, servers);
  await servers.resetLedger();
  env.rs.rejectNext(1);
  const r = await apiFetch(page, `${env.rs.origin}/api/echo`, { method: 'POST', body: 'hello body', headers: { 'content-type': 'text/plain' } });
  assert.equal(r.status, 200, JSON.stringify(r));
  assert.equal(r.body.body, 'hello body');
  assert.deepEqual(env.rs.ledger.map((e) => [e.status, e.reason, e.body]), [[401, 'forced', 'hello body'], [200, null, 'hello body']]);
  assert.notEqual(env.rs.ledger[0].authorization, env.rs.ledger[1].authorization, 'the retry carries the renewed token');
  assert.equal(tokenRequests(await servers.ledger(), 'refresh_token').length, 1, 'one renewal');
  // Refused again after the renewal: no second renewal, no third send.
  env.rs.reset();
  await servers.resetLedger();
  env.rs.rejectNext(5);
  const refused = await apiFetch(page, `${env.rs.origin}/api/me`);
  assert.equal(refused.status, 401);
  assert.equal(env.rs.ledger.length, 2, 'one send and one retry');
  assert.equal(tokenRequests(await servers.ledger(), 'refresh_token').length, 1);
});

e2eTest(env, 'auth.fetch: the response is returned as it came, its body streaming', async ({ page, servers }) => {
  await fresh();
  await signedIn(page, servers);
  const seen = await page.evaluate(async (url) => {
    const started = performance.now();
    const response = await window.__auth.fetch(url);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const chunks = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push({ text: decoder.decode(value), at: performance.now() - started });
    }
    return { status: response.status, used: response.bodyUsed, type: response.type, chunks };
  }, `${env.rs.origin}/api/stream`);
  assert.equal(seen.status, 200);
  assert.equal(seen.type, 'cors');
  assert.equal(seen.chunks.map((c) => c.text).join(''), 'one\ntwo\nthree\n');
  assert.ok(seen.chunks.length >= 2, `read in pieces: ${JSON.stringify(seen.chunks)}`);
  const first = seen.chunks[0].at;
  const last = seen.chunks[seen.chunks.length - 1].at;
  assert.ok(last - first >= 400, `the first chunk came before the rest was sent: ${JSON.stringify(seen.chunks)}`);
  assert.equal(env.rs.ledger[0].scheme, 'DPoP');
});

e2eTest(env, 'auth.fetch: a POST whose response never came is not sent again', async ({ page, servers }) => {
  await fresh();
  await signedIn(page, servers);
  const outcome = await page.evaluate(async (url) => {
    try {
      await window.__auth.fetch(url, { method: 'POST', body: 'pay once' });
      return 'resolved';
    } catch (e) {
      return e.name;
    }
  }, `${env.rs.origin}/api/drop`);
  assert.equal(outcome, 'TypeError', 'the browser\'s own network error, as fetch() gives it');
  await new Promise((r) => { setTimeout(r, 300); });
  const drops = env.rs.ledger.filter((e) => e.path === '/api/drop');
  assert.deepEqual(drops.map((e) => e.body), ['pay once'], 'sent exactly once');
});
