// A real OpenID Provider for the tests: panva's oidc-provider on 127.0.0.1.
//
//   node tests/oidc/provider.mjs --config CONFIG.json [--port N] [--log FILE]
//
// CONFIG.json: {"client": {client_id, client_secret, redirect_uris, post_logout_redirect_uris},
//               "accounts": {"<login>": {"name": ..., "email": ..., "roles": [...], "groups": [...]}}}
// --port 0 (the default) lets the system choose; the issuer is http://127.0.0.1:PORT either way.
// Prints "ready <issuer>" on stdout once listening; exits when stdin closes or on SIGTERM.
// oidc-provider's development notices (console.info/warn) go to --log, or nowhere.
//
// The dev login page takes any login name (and any password); the account id is that name.
// A name that is not in "accounts" is signed in as a person the directory knows nothing about:
// sub is the name, roles is empty, and there is no name, email or groups claim.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { format, parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    config: { type: 'string' },
    port: { type: 'string', default: process.env.OIDC_PROVIDER_PORT ?? '0' },
    log: { type: 'string' },
  },
});
if (!args.config) {
  console.error('usage: provider.mjs --config CONFIG.json [--port N] [--log FILE]');
  process.exit(2);
}

// Before oidc-provider is imported: it warns as it loads (this Node, v20, is older than it
// wants), as it starts (devInteractions, in-memory storage) and on first use of some defaults.
const log = (...items) => { if (args.log) appendFileSync(args.log, `${format(...items)}\n`); };
console.info = log;
console.warn = log;
const { default: Provider } = await import('oidc-provider');

const { client, accounts } = JSON.parse(readFileSync(args.config, 'utf8'));

const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(Number(args.port), '127.0.0.1', resolve);
});
const issuer = `http://127.0.0.1:${server.address().port}`;

const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

const provider = new Provider(issuer, {
  clients: [{
    ...client,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  }],
  jwks: { keys: [{ ...key, kid: 'test-rs256', alg: 'RS256', use: 'sig' }] },
  // Cookies are not kept apart by port: names of its own, so the app's on 127.0.0.1 are never taken for these.
  cookies: {
    keys: [randomBytes(32).toString('base64url')],
    names: { session: 'op_session', interaction: 'op_interaction', resume: 'op_interaction_resume' },
  },
  scopes: ['openid', 'profile', 'email', 'roles'],
  claims: {
    openid: ['sub'],
    profile: ['name'],
    email: ['email'],
    roles: ['roles', 'groups'],
  },
  // The app reads only the ID token, so the claims of the granted scopes go into it.
  conformIdTokenClaims: false,
  // Every authorization request must carry a code_challenge (v9 accepts only S256).
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  // (Returning no account for an unknown name would make oidc-provider 9 fail with a server error.)
  async findAccount(ctx, id) {
    const claims = Object.hasOwn(accounts, id) ? accounts[id] : {};
    return {
      accountId: id,
      async claims() {
        return { roles: [], ...claims, sub: id };
      },
    };
  },
  ttl: {
    AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600,
  },
});
provider.on('server_error', (ctx, error) => log('server_error', error));
server.on('request', provider.callback());

// Nothing is left to keep Node running: it exits with 0.
function stop() {
  server.close();
  server.closeAllConnections();
  process.stdin.destroy();
}
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);

process.stdout.write(`ready ${issuer}\n`);
