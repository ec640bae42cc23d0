// Every HTTP request of the library goes through `send`: the wasm's fetch adapter (fetch.rs) and the
// package entry's early discovery request (pkg-template/index.js) alike. Redirects are not followed;
// no cookies, credentials, HTTP cache or referrer are involved. `headers` is a list of [name, value].
export function send(method, url, headers, body, signal) {
  return fetch(url, {
    method,
    headers,
    body,
    signal,
    redirect: "manual",
    credentials: "omit",
    cache: "no-store",
    mode: "cors",
    referrerPolicy: "no-referrer",
  });
}
