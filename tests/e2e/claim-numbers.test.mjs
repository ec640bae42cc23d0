// Numeric claims in the shipped package: fractions and integers beyond 2^53 must reach the page
// as the same JavaScript numbers, through user(), the subscribe state and getUser().
//
// This runs against pkg/ as `make pkg` builds it: the release profile with the release RUSTFLAGS
// of .ci/env.sh (on the Debian route -Zfmt-debug=none, which turns every `{:?}` into nothing).
// The native and wasm-bindgen unit tests build without those flags, so only this suite sees
// what they do to the claims: a number written with `{:?}` vanished, the claims were no longer
// JSON and user() was null.

import assert from 'node:assert/strict';

import {
  appStatus, e2eTest, getAccessToken, login, openApp, setupSuite,
} from './harness.mjs';

// The provider's JSON text, as it goes out in the ID token and the userinfo answer (JSON.parse
// in the provider turns it into numbers, JSON.stringify writes them back: 1e300 as "1e+300").
const EXTRA_CLAIMS = '{"score":1.5,"big":12345678901234567890,"pow53":9007199254740992,'
  + '"negative":-0.1,"huge":1e300,"tiny":5e-324}';
const EXPECTED = {
  score: 1.5,
  big: 12345678901234567890,
  pow53: 2 ** 53,
  negative: -0.1,
  huge: 1e300,
  tiny: 5e-324,
};

const env = setupSuite({ env: { OP_EXTRA_CLAIMS: EXTRA_CLAIMS } });

function assertNumbers(claims, where) {
  assert.ok(claims && typeof claims === 'object', `${where} is ${JSON.stringify(claims)}, not the claims`);
  assert.equal(claims.sub, 'alice', `${where}: sub`);
  for (const [name, value] of Object.entries(EXPECTED)) {
    assert.equal(typeof claims[name], 'number', `${where}: ${name} is ${JSON.stringify(claims[name])}`);
    assert.equal(claims[name], value, `${where}: ${name}`);
  }
}

e2eTest(env, 'numeric claims (1.5, 12345678901234567890, 2^53, -0.1, 1e300, 5e-324) survive the release build in user(), subscribe and getUser()', async ({ page, servers }) => {
  await openApp(page, servers);
  await login(page, servers);
  assert.equal(await appStatus(page), 'signed_in');

  assertNumbers(await page.evaluate(() => window.__auth.user()), 'user()');
  // The example app renders user() on the signed_in event.
  assertNumbers(JSON.parse(await page.locator('#claims').textContent()), 'the claims the app shows');

  // The subscribe state of a renewal.
  await page.evaluate(() => {
    window.__states = [];
    window.__auth.subscribe((s) => window.__states.push({ event: s.event, user: s.user }));
  });
  const { error } = await getAccessToken(page, { forceRefresh: true });
  assert.equal(error, undefined, JSON.stringify(error));
  const states = await page.evaluate(() => window.__states);
  const refreshed = states.find((s) => s.event === 'refreshed');
  assert.ok(refreshed, `no refreshed event: ${JSON.stringify(states)}`);
  assertNumbers(refreshed.user, 'the subscribe state');

  // Userinfo carries the same claims.
  const fromUserinfo = await page.evaluate(async () => {
    try {
      return { claims: await window.__auth.getUser() };
    } catch (e) {
      return { error: { code: e.code } };
    }
  });
  assert.equal(fromUserinfo.error, undefined, JSON.stringify(fromUserinfo.error));
  assertNumbers(fromUserinfo.claims, 'getUser()');
});
