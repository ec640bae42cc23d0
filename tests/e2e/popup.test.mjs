// Popup login (loginWithPopup) in the example app against the real provider: the page signs in
// without leaving, the popup hands the response back and closes with no code in its address bar;
// a blocked popup, a popup the user closes, a timeout and a second concurrent call each get their
// own error, and a new call replaces a popup that was closed or cut off; forged hand-back messages
// are ignored (L01); and it works with Cross-Origin-Opener-Policy: same-origin on the app, which
// cuts the popup off from its opener (a popup closed after that shows as popup_timeout).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { chromium } from 'playwright-core';

import {
  CHROMIUM, CHROMIUM_ARGS, STEP_TIMEOUT, appError, appStatus, e2eTest, login, newPage, openApp, scanStorage,
  setupSuite, tokenRequests, txKeys,
} from './harness.mjs';

/** In every page of the context: the address a window had when it closed itself, on the console. */
function recordClose() {
  const close = window.close.bind(window);
  window.close = () => {
    console.log('[closing]', location.href);
    close();
  };
}

/** Adds a button to the app page whose click runs `fn(auth)` (in the click, as a user's would). */
async function probeButton(page, fnText) {
  await page.evaluate((text) => {
    const b = document.createElement('button');
    b.id = 'probe';
    b.type = 'button';
    b.textContent = 'probe';
    const fn = new Function('auth', `return (${text})(auth);`);
    b.addEventListener('click', () => {
      window.__probe = fn(window.__auth);
      window.__probe.catch(() => {}); // settled() reads it
    });
    document.body.append(b);
  }, fnText);
}

/** Settles a promise kept on window (`name`) into { ok, value } or { ok: false, code }. */
const settled = (page, name) => page.evaluate(async (n) => {
  try {
    return { ok: true, value: await window[n] };
  } catch (e) {
    return { ok: false, code: e.code, message: String(e.message) };
  }
}, name);

/** Clicks the app's popup button and returns the popup page. */
async function openPopup(page, selector = '#login-popup') {
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.locator(selector).click()]);
  return popup;
}

async function atProviderForm(popup) {
  await popup.waitForSelector('input[name="login"]', { timeout: STEP_TIMEOUT });
}

function popupSuite(title, appEnv) {
  describe(title, () => {
    const env = setupSuite({ appEnv });

    e2eTest(env, `${title}: the page signs in without leaving; the popup hands the response back, closes, and kept no code`, async ({ page, context, servers }) => {
      await context.addInitScript(recordClose);
      const response = await page.goto(servers.appUrl);
      if (appEnv.APP_COOP) assert.equal(response.headers()['cross-origin-opener-policy'], appEnv.APP_COOP);
      await page.waitForSelector('html[data-ready="true"]', { state: 'attached' });
      await page.evaluate(() => { window.__marker = 'same document'; });
      await servers.resetLedger();
      // Another page of the app listens on the hand-back channel.
      const other = await context.newPage();
      await other.goto(`${servers.appOrigin}/__test/storage-probe.html`);
      await other.evaluate(() => {
        window.__heard = [];
        new BroadcastChannel('oxidc:popup').onmessage = (e) => window.__heard.push(e.data?.type);
      });
      const popup = await openPopup(page);
      const closing = [];
      popup.on('console', (m) => { if (m.text().startsWith('[closing]')) closing.push(m.text()); });
      await login(popup, servers, { start: false, popup: true });
      await page.waitForSelector('#status[data-status="signed_in"]', { timeout: STEP_TIMEOUT });
      assert.equal(await page.evaluate(() => window.__marker), 'same document', 'the page never left');
      assert.equal(await appError(page), null);
      assert.ok(popup.isClosed(), 'the popup closed');
      assert.equal(closing.length, 1, `the popup closed itself once: ${JSON.stringify(closing)}`);
      const last = new URL(closing[0].slice('[closing] '.length));
      assert.equal(last.origin, servers.appOrigin);
      for (const p of ['code', 'state', 'iss']) assert.equal(last.searchParams.has(p), false, `no ${p} left: ${last.href}`);
      const grants = tokenRequests(await servers.ledger(), 'authorization_code');
      assert.equal(grants.length, 1, 'one code exchange');
      assert.equal(grants[0].status, 200);
      assert.deepEqual(txKeys(await scanStorage(page)), [], 'no login record left');
      const token = await page.evaluate(() => window.__auth.getAccessToken());
      assert.ok((await servers.issued()).accessTokens.includes(token), 'an access token the provider issued');
      const heard = await other.evaluate(() => window.__heard);
      if (appEnv.APP_COOP) {
        // Cut off from its opener, the popup could only use the channel (the code there is bound to
        // the verifier in the opening tab).
        assert.ok(heard.includes('oxidc:popup-response'), `the channel carried it: ${heard}`);
      } else {
        assert.deepEqual(heard, [], 'with its opener reachable, the popup said nothing on the channel');
      }
    });

    e2eTest(env, `${title}: a popup the user closes at once (or one cut off and left) does not hold up the next: a new click replaces it (popup_closed) and logs in`, async ({ page, servers }) => {
      await openApp(page, servers);
      await probeButton(page, `(auth) => {
        const p = auth.loginWithPopup();
        p.catch(() => {}); // read by the test below
        (window.__calls ||= []).push(p);
        return p;
      }`);
      const first = await openPopup(page, '#probe');
      await atProviderForm(first);
      await first.close(); // within the moment a Cross-Origin-Opener-Policy cut could explain it
      const second = await openPopup(page, '#probe');
      const firstResult = await page.evaluate(() => window.__calls[0].then(() => 'resolved', (e) => e.code));
      assert.equal(firstResult, 'popup_closed');
      await login(second, servers, { start: false, popup: true });
      await page.waitForSelector('#status[data-status="signed_in"]', { timeout: STEP_TIMEOUT });
      assert.deepEqual(await page.evaluate(() => window.__calls[1]), { returnTo: null, signedIn: true });
      assert.deepEqual(txKeys(await scanStorage(page)), [], 'no login record left');
    });

    if (appEnv.APP_COOP) {
      e2eTest(env, `${title}: a popup the user closes after it was cut off cannot be seen closing: popup_timeout, no record left`, async ({ page, servers }) => {
        await openApp(page, servers);
        await probeButton(page, '(auth) => auth.loginWithPopup({ timeoutMs: 8000 })');
        const popup = await openPopup(page, '#probe');
        await atProviderForm(popup);
        await sleep(500); // the page has seen the cut (it polls every 100 ms)
        await popup.close();
        const res = await settled(page, '__probe');
        assert.equal(res.code, 'popup_timeout', JSON.stringify(res));
        assert.deepEqual(txKeys(await scanStorage(page)), [], 'no login record left');
      });
    }
  });
}

popupSuite('popup', {});
popupSuite('popup with COOP same-origin', { APP_COOP: 'same-origin' });

describe('popup failures', () => {
  const env = setupSuite();

  e2eTest(env, 'popup: closed by the user: popup_closed, no record left, the page can log in again', async ({ page, servers }) => {
    await openApp(page, servers);
    const popup = await openPopup(page);
    await atProviderForm(popup);
    await sleep(1000); // a user reads the provider's page before closing it
    await popup.close();
    await page.waitForSelector('#error:not([hidden])', { timeout: STEP_TIMEOUT });
    assert.equal((await appError(page)).code, 'popup_closed');
    assert.equal(await appStatus(page), 'signed_out');
    assert.deepEqual(txKeys(await scanStorage(page)), [], 'no login record left');
    const again = await openPopup(page);
    await login(again, servers, { start: false, popup: true });
    await page.waitForSelector('#status[data-status="signed_in"]', { timeout: STEP_TIMEOUT });
  });

  e2eTest(env, 'popup: a response the engine refuses before reading its state (a token in the URL): the call rejects with its error, and no record is left', async ({ page, servers }) => {
    // The provider's authorization response carries an access_token as well.
    await servers.resetLedger();
    await servers.addFault({ route: 'authorization', addParams: { access_token: 'planted' } });
    await openApp(page, servers);
    await probeButton(page, '(auth) => auth.loginWithPopup()');
    const popup = await openPopup(page, '#probe');
    await login(popup, servers, { start: false, popup: true });
    const res = await settled(page, '__probe');
    assert.equal(res.code, 'unexpected_parameter', JSON.stringify(res));
    assert.deepEqual(txKeys(await scanStorage(page)), [], 'no login record left');
    assert.equal(tokenRequests(await servers.ledger(), 'authorization_code').length, 0, 'no code exchanged');
  });

  e2eTest(env, 'L01 popup: another page cannot find the login popup by a name and navigate it', async ({ page, servers }) => {
    await openApp(page, servers);
    const popup = await openPopup(page);
    await atProviderForm(popup);
    // A page of the app's origin tries the names a library might give its popup.
    const opened = await page.evaluate(() => ['oxidc-login', 'oxidc', 'popup', 'login'].map((name) => {
      const w = window.open('about:blank#taken', name);
      const fresh = w !== null && w.location.href === 'about:blank#taken';
      w?.close();
      return fresh;
    }));
    assert.deepEqual(opened, [true, true, true, true], 'each name opened a new window');
    assert.equal(new URL(popup.url()).origin, servers.issuer, 'the login popup is still at the provider');
    await login(popup, servers, { start: false, popup: true });
    await page.waitForSelector('#status[data-status="signed_in"]', { timeout: STEP_TIMEOUT });
  });

  e2eTest(env, 'popup: a timeoutMs past what setTimeout holds is capped at the login record\'s lifetime, not fired at once', async ({ page, servers }) => {
    await openApp(page, servers);
    await probeButton(page, '(auth) => auth.loginWithPopup({ timeoutMs: 2 ** 31 })');
    const popup = await openPopup(page, '#probe');
    await atProviderForm(popup);
    await sleep(1000);
    const early = await page.evaluate(() => Promise.race([
      window.__probe.then(() => 'resolved', (e) => e.code),
      new Promise((r) => { setTimeout(() => r('pending'), 100); }),
    ]));
    assert.equal(early, 'pending', 'still waiting for the user');
    await popup.close();
    assert.equal((await settled(page, '__probe')).code, 'popup_closed');
  });

  e2eTest(env, 'popup: a login that takes longer than timeoutMs: popup_timeout, the popup closed, no record left', async ({ page, servers }) => {
    await openApp(page, servers);
    await probeButton(page, '(auth) => auth.loginWithPopup({ timeoutMs: 1500 })');
    const popup = await openPopup(page, '#probe');
    const closed = popup.waitForEvent('close', { timeout: STEP_TIMEOUT });
    const res = await settled(page, '__probe');
    assert.equal(res.code, 'popup_timeout', JSON.stringify(res));
    await closed;
    assert.deepEqual(txKeys(await scanStorage(page)), [], 'no login record left');
  });

  e2eTest(env, 'popup: a second call while one is pending: popup_pending, and the first completes', async ({ page, servers }) => {
    await openApp(page, servers);
    await probeButton(page, `(auth) => {
      const first = auth.loginWithPopup();
      window.__second = auth.loginWithPopup();
      window.__second.catch(() => {}); // read by the test below
      return first;
    }`);
    const popup = await openPopup(page, '#probe');
    const second = await settled(page, '__second');
    assert.equal(second.code, 'popup_pending');
    assert.equal(page.context().pages().length, 2, 'one popup only');
    await login(popup, servers, { start: false, popup: true });
    const first = await settled(page, '__probe');
    assert.deepEqual(first, { ok: true, value: { returnTo: null, signedIn: true } });
  });

  e2eTest(env, 'L01 popup: forged hand-backs (the provider\'s page in the popup, a window of another origin, a same-origin frame, another state, the channel while the popup is reachable) are ignored', async ({ page, servers }) => {
    await openApp(page, servers);
    await servers.resetLedger();
    const popup = await openPopup(page);
    await atProviderForm(popup);
    const state = await page.evaluate(() => Object.keys(sessionStorage)
      .find((k) => k.startsWith('oxidc.tx.login.')).slice('oxidc.tx.login.'.length));
    const forgedUrl = (s) => `${servers.appOrigin}/callback?code=forged-code&state=${s}`;
    // A same-origin frame posts the right state to the page (its source is not the popup).
    await page.evaluate(() => new Promise((r) => {
      const frame = document.createElement('iframe');
      frame.src = '/__test/storage-probe.html';
      frame.onload = r;
      document.body.append(frame);
    }));
    const frame = page.frames().find((f) => f.url().endsWith('/__test/storage-probe.html'));
    await frame.evaluate((url) => parent.postMessage({ type: 'oxidc:popup-response', url }, location.origin), forgedUrl(state));
    // The popup itself, while it shows a page of another origin (the provider's): right window,
    // wrong origin.
    await popup.evaluate((url) => window.opener.postMessage({ type: 'oxidc:popup-response', url }, '*'), forgedUrl(state));
    // Another window of another origin that the page opened (the app's CSP allows no foreign frames).
    const [foreign] = await Promise.all([
      page.waitForEvent('popup'),
      page.evaluate((src) => { window.open(src, 'elsewhere'); }, `${servers.issuer}/.well-known/openid-configuration`),
    ]);
    await foreign.waitForLoadState('domcontentloaded');
    await foreign.evaluate((url) => window.opener.postMessage({ type: 'oxidc:popup-response', url }, '*'), forgedUrl(state));
    await foreign.close();
    await page.evaluate(async ({ right, other }) => {
      // The channel: another state, and the right one while the popup is still reachable; and this
      // window posting to itself, which is not the popup either.
      const channel = new BroadcastChannel('oxidc:popup');
      channel.postMessage({ type: 'oxidc:popup-response', url: other });
      channel.postMessage({ type: 'oxidc:popup-response', url: right });
      window.postMessage({ type: 'oxidc:popup-response', url: right }, location.origin);
      await new Promise((r) => { setTimeout(r, 500); });
      channel.close();
    }, { right: forgedUrl(state), other: forgedUrl('x'.repeat(43)) });
    assert.ok(state);
    assert.equal(await appStatus(page), 'signed_out');
    assert.equal(tokenRequests(await servers.ledger()).length, 0, 'no forged code was exchanged');
    await login(popup, servers, { start: false, popup: true });
    await page.waitForSelector('#status[data-status="signed_in"]', { timeout: STEP_TIMEOUT });
    const grants = tokenRequests(await servers.ledger(), 'authorization_code');
    assert.equal(grants.length, 1);
    assert.equal(grants[0].status, 200, 'the popup\'s own code');
  });
});

describe('popup blocked', () => {
  const env = setupSuite();
  let blocking;

  e2eTest(env, 'popup: without a user gesture the browser blocks it: popup_blocked, nothing stored or sent', async ({ servers }) => {
    // A browser with its popup blocker on (the test browsers otherwise run without it).
    blocking = await chromium.launch({
      executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, ignoreDefaultArgs: ['--disable-popup-blocking'],
    });
    try {
      const { page, context } = await newPage(blocking);
      // The call runs from a script as the app page loads, with no user gesture, and reports on the
      // console: the test evaluates nothing in the page before (an evaluate carries a user gesture).
      // A short timeoutMs makes a popup that was not blocked fail the test quickly.
      await context.addInitScript((appOrigin) => {
        if (location.origin !== appOrigin || window !== window.top) return;
        const attempt = () => {
          if (!window.__auth) {
            setTimeout(attempt, 20);
            return;
          }
          window.__auth.loginWithPopup({ timeoutMs: 3000 }).then(() => ({ ok: true }), (e) => ({ ok: false, code: e.code, hint: e.hint }))
            .then((r) => console.log(`[popup-attempt] ${JSON.stringify(r)}`));
        };
        attempt();
      }, servers.appOrigin);
      await servers.resetLedger();
      const reported = page.waitForEvent('console', { predicate: (m) => m.text().startsWith('[popup-attempt] '), timeout: STEP_TIMEOUT });
      await page.goto(servers.appUrl);
      const res = JSON.parse((await reported).text().slice('[popup-attempt] '.length));
      assert.equal(res.code, 'popup_blocked', JSON.stringify(res));
      assert.match(res.hint, /click/);
      assert.deepEqual(txKeys(await scanStorage(page)), [], 'nothing stored');
      assert.deepEqual((await servers.ledger()).filter((e) => e.route !== 'discovery' && e.route !== 'jwks'), [], 'nothing sent');
    } finally {
      await blocking.close();
    }
  });
});

describe('L01 the library\'s own messages', () => {
  test('L01 every postMessage of the page facade names the app\'s exact origin as targetOrigin, never "*"', async () => {
    const { readFileSync } = await import('node:fs');
    const source = readFileSync(new URL('../../src/facade/client.js', import.meta.url), 'utf8');
    const windowPosts = [...source.matchAll(/(\w+)\.postMessage\(([^;]*)\);/g)].filter((m) => m[1] !== 'channel' && !/port$/i.test(m[1])); // a channel or MessagePort takes no targetOrigin
    assert.ok(windowPosts.length >= 2, `found the window posts: ${windowPosts.map((m) => m[0])}`);
    for (const m of windowPosts) assert.match(m[2], /, location\.origin\)?$/, m[0]);
    assert.doesNotMatch(source, /postMessage\([^;]*["']\*["']/);
  });
});
