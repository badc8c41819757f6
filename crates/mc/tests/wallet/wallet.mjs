// A learner's wallet, for the end-to-end tests: the OpenID4VCI client of @openid4vc/openid4vci
// (the library behind Credo and Paradym) takes a credential offer from microcred, and the SD-JWT
// VC library of the OpenWallet Foundation (@sd-jwt/sd-jwt-vc) verifies what it received,
// status list included. `.ci/run` installs both into target/wallet; the test copies this file
// there and runs it with Node.
//
//   node wallet.mjs receive   (reads {offer_uri, tx_code, wrong_tx_offer_uri, wrong_tx_code,
//                              expired_offer_uri, did_documents} as JSON on standard input)
//   node wallet.mjs take      (reads {offer_uri, tx_code, did_documents}: the offer as a learner
//                              scans it, taken with a DPoP-bound token and verified)
//   node wallet.mjs verify    (reads {credential, did_documents} on standard input)
//
// Each prints one JSON object on standard output: what happened at each step, with the OAuth
// error a refused request got.

import crypto from 'node:crypto';
import { Openid4vciClient, setGlobalConfig } from '@openid4vc/openid4vci';
import { clientAuthenticationAnonymous } from '@openid4vc/oauth2';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { digest, ES256 } from '@sd-jwt/crypto-nodejs';

// The test server listens on http://127.0.0.1.
setGlobalConfig({ allowInsecureUrls: true });

const input = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.on('data', (chunk) => { text += chunk; });
  process.stdin.on('end', () => resolve(text));
}));
const { subtle } = globalThis.crypto;
const b64u = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

async function newKey() {
  const pair = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const publicJwk = await subtle.exportKey('jwk', pair.publicKey);
  delete publicJwk.key_ops;
  delete publicJwk.ext;
  const privateJwk = await subtle.exportKey('jwk', pair.privateKey);
  return { pair, publicJwk, privateJwk };
}

async function es256(pair, input) {
  const signature = await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, new TextEncoder().encode(input));
  return Buffer.from(signature).toString('base64url');
}

// The holder's key, and a stranger's whose signature a forged proof carries.
const holder = await newKey();
const stranger = await newKey();
let signWith = holder.pair;

const client = new Openid4vciClient({
  callbacks: {
    fetch,
    hash: async (data, alg) => new Uint8Array(await subtle.digest({ 'sha-256': 'SHA-256' }[alg], data)),
    generateRandom: (n) => crypto.getRandomValues(new Uint8Array(n)),
    clientAuthentication: clientAuthenticationAnonymous(),
    signJwt: async (signer, { header, payload }) => {
      const input = `${b64u(header)}.${b64u(payload)}`;
      return { jwt: `${input}.${await es256(signWith, input)}`, signerJwk: signer.publicJwk };
    },
  },
});

// The OAuth error code of a refusal, wherever the client put it.
const oauthError = (error) => error?.errorResponse?.error
  ?? error?.response?.credentialErrorResponseResult?.data?.error
  ?? error?.response?.wwwAuthenticate?.[0]?.error
  ?? `not an OAuth error: ${error?.message}`;

async function refusal(step) {
  try {
    await step();
    return 'accepted';
  } catch (error) {
    return oauthError(error);
  }
}

// --- the issuer's key, from its DID document (the test maps did:web to the server's copy) ---

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function base58(text) {
  let value = 0n;
  for (const char of text) value = value * 58n + BigInt(BASE58.indexOf(char));
  const bytes = [];
  while (value > 0n) { bytes.unshift(Number(value % 256n)); value /= 256n; }
  for (const char of text) { if (char !== '1') break; bytes.unshift(0); }
  return Buffer.from(bytes);
}

async function issuerKey(kid) {
  const [did] = kid.split('#');
  const url = input.did_documents[did];
  if (!url) throw new Error(`no DID document known for ${did}`);
  const document = await (await fetch(url)).json();
  const method = document.verificationMethod.find((candidate) => candidate.id === kid);
  const raw = base58(method.publicKeyMultibase.slice(1));
  if (raw[0] !== 0xed || raw[1] !== 0x01) throw new Error(`${kid} is not an Ed25519 key`);
  return crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.subarray(2).toString('base64url') }, format: 'jwk' });
}

const header = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url'));
const payload = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url'));

// The key that signed an issuer's JWT: the certificate of its x5c (HAIP), which must name the
// issuer (iss) as a URI, as SD-JWT VC asks; or the key of its DID named by kid.
async function signerOf(jwt) {
  const { kid, x5c } = header(jwt);
  if (!x5c) return { key: await issuerKey(kid), check: (data, key, signature) => crypto.verify(null, data, key, signature) };
  const certificate = new crypto.X509Certificate(Buffer.from(x5c[0], 'base64'));
  const { iss } = payload(jwt);
  const names = (certificate.subjectAltName ?? '').split(', ');
  if (!names.includes(`URI:${iss}`)) throw new Error(`the certificate does not name the issuer ${iss}: ${names}`);
  if (new Date(certificate.validTo) < new Date()) throw new Error('the certificate has expired');
  return {
    key: certificate.publicKey,
    check: (data, key, signature) => crypto.verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature),
  };
}

async function verifyWith(jwt, data, signature) {
  const { key, check } = await signerOf(jwt);
  return check(Buffer.from(data), key, Buffer.from(signature, 'base64url'));
}

async function verifySdJwt(credential) {
  const issuerJwt = credential.split('~')[0];
  const library = new SDJwtVcInstance({
    hasher: digest,
    verifier: (data, signature) => verifyWith(issuerJwt, data, signature),
    statusVerifier: (data, signature) => verifyWith(data, data, signature),
  });
  try {
    const { payload } = await library.verify(credential, { requiredClaimKeys: ['vct', 'iss', 'title', 'cnf'] });
    const { typ, alg, x5c } = header(credential);
    return { verified: true, typ, alg, x5c: Boolean(x5c), payload };
  } catch (error) {
    return { verified: false, error: error.message };
  }
}

// --- modes ---

async function receive() {
  const steps = {};
  const offer = await client.resolveCredentialOffer(input.offer_uri);
  const metadata = await client.resolveIssuerMetadata(offer.credential_issuer);
  steps.version = metadata.originalDraftVersion;
  steps.configurations = Object.keys(metadata.knownCredentialConfigurations);
  const configuration = offer.credential_configuration_ids[0];

  // A wrong transaction code, then an expired offer: refused, nothing handed out.
  const wrongOffer = await client.resolveCredentialOffer(input.wrong_tx_offer_uri);
  steps.wrong_tx_code = await refusal(() => client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer: wrongOffer, issuerMetadata: metadata, txCode: input.wrong_tx_code }));
  const expiredOffer = await client.resolveCredentialOffer(input.expired_offer_uri);
  steps.expired_code = await refusal(() => client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer: expiredOffer, issuerMetadata: metadata, txCode: input.expired_tx_code }));

  const token = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer: offer, issuerMetadata: metadata, txCode: input.tx_code });
  const accessToken = token.accessTokenResponse.access_token;
  steps.used_code = await refusal(() => client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer: offer, issuerMetadata: metadata, txCode: input.tx_code }));

  const signer = { method: 'jwk', alg: 'ES256', publicJwk: holder.publicJwk };
  const proof = async (nonce, id = configuration) => (await client.createCredentialRequestJwtProof({
    issuerMetadata: metadata, credentialConfigurationId: id, nonce, signer })).jwt;
  const ask = (jwt, id = configuration) => client.retrieveCredentials({
    issuerMetadata: metadata, accessToken, credentialConfigurationId: id, proofs: { jwt: [jwt] } });
  const post = async (body) => {
    const answer = await fetch(metadata.credentialIssuer.credential_endpoint, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify(body) });
    return (await answer.json()).error ?? 'accepted';
  };
  const nonce = async () => (await client.requestNonce({ issuerMetadata: metadata })).c_nonce;

  steps.wrong_nonce = await refusal(async () => ask(await proof('a nonce this issuer never gave')));
  signWith = stranger.pair;
  steps.other_key = await refusal(async () => ask(await proof(await nonce())));
  signWith = holder.pair;
  const unsigned = `${b64u({ alg: 'none', typ: 'openid4vci-proof+jwt', jwk: holder.publicJwk })}.${b64u({
    aud: metadata.credentialIssuer.credential_issuer, iat: Math.floor(Date.now() / 1000), nonce: await nonce() })}.`;
  steps.alg_none = await post({ credential_configuration_id: configuration, proofs: { jwt: [unsigned] } });
  steps.unknown_configuration = await post({ credential_configuration_id: 'diploma_mdoc', proofs: { jwt: [await proof(await nonce())] } });
  steps.no_token = (await (await fetch(metadata.credentialIssuer.credential_endpoint, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()).error;

  const received = await ask(await proof(await nonce()));
  const credential = received.credentialResponse.credentials[0].credential;
  steps.again = await refusal(async () => ask(await proof(await nonce())));

  // The Open Badges credential of the same offer, bound to the same key.
  const badgeConfiguration = offer.credential_configuration_ids[1];
  const badge = (await ask(await proof(await nonce(), badgeConfiguration), badgeConfiguration))
    .credentialResponse.credentials[0].credential;

  // What an employer's verifier would be shown: the title and the learner's name, not the email
  // address, with a key-binding JWT over its nonce.
  const presenter = new SDJwtVcInstance({ hasher: digest, kbSigner: await ES256.getSigner(holder.privateJwk), kbSignAlg: 'ES256' });
  const presentation = await presenter.present(credential, { learner_name: true }, {
    kb: { payload: { iat: Math.floor(Date.now() / 1000), aud: 'https://employer.example', nonce: 'employer-nonce-1' } } });

  return { steps, credential, badge, holder: holder.publicJwk, presentation, verification: await verifySdJwt(credential) };
}

async function take() {
  const offer = await client.resolveCredentialOffer(input.offer_uri);
  const metadata = await client.resolveIssuerMetadata(offer.credential_issuer);
  // The access token bound to the holder's key (DPoP, RFC 9449).
  const signer = { method: 'jwk', alg: 'ES256', publicJwk: holder.publicJwk };
  const token = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer: offer, issuerMetadata: metadata, txCode: input.tx_code, dpop: { signer } });
  const configuration = offer.credential_configuration_ids[0];
  const proof = async () => (await client.createCredentialRequestJwtProof({ issuerMetadata: metadata,
    credentialConfigurationId: configuration, nonce: (await client.requestNonce({ issuerMetadata: metadata })).c_nonce,
    signer })).jwt;
  const accessToken = token.accessTokenResponse.access_token;
  // The bound token shown as a plain bearer token: refused.
  const asBearer = await refusal(async () => client.retrieveCredentials({ issuerMetadata: metadata, accessToken,
    credentialConfigurationId: configuration, proofs: { jwt: [await proof()] } }));
  const received = await client.retrieveCredentials({ issuerMetadata: metadata, accessToken,
    credentialConfigurationId: configuration, proofs: { jwt: [await proof()] }, dpop: token.dpop });
  const credential = received.credentialResponse.credentials[0].credential;
  return { credential, token_type: token.accessTokenResponse.token_type, as_bearer: asBearer,
    ...(await verifySdJwt(credential)) };
}

const modes = { receive, take, verify: async () => verifySdJwt(input.credential) };
try {
  console.log(JSON.stringify(await modes[process.argv[2]]()));
} catch (error) {
  console.log(JSON.stringify({ failed: `${error.constructor.name}: ${error.message}` }));
  process.exitCode = 1;
}
