// Unit tests of the activity helper's AWS calls (./aws.js) under node, with wasi:http stubbed
// (http-stub.mjs): the requests built for the host to sign, the errors parsed from AWS answers,
// the typed helpers' results; and the JavaScript http-probe fixture's AWS inputs.
// Run: npm test --prefix guest-sdk/js
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';

import { http, reset } from './http-stub.mjs';
import {
  AwsError,
  HttpError,
  activity,
  awsHost,
  awsRequest,
  dynamodbGetItem,
  dynamodbPutItem,
  encodeQuery,
  parseAwsError,
  percentEncode,
  s3GetObject,
  s3PutObject,
  sqsSendMessage,
  wait,
  Headers,
} from '../activity.js';
import * as probe from '../../../tests/fixtures/js-http-probe/activity.js';

const utf8 = (bytes) => new TextDecoder().decode(bytes);

beforeEach(() => {
  reset();
});

/** What waiting for `pending` threw. */
function failure(pending) {
  try {
    wait(pending);
  } catch (e) {
    return e;
  }
  assert.fail('expected a failure');
}

/** The header lines of a recorded request as an object (names are lowercase). */
const headersOf = (request) => Object.fromEntries(request.headers);

/** A reference encoder: UTF-8 (TextEncoder), every byte but the RFC 3986 unreserved ones as %XX. */
function reference(text, keepSlash = false) {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/') ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Requests

test('awsRequest sends to https://<name>.aws.internal with the path, query, headers and body', () => {
  const response = wait(
    awsRequest('s3', 'POST', '/bucket/some key', {
      query: { uploads: '', 'x-id': 'a b', n: 3 },
      headers: { 'Content-Type': 'text/plain', 'x-custom': 'v' },
      body: 'héllo',
    }),
  );
  assert.equal(response.status, 200);
  assert.equal(response.url, 'https://s3.aws.internal/bucket/some key?uploads=&x-id=a%20b&n=3');
  const [request] = http.requests;
  assert.deepEqual(request.method, { tag: 'post' });
  assert.deepEqual(request.scheme, { tag: 'HTTPS' });
  assert.equal(request.authority, 's3.aws.internal');
  assert.equal(request.pathWithQuery, '/bucket/some%20key?uploads=&x-id=a%20b&n=3');
  assert.deepEqual(request.headers, [
    ['content-type', 'text/plain'],
    ['x-custom', 'v'],
    ['content-length', '6'],
  ]);
  assert.equal(utf8(request.body), 'héllo');
});

test('awsRequest: a GET without options, the grant name lowercased, a query joined to one in the path', () => {
  wait(awsRequest('DynamoDB', 'GET', '/'));
  wait(awsRequest('s3-archive', 'get', '/b', { query: [['list-type', 2], ['prefix', 'a/b']] }));
  wait(awsRequest('s3', 'GET', '/b?versioning', { query: { x: '1' } }));
  wait(awsRequest('s3', 'DELETE', '/b/k', { query: {} }));
  assert.deepEqual(
    http.requests.map((r) => [r.method.tag, r.authority, r.pathWithQuery, r.body.length]),
    [
      ['get', 'dynamodb.aws.internal', '/', 0],
      ['get', 's3-archive.aws.internal', '/b?list-type=2&prefix=a%2Fb', 0],
      ['get', 's3.aws.internal', '/b?versioning&x=1', 0],
      ['delete', 's3.aws.internal', '/b/k', 0],
    ],
  );
  assert.deepEqual(http.requests[0].headers, [], 'no signing or other headers are added');
});

test('awsRequest returns any answer as a Response, errors included', () => {
  http.respond = () => ({ status: 404, headers: [['content-type', 'application/xml']], body: '<Error><Code>NoSuchKey</Code></Error>' });
  const response = wait(awsRequest('s3', 'GET', '/b/k'));
  assert.equal(response.status, 404);
  assert.equal(response.ok, false);
  assert.equal(wait(response.text()), '<Error><Code>NoSuchKey</Code></Error>');
});

test('a request that cannot be built is a TypeError, and nothing reaches the host', () => {
  const cases = [
    [() => awsRequest('s3', 'GET', 'b/k'), /path starts with "\/"/],
    [() => awsRequest('s3', 'GET', undefined), /path starts with "\/"/],
    [() => awsRequest('s3', 'GET', '/b/k#frag'), /cannot contain "#"/],
    [() => awsRequest('', 'GET', '/'), /invalid AWS grant name: ""/],
    [() => awsRequest('evil.com/x', 'GET', '/'), /invalid AWS grant name/],
    [() => awsRequest('a.b', 'GET', '/'), /invalid AWS grant name/],
    [() => awsRequest('s3:80', 'GET', '/'), /invalid AWS grant name/],
    [() => awsRequest('s3', 'GET', '/', { query: 'a=b' }), /query must be an object/],
    [() => awsRequest('s3', 'GET', '/', { query: [['a']] }), /\[name, value\] pair/],
    [() => awsRequest('s3', 'GET', '/', { query: { a: { b: 1 } } }), /query parameter a/],
    [() => awsRequest('s3', 'BAD METHOD', '/'), /invalid method/],
    [() => awsRequest('s3', 'GET', '/', { body: 'x' }), /GET request cannot have a body/],
    [() => s3PutObject('', 'k', 'x'), /an S3 bucket is a non-empty string/],
    [() => s3PutObject('b', '', 'x'), /an S3 key is a non-empty string/],
    [() => s3GetObject('b/c', 'k'), /an S3 bucket name has no "\/"/],
    [() => s3PutObject('b', 'k', { not: 'a body' }), /a body must be/],
    [() => s3GetObject('b', 7), /an S3 key is a non-empty string/],
    [() => s3GetObject('b', 'k', { grant: 'bad name' }), /invalid AWS grant name/],
    [() => dynamodbPutItem('t', [1]), /an item is an object/],
    [() => dynamodbPutItem(undefined, {}), /a DynamoDB table is a non-empty string/],
    [() => dynamodbGetItem('t', null), /a key is an object/],
    [() => sqsSendMessage('https://q', { a: 1 }), /an SQS message body is a string/],
    [() => sqsSendMessage('', 'x'), /an SQS queue URL is a non-empty string/],
  ];
  for (const [call, message] of cases) {
    let pending;
    assert.doesNotThrow(() => {
      pending = call();
    }, 'the failure is in the Pending, as with fetch');
    const error = failure(pending);
    assert.ok(error instanceof TypeError, `${call}: ${error}`);
    assert.match(error.message, message);
  }
  assert.equal(http.requests.length, 0);
});

test('awsHost: the virtual host a plugin declares in requires()', () => {
  assert.equal(awsHost('s3'), 'https://s3.aws.internal');
  assert.equal(awsHost('My-Grant-2'), 'https://my-grant-2.aws.internal');
  assert.equal(awsHost('a'.repeat(63)), `https://${'a'.repeat(63)}.aws.internal`);
  for (const bad of ['-s3', 's3-', 'a.b', 'my_grant', 'a'.repeat(64), 'é']) {
    assert.throws(() => awsHost(bad), TypeError, bad);
  }
});

// ---------------------------------------------------------------------------------------------
// Encoding

test('percentEncode keeps RFC 3986 unreserved characters only, space as %20, UTF-8, upper-case hex', () => {
  assert.equal(percentEncode('AZaz09-._~'), 'AZaz09-._~');
  assert.equal(percentEncode("a b+c/d?e=f&g!h'i(j)k*l%m"), 'a%20b%2Bc%2Fd%3Fe%3Df%26g%21h%27i%28j%29k%2Al%25m');
  assert.equal(percentEncode('é☃😀'), '%C3%A9%E2%98%83%F0%9F%98%80');
  assert.equal(percentEncode('a/b c/', { keepSlash: true }), 'a/b%20c/');
  assert.equal(percentEncode('x\ud800y'), 'x%EF%BF%BDy', 'a lone surrogate is U+FFFD');
  assert.equal(percentEncode('\udc00/', { keepSlash: true }), '%EF%BF%BD/');
  assert.equal(percentEncode(12), '12');
  // Every character of the Basic Multilingual Plane's ASCII and Latin ranges, plus random text,
  // against a reference built on TextEncoder.
  let all = '';
  for (let c = 0; c < 0x300; c++) {
    all += String.fromCharCode(c);
  }
  assert.equal(percentEncode(all), reference(all));
  assert.equal(percentEncode(all, { keepSlash: true }), reference(all, true));
  let seed = 7;
  const random = (n) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let k = 0; k < 500; k++) {
    const text = Array.from({ length: random(12) }, () =>
      random(3) === 0 ? String.fromCodePoint(random(0x10ffff - 0xe000) + 0xe000) : String.fromCharCode(random(0x80)),
    ).join('');
    assert.equal(percentEncode(text, { keepSlash: k % 2 === 0 }), reference(text, k % 2 === 0), JSON.stringify(text));
  }
});

test('encodeQuery: objects (arrays repeat a name), Maps and pairs, order kept, empty values', () => {
  assert.equal(encodeQuery(undefined), '');
  assert.equal(encodeQuery({}), '');
  assert.equal(encodeQuery({ b: '2', a: '1' }), 'b=2&a=1');
  assert.equal(encodeQuery({ tag: ['x', 'y z'], flag: true, none: null, n: 0 }), 'tag=x&tag=y%20z&flag=true&none=&n=0');
  assert.equal(encodeQuery(new Map([['k é', 'v/w']])), 'k%20%C3%A9=v%2Fw');
  assert.equal(encodeQuery([['a', '1'], ['a', '2'], ['=&', '?#']]), 'a=1&a=2&%3D%26=%3F%23');
});

// ---------------------------------------------------------------------------------------------
// Errors

test('error codes: x-amzn-errortype first (before ":"), else JSON __type (after "#"), else XML <Code>', () => {
  const cases = [
    [
      [['x-amzn-errortype', 'ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.dynamodb/']],
      '{"__type":"com.amazonaws.dynamodb.v20120810#Other","message":"Requested resource not found"}',
      { code: 'ResourceNotFoundException', message: 'Requested resource not found' },
    ],
    [[['X-Amzn-ErrorType', ' ThrottlingException ']], '', { code: 'ThrottlingException', message: null }],
    [
      [],
      '{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}',
      { code: 'ConditionalCheckFailedException', message: 'The conditional request failed' },
    ],
    [[], '{"__type":"QueueDoesNotExist","Message":"no queue"}', { code: 'QueueDoesNotExist', message: 'no queue' }],
    [[['x-amzn-errortype', '']], ' {"__type":"a#b#Last"}', { code: 'Last', message: null }],
    [
      [],
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>a&amp;b</Key><RequestId>R1</RequestId></Error>',
      { code: 'NoSuchKey', message: 'The specified key does not exist.' },
    ],
    [
      [],
      '<ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>Queue &lt;q&gt; &#x27;gone&#39; &quot;x&quot;</Message></Error></ErrorResponse>',
      { code: 'AWS.SimpleQueueService.NonExistentQueue', message: `Queue <q> 'gone' "x"` },
    ],
    [[], '<Error><Code>X</Code><Message><![CDATA[a <b> & c]]></Message></Error>', { code: 'X', message: 'a <b> & c' }],
    [[['x-amzn-errortype', 'FromHeader']], '<Error><Code>FromBody</Code></Error>', { code: 'FromHeader', message: null }],
    [[], '<html><body>Bad Gateway</body></html>', { code: null, message: null }],
    [[], '', { code: null, message: null }],
    [[], '{not json', { code: null, message: null }],
    [[], '{"message": 5, "Message": "capital"}', { code: null, message: 'capital' }],
  ];
  for (const [headers, body, expected] of cases) {
    assert.deepEqual(parseAwsError(new Headers(headers), body), expected, body);
  }
});

test('AwsError: fields and the text <service> <operation>: <status> <code>: <message>', () => {
  const error = new AwsError('s3', 'GetObject', 404, 'NoSuchKey', 'The specified key does not exist.', 'R1');
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'AwsError');
  assert.equal(error.message, 's3 GetObject: 404 NoSuchKey: The specified key does not exist.');
  assert.deepEqual(
    [error.service, error.operation, error.status, error.code, error.awsMessage, error.requestId],
    ['s3', 'GetObject', 404, 'NoSuchKey', 'The specified key does not exist.', 'R1'],
  );
  assert.equal(new AwsError('s3', 'GetObject', 404, 'NoSuchKey', null).message, 's3 GetObject: 404 NoSuchKey');
  assert.equal(new AwsError('sqs', 'SendMessage', 500, null, 'boom').message, 'sqs SendMessage: 500: boom');
  const bare = new AwsError('s3', 'HeadObject', 403);
  assert.equal(bare.message, 's3 HeadObject: 403');
  assert.equal(bare.code, null);
  assert.equal(bare.awsMessage, null);
  assert.equal(bare.requestId, null);
});

test('AwsError.check passes a 2xx response through and turns any other into an AwsError', () => {
  http.respond = (request) =>
    request.pathWithQuery === '/b'
      ? { status: 200, body: '<ListBucketResult/>' }
      : {
          status: 301,
          headers: [['x-amz-request-id', 'REQ-9']],
          body: '<Error><Code>PermanentRedirect</Code><Message>Use the other endpoint.</Message></Error>',
        };
  const ok = wait(AwsError.check(awsRequest('s3', 'GET', '/b'), 's3', 'ListObjectsV2'));
  assert.equal(wait(ok.text()), '<ListBucketResult/>');
  const response = wait(awsRequest('s3', 'GET', '/moved'));
  const error = failure(AwsError.check(response, 's3', 'ListObjectsV2'));
  assert.ok(error instanceof AwsError);
  assert.equal(error.message, 's3 ListObjectsV2: 301 PermanentRedirect: Use the other endpoint.');
  assert.equal(error.requestId, 'REQ-9');
  assert.equal(http.live.size, 0, 'the error body was read and every resource dropped');
});

test('a request the host refuses is an HttpError naming the virtual origin, not an AwsError', () => {
  http.respond = () => ({ error: { tag: 'HTTP-request-denied' } });
  const error = failure(s3PutObject('b', 'k', 'x', { grant: 'archive' }));
  assert.ok(error instanceof HttpError);
  assert.equal(error.message, 'PUT https://archive.aws.internal:443: HTTP-request-denied');
  const ddb = failure(dynamodbGetItem('t', { id: { S: '1' } }));
  assert.equal(ddb.message, 'POST https://dynamodb.aws.internal:443: HTTP-request-denied');

  http.respond = () => ({ status: 500, body: '<Error><Code>InternalError</Code>', bodyError: { tag: 'HTTP-response-body-size', val: 10 } });
  const broken = failure(s3GetObject('b', 'k'));
  assert.ok(broken instanceof HttpError, String(broken));
  assert.equal(broken.code, 'HTTP-response-body-size');
});

// ---------------------------------------------------------------------------------------------
// Typed helpers

test('s3PutObject: PUT /<bucket>/<key> (key encoded but for "/"), the body, content type, the ETag', () => {
  http.respond = () => ({ status: 200, headers: [['ETag', '"9b2cf535f27731c974343645a3985328"']], body: '' });
  const etag = wait(s3PutObject('my-bucket', 'reports/2024 q1+é?.txt', 'héllo ☃', { contentType: 'text/plain; charset=utf-8' }));
  assert.equal(etag, '"9b2cf535f27731c974343645a3985328"');
  const [request] = http.requests;
  assert.deepEqual(request.method, { tag: 'put' });
  assert.equal(request.authority, 's3.aws.internal');
  assert.equal(request.pathWithQuery, '/my-bucket/reports/2024%20q1%2B%C3%A9%3F.txt');
  assert.deepEqual(headersOf(request), {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(new TextEncoder().encode('héllo ☃').length),
  });
  assert.equal(utf8(request.body), 'héllo ☃');
  assert.equal(http.live.size, 0);

  http.respond = () => ({ status: 200, body: '' });
  assert.equal(wait(s3PutObject('b', '/lead/slash', new Uint8Array([0, 255]), { grant: 's3-eu' })), null);
  const [, second] = http.requests;
  assert.equal(second.authority, 's3-eu.aws.internal');
  assert.equal(second.pathWithQuery, '/b//lead/slash');
  assert.deepEqual([...second.body], [0, 255]);
  assert.deepEqual(headersOf(second), { 'content-length': '2' }, 'no content type unless given');

  wait(s3PutObject('b', 'empty', ''));
  assert.deepEqual(headersOf(http.requests[2]), { 'content-length': '0' });
});

test('s3GetObject: GET /<bucket>/<key>, the body bytes; NoSuchKey is an AwsError', () => {
  http.respond = (request) =>
    request.pathWithQuery === '/b/dir/a%20b'
      ? { status: 200, headers: [['content-type', 'application/octet-stream']], body: new Uint8Array([0xc3, 0xa9, 0, 0xff]) }
      : {
          status: 404,
          headers: [['content-type', 'application/xml'], ['x-amz-request-id', 'TX1']],
          body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>missing</Key></Error>',
        };
  const bytes = wait(s3GetObject('b', 'dir/a b'));
  assert.ok(bytes instanceof Uint8Array);
  assert.deepEqual([...bytes], [0xc3, 0xa9, 0, 0xff]);
  assert.deepEqual(http.requests[0].method, { tag: 'get' });
  assert.equal(http.requests[0].body.length, 0);

  const error = failure(s3GetObject('b', 'missing'));
  assert.ok(error instanceof AwsError);
  assert.equal(error.status, 404);
  assert.equal(error.code, 'NoSuchKey');
  assert.equal(error.awsMessage, 'The specified key does not exist.');
  assert.equal(error.requestId, 'TX1');
  assert.equal(error.message, 's3 GetObject: 404 NoSuchKey: The specified key does not exist.');
  assert.equal(http.live.size, 0);
});

test('dynamodbPutItem and dynamodbGetItem: AWS JSON 1.0 POST / with x-amz-target; the Item or null', () => {
  const item = { id: { S: 'b-1' }, seats: { N: '2' }, tags: { SS: ['a', 'é'] } };
  http.respond = (request) => {
    const target = headersOf(request)['x-amz-target'];
    const payload = JSON.parse(utf8(request.body));
    if (target === 'DynamoDB_20120810.GetItem') {
      return { status: 200, body: JSON.stringify(payload.Key.id.S === 'b-1' ? { Item: item } : {}) };
    }
    return { status: 200, headers: [['content-type', 'application/x-amz-json-1.0']], body: '{}' };
  };
  assert.equal(wait(dynamodbPutItem('bookings', item)), undefined);
  assert.deepEqual(wait(dynamodbGetItem('bookings', { id: { S: 'b-1' } })), item);
  assert.equal(wait(dynamodbGetItem('bookings', { id: { S: 'b-2' } }, { grant: 'ddb-ro' })), null);

  const [put, get, other] = http.requests;
  for (const request of [put, get, other]) {
    assert.deepEqual(request.method, { tag: 'post' });
    assert.equal(request.pathWithQuery, '/');
    assert.equal(headersOf(request)['content-type'], 'application/x-amz-json-1.0');
    assert.equal(headersOf(request)['content-length'], String(request.body.length));
  }
  assert.equal(put.authority, 'dynamodb.aws.internal');
  assert.equal(headersOf(put)['x-amz-target'], 'DynamoDB_20120810.PutItem');
  assert.deepEqual(JSON.parse(utf8(put.body)), { TableName: 'bookings', Item: item });
  assert.equal(headersOf(get)['x-amz-target'], 'DynamoDB_20120810.GetItem');
  assert.deepEqual(JSON.parse(utf8(get.body)), { TableName: 'bookings', Key: { id: { S: 'b-1' } } });
  assert.equal(other.authority, 'ddb-ro.aws.internal');
  assert.equal(http.live.size, 0);
});

test('DynamoDB errors: code from the header or __type, message from the body', () => {
  http.respond = () => ({
    status: 400,
    headers: [['x-amzn-requestid', 'DDB-1']],
    body: '{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}',
  });
  const error = failure(dynamodbPutItem('missing', { id: { S: '1' } }));
  assert.ok(error instanceof AwsError);
  assert.equal(error.message, 'dynamodb PutItem: 400 ResourceNotFoundException: Requested resource not found');
  assert.equal(error.requestId, 'DDB-1');

  http.respond = () => ({
    status: 400,
    headers: [['x-amzn-errortype', 'ValidationException:http://internal.amazon.com/coral/com.amazon.coral.validate/']],
    body: '{"Message":"One or more parameter values were invalid"}',
  });
  const invalid = failure(dynamodbGetItem('t', {}));
  assert.equal(invalid.message, 'dynamodb GetItem: 400 ValidationException: One or more parameter values were invalid');
});

test('sqsSendMessage: AmazonSQS.SendMessage with QueueUrl and MessageBody; the MessageId', () => {
  http.respond = () => ({
    status: 200,
    body: '{"MD5OfMessageBody":"x","MessageId":"5fea7756-0ea4-451a-a703-a558b933e274"}',
  });
  const url = 'https://sqs.us-east-1.amazonaws.com/123456789012/orders';
  assert.equal(wait(sqsSendMessage(url, 'order ☃')), '5fea7756-0ea4-451a-a703-a558b933e274');
  const [request] = http.requests;
  assert.equal(request.authority, 'sqs.aws.internal');
  assert.equal(request.pathWithQuery, '/');
  assert.equal(headersOf(request)['x-amz-target'], 'AmazonSQS.SendMessage');
  assert.equal(headersOf(request)['content-type'], 'application/x-amz-json-1.0');
  assert.deepEqual(JSON.parse(utf8(request.body)), { QueueUrl: url, MessageBody: 'order ☃' });

  http.respond = () => ({
    status: 400,
    headers: [['x-amzn-query-error', 'AWS.SimpleQueueService.NonExistentQueue;Sender']],
    body: '{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}',
  });
  const error = failure(sqsSendMessage(url, 'x', { grant: 'sqs-orders' }));
  assert.equal(error.message, 'sqs SendMessage: 400 QueueDoesNotExist: The specified queue does not exist.');
  assert.equal(http.requests[1].authority, 'sqs-orders.aws.internal');
});

test('helpers send at once: several are in flight before any is waited for, in an activity', () => {
  http.respond = (request) => ({ status: 200, body: request.pathWithQuery === '/' ? '{"MessageId":"m"}' : 'data' });
  const a = s3GetObject('b', 'a');
  const b = s3GetObject('b', 'b');
  const c = sqsSendMessage('u', 'x');
  assert.deepEqual(http.events, ['handle /b/a', 'handle /b/b', 'handle /']);
  assert.deepEqual(
    wait([a, b, c]).map((v) => (v instanceof Uint8Array ? utf8(v) : v)),
    ['data', 'data', 'm'],
  );

  const execute = activity(function* (task) {
    const [x, y] = yield [s3GetObject('b', task.input), s3GetObject('b', 'y')];
    let caught;
    try {
      yield dynamodbGetItem('t', { id: { S: '1' } });
    } catch (e) {
      caught = e instanceof AwsError ? e.code : String(e);
    }
    return `${utf8(x)} ${utf8(y)} ${caught}`;
  });
  http.respond = (request) =>
    request.pathWithQuery === '/'
      ? { status: 400, headers: [['x-amzn-errortype', 'ThrottlingException']], body: '{}' }
      : { status: 200, body: request.pathWithQuery };
  assert.equal(execute(JSON.stringify({ activityId: 'a', input: 'x' })), '/b/x /b/y ThrottlingException');

  const failing = activity(function* () {
    yield s3GetObject('b', 'k');
  });
  http.respond = () => ({ status: 403, body: '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>' });
  assert.throws(
    () => failing(JSON.stringify({ activityId: 'b' })),
    (e) => e.tag === 'failed' && e.val.reason === 'AwsError' && e.val.details === 's3 GetObject: 403 AccessDenied: Access Denied',
  );
});

test('a Pending from the helpers is awaitable where promise jobs run', async () => {
  http.respond = () => ({ status: 200, body: '{"Item":{"id":{"S":"1"}}}' });
  assert.deepEqual(await dynamodbGetItem('t', { id: { S: '1' } }), { id: { S: '1' } });
  http.respond = () => ({ status: 500, body: '{"__type":"InternalServerError"}' });
  await assert.rejects(dynamodbGetItem('t', { id: { S: '1' } }), (e) => e instanceof AwsError && e.code === 'InternalServerError');
});

// ---------------------------------------------------------------------------------------------
// The http-probe fixture (tests/fixtures/js-http-probe/activity.js)

/** Runs the probe on `input`: its result as JSON, or `{ failed: { reason, details } }`. */
function runProbe(input) {
  try {
    return JSON.parse(probe.execute(JSON.stringify({ activityId: 'p', input: JSON.stringify(input) })));
  } catch (e) {
    if (e && e.tag === 'failed') {
      return { failed: e.val };
    }
    throw e;
  }
}

test('the probe declares the AWS virtual hosts, all optional', () => {
  assert.deepEqual(probe.requires().outboundHosts, [
    { name: '*://*:*', required: false },
    { name: 'https://s3.aws.internal', required: false },
    { name: 'https://dynamodb.aws.internal', required: false },
    { name: 'https://sqs.aws.internal', required: false },
  ]);
  assert.equal(probe.requires().configKeys.length, 5);
});

test('the probe: s3_put, s3_get, ddb_put, ddb_get, sqs_send', () => {
  http.respond = (request) => {
    const target = headersOf(request)['x-amz-target'];
    if (request.authority === 's3.aws.internal') {
      return request.method.tag === 'put'
        ? { status: 200, headers: [['etag', '"e1"']] }
        : { status: 200, body: 'stored ☃' };
    }
    if (target === 'DynamoDB_20120810.GetItem') {
      return { status: 200, body: '{"Item":{"id":{"S":"b-1"}}}' };
    }
    if (target === 'AmazonSQS.SendMessage') {
      return { status: 200, body: '{"MessageId":"m-1"}' };
    }
    return { status: 200, body: '{}' };
  };
  assert.deepEqual(runProbe({ s3_put: { bucket: 'b', key: 'k 1', body: 'stored ☃' } }), { etag: '"e1"' });
  assert.equal(utf8(http.requests[0].body), 'stored ☃');
  assert.equal(http.requests[0].pathWithQuery, '/b/k%201');
  assert.deepEqual(runProbe({ s3_get: { bucket: 'b', key: 'k 1' } }), { body: 'stored ☃' });
  assert.deepEqual(runProbe({ ddb_put: { table: 't', item: { id: { S: 'b-1' } } } }), { ok: true });
  assert.deepEqual(runProbe({ ddb_get: { table: 't', key: { id: { S: 'b-1' } } } }), { item: { id: { S: 'b-1' } } });
  assert.deepEqual(runProbe({ sqs_send: { queue_url: 'https://q', body: 'hi' } }), { message_id: 'm-1' });

  http.respond = () => ({ status: 200, body: '{}' });
  assert.deepEqual(runProbe({ ddb_get: { table: 't', key: { id: { S: 'none' } } } }), { item: null });
  http.respond = () => ({ status: 200 });
  assert.deepEqual(runProbe({ s3_put: { bucket: 'b', key: 'k', body: '' } }), { etag: null });
});

test('the probe: the raw aws input reports status, headers and body whatever the status', () => {
  http.respond = () => ({ status: 404, headers: [['X-Amz-Request-Id', 'r'], ['a', '1'], ['A', '2']], body: '<Error/>' });
  assert.deepEqual(
    runProbe({ aws: { name: 's3', method: 'GET', path: '/b/k', query: { 'list-type': '2', p: 'a b' }, headers: { 'x-h': 'v' } } }),
    { status: 404, headers: { 'x-amz-request-id': 'r', a: '1, 2' }, body: '<Error/>' },
  );
  const [request] = http.requests;
  assert.equal(request.authority, 's3.aws.internal');
  assert.equal(request.pathWithQuery, '/b/k?list-type=2&p=a%20b');
  assert.deepEqual(request.headers, [['x-h', 'v']]);
  runProbe({ aws: { name: 'sqs', method: 'POST', path: '/', body: '{"x":1}' } });
  assert.equal(utf8(http.requests[1].body), '{"x":1}');
  assert.equal(http.requests[1].authority, 'sqs.aws.internal');
});

test('the probe: failures are aws-error, http-error or bad-input', () => {
  http.respond = () => ({ status: 404, body: '<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>' });
  assert.deepEqual(runProbe({ s3_get: { bucket: 'b', key: 'k' } }), {
    failed: { reason: 'aws-error', details: 's3 GetObject: 404 NoSuchKey: The specified key does not exist.' },
  });
  http.respond = () => ({ error: { tag: 'HTTP-request-denied' } });
  assert.deepEqual(runProbe({ sqs_send: { queue_url: 'u', body: 'b' } }), {
    failed: { reason: 'http-error', details: 'POST https://sqs.aws.internal:443: HTTP-request-denied' },
  });
  assert.deepEqual(runProbe({ aws: { name: 'dynamodb', method: 'POST', path: '/', body: '{}' } }), {
    failed: { reason: 'http-error', details: 'POST https://dynamodb.aws.internal:443: HTTP-request-denied' },
  });
  const badInputs = [
    { s3_put: { bucket: 'b', key: 'k' } },
    { s3_get: 'b/k' },
    { ddb_put: { table: 't', item: 'x' } },
    { ddb_get: { table: 't' } },
    { sqs_send: { queue_url: 'u', body: 1 } },
    { aws: { name: 's3', method: 'GET' } },
    { aws: { name: 'bad name', path: '/' } },
    { aws: { name: 's3', path: 'no-slash' } },
    { aws: { name: 's3', path: '/', query: ['a'] } },
    { s3_put: { bucket: '', key: 'k', body: 'x' } },
    { unknown: 1 },
  ];
  for (const input of badInputs) {
    const outcome = runProbe(input);
    assert.equal(outcome.failed?.reason, 'bad-input', `${JSON.stringify(input)}: ${JSON.stringify(outcome)}`);
  }
});
