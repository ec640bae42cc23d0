// The DPoP key of the engine (RFC 9449): an ECDSA P-256 key pair whose private key WebCrypto will
// never export (extractable: false), and ES256 signatures with it (R || S, as JWS wants them).
export async function dpopKey() {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
  const jwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
  return [pair.privateKey, jwk.x, jwk.y];
}

export async function dpopSign(key, data) {
  return new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, data));
}
