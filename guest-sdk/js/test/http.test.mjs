// Unit tests of the activity helper's fetch, config and requirements under node, with the WIT
// imports stubbed (http-stub.mjs, host-stub.mjs). Run: npm test --prefix guest-sdk/js
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';

import { stub } from './host-stub.mjs';
import { http, reset } from './http-stub.mjs';
import {
  ConfigError,
  Headers,
  HttpError,
  Pending,
  activity,
  config,
  fetch,
  noRequirements,
  optional,
  requirements,
  wait,
} from '../activity.js';
import { decodeUtf8, encodeUtf8 } from '../http.js';

const utf8 = (bytes) => new TextDecoder().decode(bytes);

beforeEach(() => {
  reset();
  stub.config = {};
  stub.configErrors = {};
});

/** What fetch threw (synchronously, when waited for). */
function failure(pending) {
  try {
    wait(pending);
  } catch (e) {
    return e;
  }
  assert.fail('expected the fetch to fail');
}

test('a GET is built from the URL: method, scheme, authority, path and query', () => {
  const response = wait(fetch('http://127.0.0.1:8080/items?q=a b&x=é#fragment', { headers: { 'X-Trace': '  t-1 ' } }));
  assert.equal(response.status, 200);
  assert.equal(http.requests.length, 1);
  const [request] = http.requests;
  assert.deepEqual(request.method, { tag: 'get' });
  assert.deepEqual(request.scheme, { tag: 'HTTP' });
  assert.equal(request.authority, '127.0.0.1:8080');
  assert.equal(request.pathWithQuery, '/items?q=a%20b&x=%C3%A9');
  assert.deepEqual(request.headers, [['x-trace', 't-1']]);
  assert.equal(request.body.length, 0);
  assert.equal(request.finished, true);
});

test('https, default ports, IPv6 and an empty path', () => {
  wait(fetch('HTTPS://API.Example.com'));
  wait(fetch('http://[::1]:9000?x=1'));
  assert.deepEqual(
    http.requests.map((r) => [r.scheme.tag, r.authority, r.pathWithQuery]),
    [
      ['HTTPS', 'api.example.com', '/'],
      ['HTTP', '[::1]:9000', '/?x=1'],
    ],
  );
});

test('a POST carries its body (UTF-8), its headers and a content-length, written as the host allows', () => {
  http.budgets.push(3, 0, 100);
  wait(
    fetch('http://h/submit', {
      method: 'post',
      headers: [
        ['Content-Type', 'text/plain; charset=utf-8'],
        ['X-Multi', 'a'],
        ['x-multi', 'b'],
      ],
      body: 'héllo ☃',
    }),
  );
  const [request] = http.requests;
  assert.deepEqual(request.method, { tag: 'post' });
  assert.equal(utf8(request.body), 'héllo ☃');
  assert.deepEqual(request.headers, [
    ['content-type', 'text/plain; charset=utf-8'],
    ['x-multi', 'a'],
    ['x-multi', 'b'],
    ['content-length', String(encodeUtf8('héllo ☃').length)],
  ]);
  assert.ok(http.events.includes('write-wait /submit'), 'a zero budget waits on the stream');
  assert.equal(request.finished, true);
});

test('bodies: bytes, ArrayBuffer, an explicit content-length kept', () => {
  wait(fetch('http://h/a', { method: 'PUT', body: new Uint8Array([1, 2, 3]) }));
  const buffer = new Uint16Array([0x0201]).buffer;
  wait(fetch('http://h/b', { method: 'PUT', body: buffer, headers: { 'Content-Length': '2' } }));
  assert.deepEqual([...http.requests[0].body], [1, 2, 3]);
  assert.deepEqual([...http.requests[1].body], [1, 2]);
  assert.deepEqual(http.requests[1].headers, [['content-length', '2']]);
});

test('methods: fetch normalization, WIT cases, other methods', () => {
  for (const method of ['delete', 'Options', 'PATCH', 'patch', 'PURGE', 'head']) {
    wait(fetch('http://h/', { method }));
  }
  assert.deepEqual(
    http.requests.map((r) => r.method),
    [
      { tag: 'delete' },
      { tag: 'options' },
      { tag: 'patch' },
      { tag: 'other', val: 'patch' },
      { tag: 'other', val: 'PURGE' },
      { tag: 'head' },
    ],
  );
});

test('a request that cannot be built is a TypeError, and nothing reaches the host', () => {
  const cases = [
    ['ftp://h/x', {}, /unsupported URL scheme: ftp/],
    ['not a url', {}, /invalid URL/],
    ['http://user:pw@h/', {}, /credentials/],
    ['http://h:99999/', {}, /invalid port/],
    ['http:///x', {}, /invalid host/],
    ['http://h/', { method: 'CONNECT' }, /forbidden method/],
    ['http://h/', { method: 'BAD METHOD' }, /invalid method/],
    ['http://h/', { body: 'x' }, /GET request cannot have a body/],
    ['http://h/', { method: 'POST', body: { a: 1 } }, /a body must be/],
    ['http://h/', { headers: { Host: 'evil' } }, /headers were refused: forbidden/],
    ['http://h/', { headers: { 'bad name': 'x' } }, /headers were refused: invalid-syntax/],
  ];
  for (const [url, init, message] of cases) {
    const error = failure(fetch(url, init));
    assert.ok(error instanceof TypeError, `${url} ${JSON.stringify(init)}: ${error}`);
    assert.match(error.message, message);
  }
  assert.equal(http.requests.length, 0);
});

test('the response: status, ok, headers, body as text, JSON and bytes', () => {
  http.respond = (request) => ({
    status: request.pathWithQuery === '/missing' ? 404 : 201,
    headers: [
      ['Content-Type', 'application/json'],
      ['X-Multi', 'a'],
      ['x-multi', 'b'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ],
    body: JSON.stringify({ greeting: 'héllo ☃ 😀' }),
  });
  const response = wait(fetch('http://h/thing'));
  assert.equal(response.status, 201);
  assert.equal(response.ok, true);
  assert.equal(response.url, 'http://h/thing');
  assert.equal(response.headers.get('content-type'), 'application/json');
  assert.equal(response.headers.get('X-MULTI'), 'a, b');
  assert.equal(response.headers.get('absent'), null);
  assert.equal(response.headers.has('Set-Cookie'), true);
  assert.deepEqual(response.headers.getSetCookie(), ['a=1', 'b=2']);
  assert.deepEqual(
    [...response.headers],
    [
      ['content-type', 'application/json'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
      ['x-multi', 'a, b'],
    ],
  );
  // http.readChunk (5 bytes) splits the multi-byte characters across reads.
  assert.deepEqual(wait(response.json()), { greeting: 'héllo ☃ 😀' });
  assert.equal(response.bodyUsed, true);
  assert.throws(() => wait(response.text()), /already been read/);

  const missing = wait(fetch('http://h/missing'));
  assert.equal(missing.ok, false);
  assert.equal(missing.status, 404);
  assert.equal(utf8(wait(missing.bytes())), JSON.stringify({ greeting: 'héllo ☃ 😀' }));
});

test('every resource is dropped once the body is read', () => {
  http.respond = () => ({ status: 200, headers: [['a', 'b']], body: 'x'.repeat(20) });
  const response = wait(fetch('http://h/', { method: 'POST', body: 'data' }));
  assert.equal(wait(response.text()), 'x'.repeat(20));
  assert.equal(http.live.size, 0, [...http.live].map((r) => r.constructor.name).join(', '));
});

test('HTTP errors carry the WIT case name and name method and origin', () => {
  const cases = [
    ['http://127.0.0.1:8099/x', 'GET', { tag: 'HTTP-request-denied' }, 'GET http://127.0.0.1:8099: HTTP-request-denied'],
    [
      'https://api.example.com/x',
      'POST',
      { tag: 'connection-refused' },
      'POST https://api.example.com:443: connection-refused',
    ],
    [
      'http://Example.com/',
      'DELETE',
      { tag: 'connection-read-timeout' },
      'DELETE http://example.com:80: connection-read-timeout',
    ],
    ['http://h/', 'GET', { tag: 'DNS-error', val: { rcode: 'NXDOMAIN', infoCode: null } }, 'GET http://h:80: DNS-error'],
    ['http://h/', 'GET', { tag: 'internal-error', val: 'boom' }, 'GET http://h:80: internal-error (boom)'],
    ['http://h/', 'GET', { tag: 'internal-error', val: null }, 'GET http://h:80: internal-error'],
  ];
  for (const [url, method, code, message] of cases) {
    http.respond = () => ({ error: code });
    const error = failure(fetch(url, { method }));
    assert.ok(error instanceof HttpError, String(error));
    assert.equal(error.name, 'HttpError');
    assert.equal(error.code, code.tag);
    assert.equal(error.message, message);
    assert.deepEqual(error.detail, code.val);
  }
  assert.equal(http.requests.length, cases.length);
});

test('an error from handle itself, and a body that breaks off', () => {
  http.handleError = { tag: 'HTTP-request-URI-invalid' };
  const refused = failure(fetch('http://h/'));
  assert.equal(refused.code, 'HTTP-request-URI-invalid');
  assert.equal(refused.message, 'GET http://h:80: HTTP-request-URI-invalid');
  assert.equal(http.live.size, 0);

  http.handleError = null;
  http.respond = () => ({ status: 200, body: 'partial', bodyError: { tag: 'HTTP-response-body-size', val: 1024 } });
  const response = wait(fetch('http://h/big'));
  const error = failure(response.text());
  assert.ok(error instanceof HttpError);
  assert.equal(error.code, 'HTTP-response-body-size');
  assert.equal(error.message, 'GET http://h:80: HTTP-response-body-size');
  assert.equal(error.detail, 1024);
});

test('fetch hands requests to the host at once: several are in flight before any is waited for', () => {
  const a = fetch('http://h/a');
  const b = fetch('http://h/b');
  assert.deepEqual(http.events, ['handle /a', 'handle /b']);
  const [ra, rb] = wait([a, b]);
  assert.deepEqual(http.events, ['handle /a', 'handle /b', 'block /a', 'block /b']);
  assert.equal(ra.url, 'http://h/a');
  assert.equal(rb.url, 'http://h/b');
  assert.equal(wait(a), ra, 'waiting again gives the same response');
});

test('a Pending is awaitable where promise jobs run', async () => {
  http.respond = () => ({ status: 200, body: '{"n":1}' });
  const response = await fetch('http://h/');
  assert.deepEqual(await response.json(), { n: 1 });
  http.respond = () => ({ error: { tag: 'connection-refused' } });
  await assert.rejects(fetch('http://h/'), (e) => e instanceof HttpError && e.code === 'connection-refused');
  await assert.rejects(fetch('gopher://h/'), TypeError);
  assert.equal(await new Pending(() => 7).finally(() => {}), 7);
});

test('an activity yields where it would await; failures are thrown in at the yield', () => {
  http.respond = (request) =>
    request.pathWithQuery === '/down'
      ? { error: { tag: 'connection-refused' } }
      : { status: 200, body: request.pathWithQuery };
  const execute = activity(function* (task) {
    const [a, b] = yield [fetch(`http://h/${task.input}`), fetch('http://h/other')];
    const texts = yield [a.text(), b.text()];
    let down;
    try {
      yield fetch('http://h/down');
    } catch (e) {
      down = e.code;
    }
    return `${texts.join(' ')} ${down}`;
  });
  assert.equal(execute(JSON.stringify({ activityId: 'a-1', input: 'first' })), '/first /other connection-refused');

  const failing = activity(function* () {
    yield fetch('http://h/down');
  });
  assert.throws(
    () => failing(JSON.stringify({ activityId: 'a-2' })),
    (e) =>
      e.tag === 'failed' && e.val.reason === 'HttpError' && e.val.details === 'GET http://h:80: connection-refused',
  );
});

test('an async activity fails clearly: QuickJS would never resume it', () => {
  const execute = activity(async () => 'never');
  assert.throws(
    () => execute(JSON.stringify({ activityId: 'a-1' })),
    (e) => e.tag === 'failed' && e.val.reason === 'TypeError' && /native promise/.test(e.val.details),
  );
  assert.throws(() => wait(Promise.resolve(1)), /native promise/);
  assert.equal(wait(5), 5);
});

test('Headers accepts objects, pairs, Maps and Headers, and set/delete', () => {
  const headers = new Headers(new Map([['A', '1']]));
  headers.append('b', ' 2 ');
  headers.set('a', '3');
  const copy = new Headers(headers);
  copy.delete('B');
  assert.deepEqual([...headers], [
    ['a', '3'],
    ['b', '2'],
  ]);
  assert.deepEqual([...copy.keys()], ['a']);
  assert.deepEqual([...new Headers({ z: 'x', y: 'w' }).values()], ['w', 'x']);
  assert.throws(() => new Headers([['only-name']]), TypeError);
});

test('UTF-8 matches TextEncoder and TextDecoder, malformed input included', () => {
  for (const s of ['', 'plain', 'héllo ☃ 😀', 'lone \ud800 surrogate', '\udc00', 'x'.repeat(20000) + '€']) {
    assert.deepEqual(encodeUtf8(s), new TextEncoder().encode(s), JSON.stringify(s.slice(0, 20)));
  }
  const samples = [
    [0x68, 0xc3, 0xa9],
    [0xff, 0x41],
    [0xe2, 0x98],
    [0xc0, 0x80],
    [0xed, 0xa0, 0x80],
    [0xf0, 0x9f, 0x98, 0x80, 0xf4, 0x90, 0x80, 0x80],
    [0xe2, 0x41, 0x98, 0x83],
  ];
  samples.push([0xef, 0xbb, 0xbf, 0x41], [0xef, 0xbb, 0xbf, 0xff]);
  // And random bytes, biased towards the interesting ones (a fixed seed: the same every run).
  let seed = 42;
  const random = (n) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const interesting = [0x00, 0x41, 0x7f, 0x80, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5];
  const byte = () => (random(2) ? interesting[random(interesting.length)] : random(256));
  for (let k = 0; k < 3000; k++) {
    samples.push(Array.from({ length: random(9) }, byte));
  }
  for (const bytes of samples) {
    assert.equal(decodeUtf8(new Uint8Array(bytes)), new TextDecoder().decode(new Uint8Array(bytes)), bytes.join(','));
  }
});

test('config.get: a value, none, undeclared, unavailable', () => {
  stub.config = { GREETING: 'hello', EMPTY: '' };
  stub.configErrors = { SECRET: { tag: 'undeclared' }, SSM: { tag: 'unavailable', val: 'ssm /app/x: unreachable' } };
  assert.equal(config.get('GREETING'), 'hello');
  assert.equal(config.get('EMPTY'), '');
  assert.equal(config.get('ABSENT'), null);

  const thrown = (key) => {
    try {
      config.get(key);
    } catch (e) {
      return e;
    }
    assert.fail(`${key} did not throw`);
  };
  const undeclared = thrown('SECRET');
  assert.ok(undeclared instanceof ConfigError);
  assert.equal(undeclared.name, 'ConfigError');
  assert.equal(undeclared.key, 'SECRET');
  assert.equal(undeclared.kind, 'undeclared');
  assert.equal(undeclared.message, 'SECRET: undeclared');
  const unavailable = thrown('SSM');
  assert.equal(unavailable.kind, 'unavailable');
  assert.equal(unavailable.detail, 'ssm /app/x: unreachable');
  assert.equal(unavailable.message, 'SSM: unavailable: ssm /app/x: unreachable');
});

test('requirements: names are required, optional() is not, objects say which', () => {
  assert.deepEqual(
    requirements({
      outboundHosts: ['https://api.example.com', optional('*://*:*'), { name: '{API_URL}', required: false }],
      configKeys: ['API_KEY', { name: 'GREETING' }],
    }),
    {
      outboundHosts: [
        { name: 'https://api.example.com', required: true },
        { name: '*://*:*', required: false },
        { name: '{API_URL}', required: false },
      ],
      configKeys: [
        { name: 'API_KEY', required: true },
        { name: 'GREETING', required: true },
      ],
    },
  );
  assert.deepEqual(requirements(), { outboundHosts: [], configKeys: [] });
  assert.deepEqual(requirements({ configKeys: ['K'] }).outboundHosts, []);
  assert.deepEqual(noRequirements, { outboundHosts: [], configKeys: [] });
  assert.ok(Object.isFrozen(noRequirements) && Object.isFrozen(noRequirements.outboundHosts));
  assert.throws(() => requirements({ configKeys: [''] }), /config key: a need has a non-empty string name/);
  assert.throws(
    () => requirements({ outboundHosts: [{ name: 'x', required: 'yes' }] }),
    /outbound host x: required must be true or false/,
  );
});
