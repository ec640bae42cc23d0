// A mock OpenID provider with one profile per real provider (Microsoft Entra ID, Auth0, Okta,
// Keycloak, ZITADEL, Amazon Cognito, Google): plain node:http on 127.0.0.1, no dependencies. Each
// profile serves the discovery document, endpoint layout, token shapes, error bodies and logout
// rules that provider documents, quirks included, so that the client is run against the shapes it
// meets in production. Nobody is authenticated: the authorization endpoint answers at once.
//
//   PROFILE=keycloak node tests/providers/provider.mjs
//
// Environment:
//   PROFILE          entra | auth0 | okta | okta-org | keycloak | zitadel | cognito | google
//   OP_PORT          main listener (default 0: a free port)
//   OP_PORT2         second listener, for endpoints that live on another host (default 0)
//   APP_ORIGIN       the app's origin: CORS is granted to it only; redirect and logout URIs must be on it
//   EXIT_WITH_STDIN  "1": exit when standard input closes
//
// Prints "profile provider ready {json}" once both listeners are up, with issuer (what the client
// is configured with), clientId, base, base2, sub (the signed-in user), and tenant / projectId
// where the profile has them. Below, B is base and B2 is base2.
//
// Test hooks (on both listeners, at any path that ends with them, so ${issuer}/__ledger works):
//   POST /__scenario          merge a JSON scenario into the current one (see DEFAULT_SCENARIO)
//   POST /__scenario/reset    back to the profile's default scenario
//   GET  /__ledger            every request: { route, listener, method, path, query, form (names),
//                             grant_type, origin, auth (scheme of the Authorization header) }
//   POST /__ledger/reset
//   GET  /__issued            every code, token, verifier and nonce seen or issued
//   POST /__faults/reset      resets the scenario (for the shared harness)
//   POST /__faults            refused (400): misbehaviour here is a scenario

import crypto from 'node:crypto';
import { createServer } from 'node:http';

const HOST = '127.0.0.1';
const PROFILE = process.env.PROFILE || '';
const PORT = Number(process.env.OP_PORT || 0);
const PORT2 = Number(process.env.OP_PORT2 || 0);
const APP_ORIGIN = process.env.APP_ORIGIN || '';
const CLIENT_ID = 'spa';

const PROFILES = ['entra', 'auth0', 'okta', 'okta-org', 'keycloak', 'zitadel', 'cognito', 'google'];
if (!PROFILES.includes(PROFILE)) {
  console.error(`PROFILE must be one of ${PROFILES.join(', ')}; got ${JSON.stringify(PROFILE)}`);
  process.exit(2);
}

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const rand = (bytes = 32) => b64u(crypto.randomBytes(bytes));
const sha256b64u = (s) => b64u(crypto.createHash('sha256').update(s).digest());
const nowSecs = () => Math.floor(Date.now() / 1000);
const hex = (bytes) => crypto.randomBytes(bytes).toString('hex');

/** The one user of each profile, shaped like that provider's subject identifiers. */
const SUBJECTS = {
  entra: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
  auth0: 'auth0|65f0c0ffee00a11ce0000001',
  okta: '00u8a11ce0Sm1th4x697',
  'okta-org': '00u8a11ce0Sm1th4x697',
  keycloak: 'f1b0c1a2-7d55-4c3a-9b6e-0a11ce000001',
  zitadel: '287211233445566778',
  cognito: 'a4f8e4d8-6071-70c2-5b4e-0a11ce000001',
  google: '110169484474386276334',
};
const SUB = SUBJECTS[PROFILE];

// Entra: the user's home tenant (scenario `tenant`), the user's object id, and Microsoft Graph.
const ENTRA_TENANT = '8a1b2c3d-0000-4000-8000-00000000e1d0';
const ENTRA_OID = '00000000-0000-0000-66f3-3332eca7ea81';
const GRAPH = '00000003-0000-0000-c000-000000000000';
// ZITADEL: the project of the app, and another app of that project (both end up in `aud`).
const ZITADEL_PROJECT = '287000000000000001';
const ZITADEL_OTHER_APP = '287000000000000042';
const ZITADEL_ORG = '287000000000000007';
const ZITADEL_PROJECT_SCOPE = `urn:zitadel:iam:org:project:id:${ZITADEL_PROJECT}:aud`;

// ---------------------------------------------------------------------------
// Keys: RSA 2048 (RS256), EC P-256 (ES256), Ed25519 (EdDSA), generated at start-up.

const KEYS = {};
function addKey(name, kind, alg) {
  const pair = kind === 'rsa' ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
    : kind === 'ec' ? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : crypto.generateKeyPairSync('ed25519');
  const kid = PROFILE === 'entra' || PROFILE === 'auth0' ? rand(20).slice(0, 27) : `${name}-${hex(4)}`;
  KEYS[name] = { kid, alg, pair, jwk: { ...pair.publicKey.export({ format: 'jwk' }), kid } };
}
addKey('rsa', 'rsa', 'RS256');
addKey('rsa-next', 'rsa', 'RS256');
addKey('ec', 'ec', 'ES256');
addKey('ed', 'ed', 'EdDSA');
const HMAC_SECRET = crypto.randomBytes(32); // Keycloak signs its refresh tokens with HS512

function sign(alg, key, input) {
  const data = Buffer.from(input);
  const { privateKey } = key.pair;
  switch (alg) {
    case 'RS256': return crypto.sign('sha256', data, privateKey);
    case 'ES256': return crypto.sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    case 'EdDSA': return crypto.sign(null, data, privateKey);
    default: throw new Error(`cannot sign ${alg}`);
  }
}

function jwt(header, claims, keyName = 'rsa') {
  const key = KEYS[keyName];
  const h = { ...header, alg: key.alg, kid: key.kid };
  const input = `${b64u(JSON.stringify(h))}.${b64u(JSON.stringify(claims))}`;
  return `${input}.${b64u(sign(key.alg, key, input))}`;
}

/** The published key set, in each provider's style. */
function jwks() {
  const rsa = (name, extra) => ({ ...KEYS[name].jwk, ...extra });
  switch (PROFILE) {
    case 'entra':
      // Entra publishes x5t and the multi-tenant issuer template in every key.
      return [KEYS.rsa, KEYS['rsa-next']].map((k) => ({
        kty: 'RSA', use: 'sig', kid: k.kid, x5t: k.kid, n: k.jwk.n, e: k.jwk.e,
        cloud_instance_name: 'microsoftonline.com', issuer: `${B}/{tenantid}/v2.0`,
      }));
    case 'keycloak':
      // Keycloak also lists its encryption key (RSA-OAEP) and an HS512-free set of signature keys.
      return [
        rsa('rsa', { use: 'sig', alg: 'RS256' }),
        { ...KEYS['rsa-next'].jwk, kid: `enc-${hex(4)}`, use: 'enc', alg: 'RSA-OAEP' },
      ];
    case 'zitadel':
      return [
        rsa('rsa', { use: 'sig', alg: 'RS256' }),
        { ...KEYS.ec.jwk, use: 'sig', alg: 'ES256' },
        { ...KEYS.ed.jwk, use: 'sig', alg: 'EdDSA' },
      ];
    default:
      return [rsa('rsa', { use: 'sig', alg: 'RS256' }), rsa('rsa-next', { use: 'sig', alg: 'RS256' })];
  }
}

// ---------------------------------------------------------------------------
// Scenario

const DEFAULT_SCENARIO = {
  /** expires_in of access tokens, seconds. */
  atTtl: PROFILE === 'zitadel' ? 43199 : 300,
  /**
   * RFC 9207: "advertised" (iss sent and authorization_response_iss_parameter_supported: true),
   * "sent" (iss sent, not advertised), "wrong" (iss = issuer + "/x", not advertised), "none".
   */
  issParam: PROFILE === 'keycloak' ? 'advertised' : 'none',
  /** Claims removed from the next ID tokens. */
  dropClaims: [],
  /** "token": the token endpoint answers without CORS headers (the app's origin is not listed). */
  noCors: null,
  // Entra
  /** The user's tenant. */
  tenant: ENTRA_TENANT,
  /** "web": the redirect URI is registered as a Web platform, not a single-page application. */
  platform: 'spa',
  /** Absolute lifetime of SPA refresh tokens, counted from the login, seconds. */
  rtLifetimeSecs: 86400,
  // Auth0
  /** "RP-Initiated Logout End Session Endpoint Discovery" turned on in the tenant settings. */
  endSessionDiscovery: false,
  // Keycloak
  /** The configured frontend URL (e.g. "http://localhost:<port>"): the base of the issuer. */
  hostname: null,
  // ZITADEL
  /** The ID-token signing algorithm: "EdDSA" (ZITADEL's default key), "RS256" or "ES256". */
  signAlg: 'EdDSA',
  // Cognito
  /** Refresh-token rotation (off by default at Cognito). */
  rotation: false,
};

let scenario = structuredClone(DEFAULT_SCENARIO);

// ---------------------------------------------------------------------------
// Addresses

let B = '';
let B2 = '';

/** The issuer the client is configured with. */
function issuer() {
  switch (PROFILE) {
    case 'entra': return `${B}/common/v2.0`;
    case 'auth0': return `${B}/`;
    case 'okta': return `${B}/oauth2/default`;
    case 'keycloak': return `${scenario.hostname || B}/realms/demo`;
    case 'cognito': return `${B}/us-east-1_Example`;
    default: return B;
  }
}

/** The `iss` of tokens issued for a login (Entra: the user's tenant). */
const tokenIssuer = (login) => (PROFILE === 'entra' ? `${B}/${login.tenant}/v2.0` : issuer());

/** [listener, path, route] for every endpoint of the profile. */
function routeTable() {
  const d = '/.well-known/openid-configuration';
  switch (PROFILE) {
    case 'entra': return [
      [1, `/common/v2.0${d}`, 'discovery'],
      [1, '/common/oauth2/v2.0/authorize', 'authorize'],
      [1, '/common/oauth2/v2.0/token', 'token'],
      [1, '/common/oauth2/v2.0/logout', 'logout'],
      [1, '/common/discovery/v2.0/keys', 'jwks'],
      [2, '/oidc/userinfo', 'userinfo'],
    ];
    case 'auth0': return [
      [1, d, 'discovery'],
      [1, '/authorize', 'authorize'],
      [1, '/oauth/token', 'token'],
      [1, '/userinfo', 'userinfo'],
      [1, '/.well-known/jwks.json', 'jwks'],
      [1, '/oauth/revoke', 'revoke'],
      [1, '/v2/logout', 'logout'],
      [1, '/oidc/logout', 'logout'],
    ];
    case 'okta':
    case 'okta-org': {
      const p = PROFILE === 'okta' ? '/oauth2/default' : '';
      const v1 = PROFILE === 'okta' ? '/oauth2/default/v1' : '/oauth2/v1';
      return [
        [1, `${p}${d}`, 'discovery'],
        [1, `${p}/.well-known/oauth-authorization-server`, 'discovery'],
        [1, `${v1}/authorize`, 'authorize'],
        [1, `${v1}/token`, 'token'],
        [1, `${v1}/userinfo`, 'userinfo'],
        [1, `${v1}/keys`, 'jwks'],
        [1, `${v1}/logout`, 'logout'],
        [1, `${v1}/revoke`, 'revoke'],
        [1, `${v1}/introspect`, 'introspect'],
      ];
    }
    case 'keycloak': {
      const oc = '/realms/demo/protocol/openid-connect';
      return [
        [1, `/realms/demo${d}`, 'discovery'],
        [1, `${oc}/auth`, 'authorize'],
        [1, `${oc}/token`, 'token'],
        [1, `${oc}/userinfo`, 'userinfo'],
        [1, `${oc}/certs`, 'jwks'],
        [1, `${oc}/logout`, 'logout'],
        [1, `${oc}/revoke`, 'revoke'],
        [1, `${oc}/token/introspect`, 'introspect'],
        [1, `${oc}/login-status-iframe.html`, 'check_session'],
      ];
    }
    case 'zitadel': return [
      [1, d, 'discovery'],
      [1, '/oauth/v2/authorize', 'authorize'],
      [1, '/oauth/v2/token', 'token'],
      [1, '/oidc/v1/userinfo', 'userinfo'],
      [1, '/oauth/v2/keys', 'jwks'],
      [1, '/oidc/v1/end_session', 'logout'],
      [1, '/oauth/v2/revoke', 'revoke'],
      [1, '/oauth/v2/introspect', 'introspect'],
    ];
    case 'cognito': return [
      [1, `/us-east-1_Example${d}`, 'discovery'],
      [1, '/us-east-1_Example/.well-known/jwks.json', 'jwks'],
      [2, '/oauth2/authorize', 'authorize'],
      [2, '/oauth2/token', 'token'],
      [2, '/oauth2/userInfo', 'userinfo'],
      [2, '/logout', 'logout'],
      [2, '/oauth2/revoke', 'revoke'],
    ];
    case 'google': return [
      [1, d, 'discovery'],
      [1, '/o/oauth2/v2/auth', 'authorize'],
      [2, '/token', 'token'],
      [2, '/v1/userinfo', 'userinfo'],
      [2, '/revoke', 'revoke'],
      [2, '/oauth2/v3/certs', 'jwks'],
    ];
    default: return [];
  }
}

let ROUTES = new Map();

// ---------------------------------------------------------------------------
// Discovery documents

const RESPONSE_TYPES_ALL = ['code', 'token', 'id_token', 'code token', 'code id_token', 'token id_token', 'code token id_token'];

function entraMetadata() {
  return {
    token_endpoint: `${B}/common/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${B}/common/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    // Literally: the multi-tenant endpoint names no tenant, each ID token names its own.
    issuer: `${B}/{tenantid}/v2.0`,
    request_uri_parameter_supported: false,
    // Microsoft Graph, another host.
    userinfo_endpoint: `${B2}/oidc/userinfo`,
    authorization_endpoint: `${B}/common/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${B}/common/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${B}/common/oauth2/v2.0/logout`,
    claims_supported: [
      'sub', 'iss', 'cloud_instance_name', 'cloud_instance_host_name', 'cloud_graph_host_name', 'msgraph_host',
      'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash',
      'c_hash', 'email',
    ],
    kerberos_endpoint: `${B}/common/kerberos`,
    tenant_region_scope: null,
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: new URL(B2).host,
    rbac_url: 'https://pas.windows.net',
  };
}

function auth0Metadata() {
  const m = {
    issuer: `${B}/`,
    authorization_endpoint: `${B}/authorize`,
    token_endpoint: `${B}/oauth/token`,
    device_authorization_endpoint: `${B}/oauth/device/code`,
    userinfo_endpoint: `${B}/userinfo`,
    mfa_challenge_endpoint: `${B}/mfa/challenge`,
    jwks_uri: `${B}/.well-known/jwks.json`,
    registration_endpoint: `${B}/oidc/register`,
    revocation_endpoint: `${B}/oauth/revoke`,
    scopes_supported: [
      'openid', 'profile', 'offline_access', 'name', 'given_name', 'family_name', 'nickname', 'email',
      'email_verified', 'picture', 'created_at', 'identities', 'phone', 'address',
    ],
    response_types_supported: RESPONSE_TYPES_ALL,
    code_challenge_methods_supported: ['S256', 'plain'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['HS256', 'RS256', 'PS256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    claims_supported: [
      'aud', 'auth_time', 'created_at', 'email', 'email_verified', 'exp', 'family_name', 'given_name', 'iat',
      'identities', 'iss', 'name', 'nickname', 'phone_number', 'picture', 'sub',
    ],
    request_uri_parameter_supported: false,
    request_parameter_supported: false,
    token_endpoint_auth_signing_alg_values_supported: ['RS256', 'RS384', 'PS256'],
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
  };
  if (scenario.endSessionDiscovery) m.end_session_endpoint = `${B}/oidc/logout`;
  return m;
}

function oktaMetadata() {
  const iss = issuer();
  const v1 = PROFILE === 'okta' ? `${iss}/v1` : `${B}/oauth2/v1`;
  return {
    issuer: iss,
    authorization_endpoint: `${v1}/authorize`,
    token_endpoint: `${v1}/token`,
    userinfo_endpoint: `${v1}/userinfo`,
    registration_endpoint: `${B}/oauth2/v1/clients`,
    jwks_uri: `${v1}/keys`,
    response_types_supported: ['code', 'id_token', 'code id_token', 'code token', 'id_token token', 'code id_token token'],
    response_modes_supported: ['query', 'fragment', 'form_post', 'okta_post_message'],
    grant_types_supported: [
      'authorization_code', 'implicit', 'refresh_token', 'password', 'urn:ietf:params:oauth:grant-type:device_code',
      'urn:openid:params:grant-type:ciba', 'urn:okta:params:oauth:grant-type:otp', 'urn:okta:params:oauth:grant-type:oob',
    ],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'profile', 'email', 'address', 'phone', 'offline_access', 'device_sso'],
    token_endpoint_auth_methods_supported: [
      'client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none',
    ],
    claims_supported: [
      'iss', 'ver', 'sub', 'aud', 'iat', 'exp', 'jti', 'auth_time', 'amr', 'idp', 'nonce', 'name', 'nickname',
      'preferred_username', 'given_name', 'middle_name', 'family_name', 'email', 'email_verified', 'profile',
      'zoneinfo', 'locale', 'address', 'phone_number', 'picture', 'website', 'gender', 'birthdate', 'updated_at',
      'at_hash', 'c_hash',
    ],
    code_challenge_methods_supported: ['S256'],
    introspection_endpoint: `${v1}/introspect`,
    introspection_endpoint_auth_methods_supported: [
      'client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none',
    ],
    revocation_endpoint: `${v1}/revoke`,
    revocation_endpoint_auth_methods_supported: [
      'client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none',
    ],
    end_session_endpoint: `${v1}/logout`,
    request_parameter_supported: true,
    request_object_signing_alg_values_supported: ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'],
    device_authorization_endpoint: `${v1}/device/authorize`,
    pushed_authorization_request_endpoint: `${v1}/par`,
    backchannel_token_delivery_modes_supported: ['poll'],
    backchannel_authentication_request_signing_alg_values_supported: [
      'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512',
    ],
    dpop_signing_alg_values_supported: ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'],
  };
}

function keycloakMetadata() {
  const r = issuer();
  const oc = `${r}/protocol/openid-connect`;
  const algs = ['PS384', 'RS384', 'EdDSA', 'ES384', 'HS256', 'HS512', 'ES256', 'RS256', 'HS384', 'ES512', 'PS256', 'PS512', 'RS512'];
  const clientAuth = ['private_key_jwt', 'client_secret_basic', 'client_secret_post', 'tls_client_auth', 'client_secret_jwt'];
  return {
    issuer: r,
    authorization_endpoint: `${oc}/auth`,
    token_endpoint: `${oc}/token`,
    introspection_endpoint: `${oc}/token/introspect`,
    userinfo_endpoint: `${oc}/userinfo`,
    end_session_endpoint: `${oc}/logout`,
    frontchannel_logout_session_supported: true,
    frontchannel_logout_supported: true,
    jwks_uri: `${oc}/certs`,
    check_session_iframe: `${oc}/login-status-iframe.html`,
    grant_types_supported: [
      'authorization_code', 'implicit', 'refresh_token', 'password', 'client_credentials',
      'urn:openid:params:grant-type:ciba', 'urn:ietf:params:oauth:grant-type:device_code',
    ],
    acr_values_supported: ['0', '1'],
    response_types_supported: ['code', 'none', 'id_token', 'token', 'id_token token', 'code id_token', 'code token', 'code id_token token'],
    subject_types_supported: ['public', 'pairwise'],
    prompt_values_supported: ['none', 'login', 'consent'],
    id_token_signing_alg_values_supported: algs,
    id_token_encryption_alg_values_supported: [
      'ECDH-ES+A256KW', 'ECDH-ES+A192KW', 'ECDH-ES+A128KW', 'RSA-OAEP', 'RSA-OAEP-256', 'RSA1_5', 'ECDH-ES',
    ],
    id_token_encryption_enc_values_supported: ['A256GCM', 'A192GCM', 'A128GCM', 'A128CBC-HS256', 'A192CBC-HS384', 'A256CBC-HS512'],
    userinfo_signing_alg_values_supported: [...algs, 'none'],
    request_object_signing_alg_values_supported: [...algs, 'none'],
    response_modes_supported: ['query', 'fragment', 'form_post', 'query.jwt', 'fragment.jwt', 'form_post.jwt', 'jwt'],
    registration_endpoint: `${r}/clients-registrations/openid-connect`,
    token_endpoint_auth_methods_supported: clientAuth,
    claims_supported: ['aud', 'sub', 'iss', 'auth_time', 'name', 'given_name', 'family_name', 'preferred_username', 'email', 'acr'],
    claim_types_supported: ['normal'],
    claims_parameter_supported: true,
    scopes_supported: [
      'openid', 'offline_access', 'profile', 'email', 'address', 'phone', 'roles', 'web-origins', 'acr', 'basic',
      'microprofile-jwt', 'organization',
    ],
    request_parameter_supported: true,
    request_uri_parameter_supported: true,
    require_request_uri_registration: true,
    code_challenge_methods_supported: ['plain', 'S256'],
    tls_client_certificate_bound_access_tokens: true,
    revocation_endpoint: `${oc}/revoke`,
    revocation_endpoint_auth_methods_supported: clientAuth,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    device_authorization_endpoint: `${oc}/auth/device`,
    backchannel_token_delivery_modes_supported: ['poll', 'ping'],
    backchannel_authentication_endpoint: `${oc}/ext/ciba/auth`,
    backchannel_authentication_request_signing_alg_values_supported: algs.filter((a) => !a.startsWith('HS')),
    require_pushed_authorization_requests: false,
    pushed_authorization_request_endpoint: `${oc}/ext/par/request`,
    mtls_endpoint_aliases: {
      token_endpoint: `${oc}/token`,
      revocation_endpoint: `${oc}/revoke`,
      introspection_endpoint: `${oc}/token/introspect`,
      device_authorization_endpoint: `${oc}/auth/device`,
      registration_endpoint: `${r}/clients-registrations/openid-connect`,
      userinfo_endpoint: `${oc}/userinfo`,
      pushed_authorization_request_endpoint: `${oc}/ext/par/request`,
      backchannel_authentication_endpoint: `${oc}/ext/ciba/auth`,
    },
    authorization_response_iss_parameter_supported: true,
  };
}

function zitadelMetadata() {
  return {
    issuer: B,
    authorization_endpoint: `${B}/oauth/v2/authorize`,
    token_endpoint: `${B}/oauth/v2/token`,
    introspection_endpoint: `${B}/oauth/v2/introspect`,
    userinfo_endpoint: `${B}/oidc/v1/userinfo`,
    revocation_endpoint: `${B}/oauth/v2/revoke`,
    end_session_endpoint: `${B}/oidc/v1/end_session`,
    device_authorization_endpoint: `${B}/oauth/v2/device_authorization`,
    jwks_uri: `${B}/oauth/v2/keys`,
    scopes_supported: ['openid', 'profile', 'email', 'phone', 'address', 'offline_access'],
    response_types_supported: ['code', 'id_token', 'id_token token'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    grant_types_supported: [
      'authorization_code', 'implicit', 'refresh_token', 'client_credentials',
      'urn:ietf:params:oauth:grant-type:jwt-bearer', 'urn:ietf:params:oauth:grant-type:device_code',
      'urn:ietf:params:oauth:grant-type:token-exchange',
    ],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['EdDSA', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'],
    request_object_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS256'],
    revocation_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    revocation_endpoint_auth_signing_alg_values_supported: ['RS256'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'private_key_jwt'],
    introspection_endpoint_auth_signing_alg_values_supported: ['RS256'],
    claims_supported: [
      'sub', 'aud', 'exp', 'iat', 'iss', 'auth_time', 'nonce', 'acr', 'amr', 'c_hash', 'at_hash', 'act', 'scopes',
      'client_id', 'azp', 'preferred_username', 'name', 'family_name', 'given_name', 'locale', 'email',
      'email_verified', 'phone_number', 'phone_number_verified',
    ],
    code_challenge_methods_supported: ['S256'],
    ui_locales_supported: ['bg', 'cs', 'de', 'en', 'es', 'fr', 'hu', 'id', 'it', 'ja', 'ko', 'mk', 'nl', 'pl', 'pt', 'ru', 'sv', 'zh'],
    request_parameter_supported: true,
    request_uri_parameter_supported: false,
  };
}

function cognitoMetadata() {
  // As at Cognito: the issuer's host is not the host of the endpoints; no end_session_endpoint, no
  // revocation_endpoint (both exist, undiscovered), no code_challenge_methods_supported.
  return {
    authorization_endpoint: `${B2}/oauth2/authorize`,
    id_token_signing_alg_values_supported: ['RS256'],
    issuer: issuer(),
    jwks_uri: `${issuer()}/.well-known/jwks.json`,
    response_types_supported: ['code', 'token'],
    scopes_supported: ['openid', 'email', 'phone', 'profile'],
    subject_types_supported: ['public'],
    token_endpoint: `${B2}/oauth2/token`,
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    userinfo_endpoint: `${B2}/oauth2/userInfo`,
  };
}

function googleMetadata() {
  return {
    issuer: B,
    authorization_endpoint: `${B}/o/oauth2/v2/auth`,
    device_authorization_endpoint: `${B2}/device/code`,
    token_endpoint: `${B2}/token`,
    userinfo_endpoint: `${B2}/v1/userinfo`,
    revocation_endpoint: `${B2}/revoke`,
    jwks_uri: `${B2}/oauth2/v3/certs`,
    response_types_supported: [...RESPONSE_TYPES_ALL, 'none'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'email', 'profile'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    claims_supported: ['aud', 'email', 'email_verified', 'exp', 'family_name', 'given_name', 'iat', 'iss', 'name', 'picture', 'sub'],
    code_challenge_methods_supported: ['plain', 'S256'],
    grant_types_supported: [
      'authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
    ],
  };
}

function metadata() {
  const m = {
    entra: entraMetadata,
    auth0: auth0Metadata,
    okta: oktaMetadata,
    'okta-org': oktaMetadata,
    keycloak: keycloakMetadata,
    zitadel: zitadelMetadata,
    cognito: cognitoMetadata,
    google: googleMetadata,
  }[PROFILE]();
  if (scenario.issParam === 'advertised') m.authorization_response_iss_parameter_supported = true;
  else delete m.authorization_response_iss_parameter_supported;
  return m;
}

// ---------------------------------------------------------------------------
// State and ledger

/** code -> { clientId, redirectUri, challenge, login } (single use) */
const codes = new Map();
/** rt -> { login, state: "live" | "rotated" | "revoked" } */
const refreshTokens = new Map();
/** access token -> { login, aud, exp (ms), revoked } */
const accessTokens = new Map();
/** Every ID token issued (Okta accepts any of them, even expired, as an id_token_hint). */
const idTokensIssued = new Set();
/** sid -> login, for logouts that name the session with an id_token_hint. */
const logins = new Map();
let ledger = [];
const issued = {
  codes: [], accessTokens: [], refreshTokens: [], idTokens: [], codeVerifiers: [], nonces: [],
};

/** A login: one authorization, and every token issued from it (a refresh-token family). */
function newLogin(q) {
  const login = {
    created: Date.now(),
    authTime: nowSecs(),
    nonce: q.get('nonce') ?? undefined,
    scope: (q.get('scope') || '').split(' ').filter(Boolean),
    audience: q.get('audience') || null,
    tenant: scenario.tenant,
    sid: PROFILE === 'auth0' ? rand(24) : crypto.randomUUID(),
    revoked: false,
  };
  logins.set(login.sid, login);
  return login;
}

/** Revokes every token of a login (reuse detection, revocation, logout). */
function revokeLogin(login) {
  login.revoked = true;
  for (const entry of refreshTokens.values()) if (entry.login === login) entry.state = 'revoked';
  for (const entry of accessTokens.values()) if (entry.login === login) entry.revoked = true;
}

// ---------------------------------------------------------------------------
// Tokens

function atHash(alg, accessToken) {
  const bits = { RS256: 'sha256', ES256: 'sha256', PS256: 'sha256' }[alg];
  if (!bits) return undefined;
  const digest = crypto.createHash(bits).update(accessToken).digest();
  return b64u(digest.subarray(0, digest.length / 2));
}

const idKeyName = () => {
  if (PROFILE !== 'zitadel') return 'rsa';
  return { RS256: 'rsa', ES256: 'ec', EdDSA: 'ed' }[scenario.signAlg] || 'ed';
};

/** The profile's own claims of an ID token (on top of iss, sub, aud, exp, iat, auth_time, nonce). */
function profileClaims(login, accessToken) {
  switch (PROFILE) {
    case 'entra': return {
      nbf: nowSecs(),
      name: 'Alice Smith',
      oid: ENTRA_OID,
      preferred_username: 'alice@contoso.example',
      email: 'alice@contoso.example',
      rh: `0.AXoA${rand(24)}.`,
      tid: login.tenant,
      uti: rand(16),
      ver: '2.0',
    };
    case 'auth0': return {
      nickname: 'alice',
      name: 'alice@example.com',
      picture: 'https://s.gravatar.com/avatar/0a11ce?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2Fal.png',
      updated_at: new Date(login.created - 86400_000).toISOString(),
      email: 'alice@example.com',
      email_verified: true,
      sid: login.sid,
    };
    case 'okta':
    case 'okta-org': return {
      ver: 1,
      jti: `ID.${rand(32)}`,
      amr: ['pwd'],
      idp: '00o8a11ce0Idp4x697',
      name: 'Alice Smith',
      email: 'alice@example.com',
      preferred_username: 'alice@example.com',
      at_hash: atHash('RS256', accessToken),
    };
    case 'keycloak': return {
      jti: crypto.randomUUID(),
      typ: 'ID',
      azp: CLIENT_ID,
      sid: login.sid,
      session_state: login.sid,
      at_hash: atHash('RS256', accessToken),
      acr: '1',
      email_verified: true,
      name: 'Alice Smith',
      preferred_username: 'alice',
      given_name: 'Alice',
      family_name: 'Smith',
      email: 'alice@example.com',
    };
    case 'zitadel': {
      const alg = KEYS[idKeyName()].alg;
      return {
        aud: [CLIENT_ID, ZITADEL_OTHER_APP, ZITADEL_PROJECT],
        azp: CLIENT_ID,
        client_id: CLIENT_ID,
        amr: ['pwd'],
        sid: `V1_${login.sid}`,
        ...(alg === 'EdDSA' ? {} : { at_hash: atHash(alg, accessToken) }),
        name: 'Alice Smith',
        given_name: 'Alice',
        family_name: 'Smith',
        locale: 'en',
        preferred_username: 'alice@zitadel.example',
        email: 'alice@example.com',
        email_verified: true,
        updated_at: Math.floor(login.created / 1000) - 86400,
        'urn:zitadel:iam:user:resourceowner:id': ZITADEL_ORG,
        'urn:zitadel:iam:user:resourceowner:name': 'ACME',
        'urn:zitadel:iam:user:resourceowner:primary_domain': 'acme.zitadel.example',
      };
    }
    case 'cognito': return {
      at_hash: atHash('RS256', accessToken),
      email_verified: true,
      'cognito:username': 'alice',
      origin_jti: login.originJti ??= crypto.randomUUID(),
      event_id: login.eventId ??= crypto.randomUUID(),
      token_use: 'id',
      jti: crypto.randomUUID(),
      email: 'alice@example.com',
    };
    default: return { // google
      azp: CLIENT_ID,
      at_hash: atHash('RS256', accessToken),
      email: 'alice@gmail.example',
      email_verified: true,
      name: 'Alice Smith',
      picture: 'https://lh3.googleusercontent.example/a/alice',
      given_name: 'Alice',
      family_name: 'Smith',
    };
  }
}

function idToken(login, accessToken, { refresh }) {
  const now = nowSecs();
  const claims = {
    iss: tokenIssuer(login), sub: SUB, aud: CLIENT_ID, exp: now + 600, iat: now, auth_time: login.authTime,
  };
  // A refreshed ID token carries the login's nonce only at Keycloak.
  if (login.nonce !== undefined && (!refresh || PROFILE === 'keycloak')) claims.nonce = login.nonce;
  Object.assign(claims, profileClaims(login, accessToken));
  for (const name of scenario.dropClaims || []) delete claims[name];
  // Okta, Cognito and ZITADEL put no typ in the header.
  const header = ['okta', 'okta-org', 'cognito', 'zitadel'].includes(PROFILE) ? {} : { typ: 'JWT' };
  const token = jwt(header, claims, idKeyName());
  issued.idTokens.push(token);
  idTokensIssued.add(token);
  return token;
}

/** A new access token in the profile's format (JWT or opaque), recorded with its audience. */
function accessToken(login) {
  const now = nowSecs();
  const exp = now + scenario.atTtl;
  const scopes = login.scope;
  let token;
  let aud = null;
  switch (PROFILE) {
    case 'entra': {
      // An api:// scope makes the token the API's; otherwise it is Microsoft Graph's.
      const api = scopes.find((s) => s.startsWith('api://'));
      aud = api ? api.slice(0, api.lastIndexOf('/')) : GRAPH;
      const header = api ? { typ: 'JWT' } : { typ: 'JWT', nonce: rand(32) }; // Graph's tokens are unverifiable
      token = jwt(header, {
        aud, iss: `https://sts.windows.net/${login.tenant}/`, iat: now, nbf: now, exp,
        app_displayname: 'SPA', appid: CLIENT_ID, idtyp: 'user', name: 'Alice Smith', oid: ENTRA_OID,
        scp: api ? api.slice(api.lastIndexOf('/') + 1) : 'openid profile email User.Read',
        sub: rand(32), tid: login.tenant, unique_name: 'alice@contoso.example', ver: '1.0',
      });
      break;
    }
    case 'auth0':
      if (login.audience) {
        aud = [login.audience, `${B}/userinfo`];
        token = jwt({ typ: 'JWT' }, {
          iss: `${B}/`, sub: SUB, aud, iat: now, exp, scope: scopes.join(' '), azp: CLIENT_ID, jti: rand(16),
        });
      } else {
        // Without an audience: an opaque token (a JWE for Auth0's own /userinfo).
        aud = `${B}/userinfo`;
        token = `eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwiaXNzIjoi${rand(24)}..${rand(12)}.${rand(96)}.${rand(16)}`;
      }
      break;
    case 'okta':
    case 'okta-org':
      aud = PROFILE === 'okta' ? 'api://default' : B;
      token = jwt({}, {
        ver: 1, jti: `AT.${rand(32)}`, iss: issuer(), aud, iat: now, exp, cid: CLIENT_ID, uid: SUB,
        scp: scopes, auth_time: login.authTime, sub: 'alice@example.com',
      });
      break;
    case 'keycloak':
      aud = 'account';
      token = jwt({ typ: 'JWT' }, {
        exp, iat: now, auth_time: login.authTime, jti: crypto.randomUUID(), iss: issuer(), aud, sub: SUB,
        typ: 'Bearer', azp: CLIENT_ID, sid: login.sid, acr: '1', 'allowed-origins': [APP_ORIGIN],
        realm_access: { roles: ['offline_access', 'uma_authorization', 'default-roles-demo'] },
        resource_access: { account: { roles: ['manage-account', 'view-profile'] } },
        scope: scopes.join(' '), email_verified: true, name: 'Alice Smith', preferred_username: 'alice',
      });
      break;
    case 'zitadel':
      aud = [CLIENT_ID, ...(scopes.includes(ZITADEL_PROJECT_SCOPE) ? [ZITADEL_PROJECT] : [])];
      token = rand(64);
      break;
    case 'cognito':
      token = jwt({}, {
        sub: SUB, iss: issuer(), version: 2, client_id: CLIENT_ID, origin_jti: login.originJti ??= crypto.randomUUID(),
        event_id: login.eventId ??= crypto.randomUUID(), token_use: 'access', scope: scopes.join(' '),
        auth_time: login.authTime, exp, iat: now, jti: crypto.randomUUID(), username: 'alice',
      });
      break;
    default:
      token = `ya29.a0${rand(90)}`;
  }
  issued.accessTokens.push(token);
  accessTokens.set(token, {
    login, aud, exp: Date.now() + scenario.atTtl * 1000, revoked: false,
  });
  return token;
}

function newRefreshToken(login) {
  let rt;
  switch (PROFILE) {
    case 'entra': rt = `1.AXoA${rand(600)}`; break;
    case 'auth0': rt = `v1.M${rand(80)}`; break;
    case 'keycloak': {
      const claims = {
        exp: nowSecs() + 1800, iat: nowSecs(), jti: crypto.randomUUID(), iss: issuer(), aud: issuer(), sub: SUB,
        typ: login.scope.includes('offline_access') ? 'Offline' : 'Refresh', azp: CLIENT_ID, sid: login.sid,
        scope: login.scope.join(' '),
      };
      const input = `${b64u(JSON.stringify({ alg: 'HS512', typ: 'JWT', kid: 'hs512-1' }))}.${b64u(JSON.stringify(claims))}`;
      rt = `${input}.${b64u(crypto.createHmac('sha512', HMAC_SECRET).update(input).digest())}`;
      break;
    }
    case 'cognito': // a JWE (RSA-OAEP, A256GCM)
      rt = `eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.${rand(256)}.${rand(12)}.${rand(1200)}.${rand(16)}`;
      break;
    case 'google': rt = `1//0${rand(72)}`; break;
    default: rt = rand(48);
  }
  issued.refreshTokens.push(rt);
  refreshTokens.set(rt, { login, state: 'live' });
  return rt;
}

/** Whether the login's grants include a refresh token (per provider rules). */
function wantsRefreshToken(login) {
  if (PROFILE === 'cognito' || PROFILE === 'keycloak') return true; // on every code exchange
  if (PROFILE === 'google') return login.accessType === 'offline';
  return login.scope.includes('offline_access');
}

/**
 * A successful token response. On refresh, `rotate`: whether a new refresh token is included.
 */
function tokenResponse(login, { refresh, rotate = true }) {
  const at = accessToken(login);
  const rt = (!refresh && wantsRefreshToken(login)) || (refresh && rotate) ? newRefreshToken(login) : undefined;
  const id = login.scope.includes('openid') ? idToken(login, at, { refresh }) : undefined;
  const ttl = scenario.atTtl;
  const scope = login.scope.join(' ');
  switch (PROFILE) {
    case 'entra': {
      const api = login.scope.find((s) => s.startsWith('api://'));
      const left = Math.max(0, scenario.rtLifetimeSecs - Math.floor((Date.now() - login.created) / 1000));
      return {
        token_type: 'Bearer',
        scope: api || 'openid profile email https://graph.microsoft.com/User.Read',
        expires_in: ttl,
        ext_expires_in: ttl,
        access_token: at,
        ...(rt ? { refresh_token: rt, refresh_token_expires_in: left } : {}),
        id_token: id,
      };
    }
    case 'auth0': return {
      access_token: at, ...(rt ? { refresh_token: rt } : {}), id_token: id, scope, expires_in: ttl, token_type: 'Bearer',
    };
    case 'okta':
    case 'okta-org': return {
      token_type: 'Bearer', expires_in: ttl, access_token: at, scope, ...(rt ? { refresh_token: rt } : {}), id_token: id,
    };
    case 'keycloak': return {
      access_token: at,
      expires_in: ttl,
      refresh_expires_in: login.scope.includes('offline_access') ? 0 : 1800,
      refresh_token: rt,
      token_type: 'bearer',
      id_token: id,
      'not-before-policy': 0,
      session_state: login.sid,
      scope,
    };
    case 'zitadel': return {
      access_token: at, token_type: 'Bearer', ...(rt ? { refresh_token: rt } : {}), expires_in: ttl, id_token: id,
    };
    case 'cognito': return {
      // No scope member, as at Cognito.
      id_token: id, access_token: at, ...(rt ? { refresh_token: rt } : {}), expires_in: ttl, token_type: 'Bearer',
    };
    default: return {
      access_token: at, expires_in: ttl, ...(rt ? { refresh_token: rt } : {}), scope, token_type: 'Bearer', id_token: id,
    };
  }
}

// ---------------------------------------------------------------------------
// HTTP

function send(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    pragma: 'no-cache',
    ...headers,
  });
  res.end(text);
}

function redirect(res, location) {
  res.writeHead(302, { location, 'cache-control': 'no-store' });
  res.end();
}

function cors(req, res, route) {
  const origin = req.headers.origin;
  if (route === 'token' && scenario.noCors === 'token') return;
  if (origin && origin === APP_ORIGIN) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'origin');
    res.setHeader('access-control-allow-headers', 'content-type, authorization, accept');
    res.setHeader('access-control-allow-methods', 'GET, POST');
    res.setHeader('access-control-expose-headers', 'www-authenticate');
  }
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > 64 * 1024) throw new Error('body too large');
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A URL on the app's origin, or null. */
function appUrl(raw) {
  try {
    const u = new URL(raw);
    return u.origin === APP_ORIGIN ? u : null;
  } catch {
    return null;
  }
}

const bearer = (req) => {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization || '');
  return m ? m[1] : null;
};

/** The claims of an ID token this provider issued (signature not needed: it is ours), or null. */
function ourIdToken(token) {
  if (!token || !idTokensIssued.has(token)) return null;
  try {
    return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

// --- authorization endpoint -------------------------------------------------

const COGNITO_SCOPES = ['openid', 'email', 'phone', 'profile', 'aws.cognito.signin.user.admin'];

function authorize(url, res) {
  const q = url.searchParams;
  const target = appUrl(q.get('redirect_uri') || '');
  // Never an open redirector: only the registered client and the app's own origin.
  if (!target || q.get('client_id') !== CLIENT_ID) return send(res, 400, 'unknown client or redirect_uri');
  if (q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
    return send(res, 400, 'PKCE with S256 is required');
  }
  const state = q.get('state');
  if (PROFILE === 'cognito') {
    const unknown = (q.get('scope') || '').split(' ').filter((s) => s && !COGNITO_SCOPES.includes(s));
    if (unknown.length) {
      target.searchParams.set('error', 'invalid_scope');
      if (state !== null) target.searchParams.set('state', state);
      return redirect(res, target.href);
    }
  }
  const login = newLogin(q);
  login.accessType = q.get('access_type');
  const code = {
    google: () => `4/0A${rand(60)}`,
    keycloak: () => `${crypto.randomUUID()}.${crypto.randomUUID()}.${crypto.randomUUID()}`,
    auth0: () => rand(24),
    cognito: () => crypto.randomUUID(),
  }[PROFILE]?.() ?? rand(32);
  codes.set(code, {
    clientId: q.get('client_id'), redirectUri: q.get('redirect_uri'), challenge: q.get('code_challenge'), login,
  });
  issued.codes.push(code);
  if (login.nonce) issued.nonces.push(login.nonce);
  const p = target.searchParams;
  const iss = PROFILE === 'entra' ? tokenIssuer(login) : issuer();
  if (PROFILE === 'keycloak') {
    // Keycloak's order: state, session_state, iss, code.
    if (state !== null) p.set('state', state);
    p.set('session_state', login.sid);
    if (scenario.issParam === 'advertised' || scenario.issParam === 'sent') p.set('iss', iss);
    p.set('code', code);
  } else {
    p.set('code', code);
    if (state !== null) p.set('state', state);
    if (scenario.issParam === 'advertised' || scenario.issParam === 'sent') p.set('iss', iss);
  }
  if (scenario.issParam === 'wrong') p.set('iss', `${issuer()}/x`);
  if (PROFILE === 'entra') p.set('session_state', login.sid);
  if (PROFILE === 'google') {
    // Google answers with the granted scopes, expanded: email profile <their URLs> openid.
    const urls = { email: 'https://www.googleapis.com/auth/userinfo.email', profile: 'https://www.googleapis.com/auth/userinfo.profile' };
    const granted = login.scope.filter((s) => s !== 'openid');
    p.set('scope', [...granted, ...granted.map((s) => urls[s]).filter(Boolean), 'openid'].join(' '));
    p.set('authuser', '0');
    p.set('prompt', q.get('prompt') === 'consent' ? 'consent' : 'none');
  }
  return redirect(res, target.href);
}

// --- token endpoint ----------------------------------------------------------

const traceIds = () => ({ trace_id: crypto.randomUUID(), correlation_id: crypto.randomUUID() });
const entraTimestamp = () => new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');

/** Entra's duration format: d.hh:mm:ss. */
function entraDuration(secs) {
  const pad = (n) => String(n).padStart(2, '0');
  const d = Math.floor(secs / 86400);
  const h = Math.floor((secs % 86400) / 3600);
  const m = Math.floor((secs % 3600) / 60);
  return `${d}.${pad(h)}:${pad(m)}:${pad(secs % 60)}`;
}

function entraError(res, error, code, text) {
  const ids = traceIds();
  const timestamp = entraTimestamp();
  return send(res, 400, {
    error,
    error_description: `AADSTS${code}: ${text} Trace ID: ${ids.trace_id} Correlation ID: ${ids.correlation_id} Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    ...ids,
    error_uri: `${B}/error?code=${code}`,
  });
}

function invalidGrant(res, description) {
  switch (PROFILE) {
    case 'entra':
      return entraError(res, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to '
        + 'inactivity. Send a new interactive authorization request for this user and resource.');
    case 'auth0': return send(res, 403, { error: 'invalid_grant', error_description: description || 'Invalid authorization code' });
    case 'okta':
    case 'okta-org':
      return send(res, 400, { error: 'invalid_grant', error_description: description || 'The authorization code is invalid or has expired.' });
    case 'keycloak': return send(res, 400, { error: 'invalid_grant', error_description: description || 'Code not valid' });
    case 'zitadel': return send(res, 400, { error: 'invalid_grant', error_description: description || 'Errors.OIDCSession.Token.Invalid' });
    case 'cognito': return send(res, 400, { error: 'invalid_grant' });
    default: return send(res, 400, { error: 'invalid_grant', error_description: description || 'Bad Request' });
  }
}

function codeGrant(form, res) {
  const code = form.get('code') || '';
  const entry = codes.get(code);
  codes.delete(code); // single use
  const verifier = form.get('code_verifier') || '';
  if (verifier) issued.codeVerifiers.push(verifier);
  if (!entry || entry.clientId !== form.get('client_id') || entry.redirectUri !== form.get('redirect_uri')) {
    return invalidGrant(res);
  }
  if (sha256b64u(verifier) !== entry.challenge) {
    const description = PROFILE === 'okta' || PROFILE === 'okta-org'
      ? 'PKCE verification failed.' : PROFILE === 'keycloak' ? 'PKCE verification failed: Invalid code verifier' : undefined;
    return invalidGrant(res, description);
  }
  return send(res, 200, tokenResponse(entry.login, { refresh: false }));
}

function refreshGrant(form, res) {
  const rt = form.get('refresh_token') || '';
  const entry = refreshTokens.get(rt);
  const login = entry?.login;
  switch (PROFILE) {
    case 'entra': {
      if (!entry || entry.state !== 'live' || login.revoked) return invalidGrant(res);
      if (Date.now() - login.created > scenario.rtLifetimeSecs * 1000) {
        return entraError(res, 'invalid_grant', 700084, 'The refresh token was issued to a single page app (SPA), and '
          + `therefore has a fixed, limited lifetime of ${entraDuration(scenario.rtLifetimeSecs)}, which cannot be extended. `
          + 'It is now expired and a new sign in request must be sent by the SPA to the sign in page. The token was issued on '
          + `${new Date(login.created).toISOString()}.`);
      }
      // A new refresh token every time; the old one stays valid.
      return send(res, 200, tokenResponse(login, { refresh: true }));
    }
    case 'auth0':
    case 'okta':
    case 'okta-org': {
      // Rotation with reuse detection (no leeway): a rotated-away token revokes the whole family.
      const description = PROFILE === 'auth0' ? 'Unknown or invalid refresh token.' : 'The refresh token is invalid or expired.';
      const status = PROFILE === 'auth0' ? 403 : 400;
      if (entry?.state === 'rotated') revokeLogin(login);
      if (!entry || entry.state !== 'live' || login.revoked) {
        return send(res, status, { error: 'invalid_grant', error_description: description });
      }
      entry.state = 'rotated';
      return send(res, 200, tokenResponse(login, { refresh: true }));
    }
    case 'keycloak':
      if (entry && login.revoked) return invalidGrant(res, 'Session not active');
      if (!entry || entry.state !== 'live') return invalidGrant(res, 'Invalid refresh token');
      return send(res, 200, tokenResponse(login, { refresh: true }));
    case 'zitadel':
      if (!entry || entry.state !== 'live' || login.revoked) return invalidGrant(res, 'Errors.User.RefreshToken.Invalid');
      entry.state = 'rotated';
      return send(res, 200, tokenResponse(login, { refresh: true }));
    case 'cognito':
      if (!entry || entry.state !== 'live' || login.revoked) {
        return send(res, 400, { error: 'invalid_grant', error_description: 'Refresh Token has been revoked' });
      }
      if (scenario.rotation) entry.state = 'rotated';
      return send(res, 200, tokenResponse(login, { refresh: true, rotate: Boolean(scenario.rotation) }));
    default:
      if (!entry || entry.state !== 'live' || login.revoked) return invalidGrant(res, 'Token has been expired or revoked.');
      return send(res, 200, tokenResponse(login, { refresh: true, rotate: false }));
  }
}

function clientSecretSent(req, form) {
  return form.has('client_secret') || /^Basic\s/i.test(req.headers.authorization || '');
}

function token(req, form, res) {
  const grant = form.get('grant_type');
  if (PROFILE === 'google' && !clientSecretSent(req, form)) {
    // Google has no public web clients: every code redemption needs the client secret.
    return send(res, 400, { error: 'invalid_request', error_description: 'client_secret is missing.' });
  }
  if (PROFILE === 'entra' && scenario.platform === 'web' && req.headers.origin) {
    return entraError(res, 'invalid_request', 9002326, 'Cross-origin token redemption is permitted only for the '
      + `'Single-Page Application' client-type. Request origin: '${req.headers.origin}'.`);
  }
  if (form.get('client_id') !== CLIENT_ID) {
    return send(res, PROFILE === 'auth0' ? 401 : 400, {
      error: 'invalid_client',
      error_description: PROFILE === 'auth0' ? 'Unknown client.' : 'Client authentication failed.',
    });
  }
  if (grant === 'authorization_code') return codeGrant(form, res);
  if (grant === 'refresh_token') return refreshGrant(form, res);
  return send(res, 400, { error: 'unsupported_grant_type', error_description: `grant_type ${grant} is not supported` });
}

// --- userinfo ---------------------------------------------------------------

function userinfoClaims() {
  switch (PROFILE) {
    case 'entra': return {
      sub: SUB, name: 'Alice Smith', family_name: 'Smith', given_name: 'Alice',
      picture: `${B2}/v1.0/me/photo/$value`, email: 'alice@contoso.example',
    };
    case 'auth0': return {
      sub: SUB, nickname: 'alice', name: 'alice@example.com', picture: 'https://s.gravatar.com/avatar/0a11ce',
      updated_at: '2024-01-01T00:00:00.000Z', email: 'alice@example.com', email_verified: true,
    };
    case 'okta':
    case 'okta-org': return {
      sub: SUB, name: 'Alice Smith', locale: 'en_US', email: 'alice@example.com', preferred_username: 'alice@example.com',
      given_name: 'Alice', family_name: 'Smith', zoneinfo: 'America/Los_Angeles', updated_at: 1704067200, email_verified: true,
    };
    case 'keycloak': return {
      sub: SUB, email_verified: true, name: 'Alice Smith', preferred_username: 'alice', given_name: 'Alice',
      family_name: 'Smith', email: 'alice@example.com',
    };
    case 'zitadel': return {
      sub: SUB, name: 'Alice Smith', given_name: 'Alice', family_name: 'Smith', locale: 'en', updated_at: 1704067200,
      preferred_username: 'alice@zitadel.example', email: 'alice@example.com', email_verified: true,
    };
    // Cognito's userInfo sends email_verified as a string.
    case 'cognito': return { sub: SUB, email_verified: 'true', email: 'alice@example.com', username: 'alice' };
    default: return {
      sub: SUB, name: 'Alice Smith', given_name: 'Alice', family_name: 'Smith',
      picture: 'https://lh3.googleusercontent.example/a/alice', email: 'alice@gmail.example', email_verified: true,
    };
  }
}

function userinfo(req, res) {
  const token = bearer(req);
  const entry = token ? accessTokens.get(token) : undefined;
  const valid = entry && !entry.revoked && entry.exp > Date.now();
  if (PROFILE === 'entra') {
    const challenge = `Bearer realm="", authorization_uri="${B}/common/oauth2/authorize", client_id="${GRAPH}"`;
    const date = new Date().toISOString().slice(0, 19);
    const inner = { date, 'request-id': crypto.randomUUID(), 'client-request-id': crypto.randomUUID() };
    if (!valid) {
      return send(res, 401, {
        error: { code: 'InvalidAuthenticationToken', message: 'Access token validation failure.', innerError: inner },
      }, { 'www-authenticate': challenge });
    }
    if (entry.aud !== GRAPH) {
      return send(res, 401, {
        error: { code: 'InvalidAuthenticationToken', message: 'Access token validation failure. Invalid audience.', innerError: inner },
      }, { 'www-authenticate': challenge });
    }
    return send(res, 200, userinfoClaims());
  }
  if (!valid) {
    switch (PROFILE) {
      case 'auth0': return send(res, 401, 'Unauthorized');
      case 'okta':
      case 'okta-org':
        return send(res, 401, '', {
          'www-authenticate': `Bearer authorization_uri="${oktaMetadata().authorization_endpoint}", realm="${issuer()}", `
            + 'scope="openid", error="invalid_token", error_description="The access token is invalid.", '
            + `resource="${new URL(oktaMetadata().userinfo_endpoint).pathname}"`,
        });
      case 'cognito':
        return send(res, 401, {
          error: 'invalid_token',
          error_description: 'Access token is expired, disabled, or deleted, or the user has globally signed out.',
        });
      default: return send(res, 401, { error: 'invalid_token', error_description: 'Token verification failed' }, {
        'www-authenticate': 'Bearer error="invalid_token"',
      });
    }
  }
  return send(res, 200, userinfoClaims());
}

// --- logout -----------------------------------------------------------------

/** A 302 to `target` with `state` appended when the request carried one. */
function backWithState(res, target, q) {
  if (q.get('state') !== null) target.searchParams.set('state', q.get('state'));
  return redirect(res, target.href);
}

function loginOfHint(hint) {
  const claims = ourIdToken(hint);
  return (claims && logins.get(claims.sid)) || null;
}

function logout(url, res) {
  const q = url.searchParams;
  const path = url.pathname;
  const back = appUrl(q.get('post_logout_redirect_uri') || '');
  switch (PROFILE) {
    case 'entra':
      if (!back) return send(res, 400, 'AADSTS50011: The post_logout_redirect_uri is not registered for the application.');
      return backWithState(res, back, q);
    case 'auth0':
      if (path === '/v2/logout') {
        // The legacy endpoint: returnTo, checked against the client's allowed logout URLs; no state.
        const to = appUrl(q.get('returnTo') || '');
        if (q.get('client_id') !== CLIENT_ID || !to || to.href !== q.get('returnTo')) {
          return send(res, 400, 'Oops!, something went wrong: invalid_request: The "returnTo" querystring parameter is not '
            + 'defined as a valid URL in "Allowed Logout URLs".');
        }
        return redirect(res, q.get('returnTo'));
      }
      if (!back || (q.get('client_id') !== CLIENT_ID && !ourIdToken(q.get('id_token_hint')))) {
        return send(res, 400, {
          error: 'invalid_request',
          error_description: 'Either "id_token_hint" or "client_id" is required with "post_logout_redirect_uri".',
        });
      }
      return backWithState(res, back, q);
    case 'okta':
    case 'okta-org': {
      const hint = ourIdToken(q.get('id_token_hint'));
      const aud = hint && [].concat(hint.aud);
      if (!hint || !aud.includes(CLIENT_ID) || (q.has('client_id') && q.get('client_id') !== CLIENT_ID)) {
        return send(res, 400, {
          errorCode: 'E0000011', errorSummary: 'Invalid token provided', errorLink: 'E0000011', errorId: `oae${rand(16)}`, errorCauses: [],
        });
      }
      if (!q.has('post_logout_redirect_uri')) return send(res, 200, 'signed out');
      if (!back) {
        return send(res, 400, { errorCode: 'E0000001', errorSummary: 'Api validation failed: post_logout_redirect_uri', errorCauses: [] });
      }
      return backWithState(res, back, q);
    }
    case 'keycloak': {
      if (!q.has('post_logout_redirect_uri')) return send(res, 200, 'You are logged out');
      if (!q.get('id_token_hint') && !q.get('client_id')) return send(res, 400, 'Missing parameters: id_token_hint');
      if (q.get('id_token_hint') && !ourIdToken(q.get('id_token_hint'))) return send(res, 400, 'Invalid parameter: id_token_hint');
      if ((q.get('client_id') && q.get('client_id') !== CLIENT_ID) || !back) return send(res, 400, 'Invalid redirect uri');
      const session = loginOfHint(q.get('id_token_hint'));
      if (session) revokeLogin(session);
      return backWithState(res, back, q);
    }
    case 'zitadel':
      if ((!ourIdToken(q.get('id_token_hint')) && q.get('client_id') !== CLIENT_ID) || !back) {
        return send(res, 400, { error: 'invalid_request', error_description: 'Errors.App.NotFound or post_logout_redirect_uri invalid' });
      }
      return backWithState(res, back, q);
    case 'cognito': {
      // logout_uri, checked against the app client's sign-out URLs; no state.
      const to = appUrl(q.get('logout_uri') || '');
      if (q.get('client_id') !== CLIENT_ID || !to) {
        return send(res, 400, 'Required String parameter \'redirect_uri\' is not present');
      }
      return redirect(res, q.get('logout_uri'));
    }
    default: return send(res, 404, { error: 'not_found' });
  }
}

// --- revocation and introspection ---------------------------------------------

function revoke(req, form, res) {
  if (form.get('client_id') !== CLIENT_ID && !/^Basic\s/i.test(req.headers.authorization || '')) {
    return send(res, 401, { error: 'invalid_client' });
  }
  const tok = form.get('token') || '';
  if (PROFILE === 'cognito') {
    if (accessTokens.has(tok)) return send(res, 400, { error: 'unsupported_token_type' });
    const entry = refreshTokens.get(tok);
    if (entry) revokeLogin(entry.login);
    return send(res, 200, '');
  }
  const entry = refreshTokens.get(tok) || accessTokens.get(tok);
  if (entry && refreshTokens.has(tok)) revokeLogin(entry.login);
  else if (entry) entry.revoked = true;
  return send(res, 200, PROFILE === 'google' ? {} : '');
}

function introspect(form, res) {
  const tok = form.get('token') || '';
  const at = accessTokens.get(tok);
  const rt = refreshTokens.get(tok);
  const active = Boolean((at && !at.revoked && at.exp > Date.now()) || (rt && rt.state === 'live' && !rt.login.revoked));
  return send(res, 200, active ? { active, client_id: CLIENT_ID, sub: SUB, iss: issuer() } : { active: false });
}

// --- dispatch -----------------------------------------------------------------

const HOOK = /\/__(scenario\/reset|scenario|ledger\/reset|ledger|issued|faults\/reset|faults)$/;

async function handle(req, res, listener) {
  // Concatenated, not resolved: a path such as //__ledger stays a path.
  const url = new URL(`http://${HOST}${req.url}`);
  const path = url.pathname;
  const hookMatch = HOOK.exec(path);
  const route = hookMatch ? 'hook' : ROUTES.get(`${listener} ${path}`) || 'unknown';
  cors(req, res, route);
  if (req.method === 'OPTIONS') {
    res.writeHead(204);
    return res.end();
  }
  const body = req.method === 'POST' ? await readBody(req) : '';
  const form = new URLSearchParams(req.headers['content-type']?.startsWith('application/x-www-form-urlencoded') ? body : '');
  if (route === 'hook') return hook(req, res, hookMatch[1], body);
  ledger.push({
    route,
    listener,
    method: req.method,
    path,
    query: Object.fromEntries(url.searchParams),
    form: [...new Set(form.keys())],
    grant_type: form.get('grant_type') || undefined,
    origin: req.headers.origin ?? null,
    auth: (req.headers.authorization || '').split(' ')[0].toLowerCase() || null,
  });
  const post = req.method === 'POST';
  switch (route) {
    case 'discovery': return send(res, 200, metadata());
    case 'jwks': return send(res, 200, { keys: jwks() });
    case 'authorize': return authorize(url, res);
    case 'token': return post ? token(req, form, res) : send(res, 405, { error: 'invalid_request', error_description: 'POST required' });
    case 'userinfo': return userinfo(req, res);
    case 'logout': return logout(url, res);
    case 'revoke': return post ? revoke(req, form, res) : send(res, 405, { error: 'invalid_request' });
    case 'introspect': return post ? introspect(form, res) : send(res, 405, { error: 'invalid_request' });
    case 'check_session': return send(res, 200, '<!DOCTYPE html><title>session status</title>', { 'content-type': 'text/html' });
    default: return send(res, 404, PROFILE === 'auth0' ? 'Not Found' : { error: 'not_found' });
  }
}

function hook(req, res, name, body) {
  const post = req.method === 'POST';
  if (name === 'scenario' && post) {
    let patch;
    try {
      patch = JSON.parse(body || '{}');
    } catch {
      return send(res, 400, { error: 'the scenario must be JSON' });
    }
    const unknown = Object.keys(patch).filter((k) => !(k in DEFAULT_SCENARIO));
    if (unknown.length) return send(res, 400, { error: `unknown scenario members: ${unknown.join(', ')}` });
    scenario = { ...scenario, ...patch };
    return send(res, 200, { scenario });
  }
  if ((name === 'scenario/reset' || name === 'faults/reset') && post) {
    scenario = structuredClone(DEFAULT_SCENARIO);
    return send(res, 200, { ok: true, scenario });
  }
  if (name === 'faults' && post) return send(res, 400, { error: 'no faults here: use /__scenario' });
  if (name === 'ledger' && !post) return send(res, 200, ledger);
  if (name === 'ledger/reset' && post) {
    ledger = [];
    return send(res, 200, { ok: true });
  }
  if (name === 'issued' && !post) return send(res, 200, issued);
  return send(res, 404, { error: 'no such hook' });
}

function listen(port, listener) {
  const server = createServer((req, res) => {
    handle(req, res, listener).catch((err) => {
      if (!res.headersSent) send(res, 500, { error: 'server_error', error_description: String(err.message) });
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => resolve(server));
  });
}

const servers = await Promise.all([listen(PORT, 1), listen(PORT2, 2)]);
B = `http://${HOST}:${servers[0].address().port}`;
B2 = `http://${HOST}:${servers[1].address().port}`;
ROUTES = new Map(routeTable().map(([listener, path, route]) => [`${listener} ${path}`, route]));
const ready = {
  issuer: issuer(), clientId: CLIENT_ID, base: B, base2: B2, sub: SUB,
};
if (PROFILE === 'entra') ready.tenant = ENTRA_TENANT;
if (PROFILE === 'zitadel') ready.projectId = ZITADEL_PROJECT;
console.log(`profile provider ready ${JSON.stringify(ready)}`);

function shutdown() {
  for (const server of servers) {
    server.close();
    server.closeAllConnections?.();
  }
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (process.env.EXIT_WITH_STDIN === '1') {
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}
