// swfwasm guest helper for JavaScript activities: AWS calls without AWS credentials. Import it
// through ./activity.js.
//
// The activity sends a plain request to a virtual host, `https://<name>.aws.internal<path>`,
// where `<name>` names one of the operator's AWS grants (by default a grant is named after its
// service: `s3`, `dynamodb`, `sqs`). The host rewrites it to the real endpoint, signs it with
// the grant's role and answers as the service does. The activity never holds a credential, so
// it sends no `Authorization` or `X-Amz-*` signing headers (the host would drop them). It must
// declare the host it uses: `requirements({ outboundHosts: ['https://s3.aws.internal'] })`.
// Without a grant of that name the request fails with HttpError `HTTP-request-denied`.
//
//   const response = yield awsRequest('s3', 'GET', '/my-bucket', { query: { 'list-type': 2 } });
//   const etag = yield s3PutObject('my-bucket', 'reports/2024 q1.txt', 'text', { contentType: 'text/plain' });
//   const item = yield dynamodbGetItem('bookings', { id: { S: 'b-1' } });
//
// Everything returns a Pending, as fetch does (see ./http.js): `yield` it in a generator
// activity, or `wait(...)` for it. The request is with the host when the call returns, so
// `yield [s3GetObject(b, k1), s3GetObject(b, k2)]` has both in flight together.
//
// Errors. The typed helpers fail with AwsError when the service answers with a status other
// than 2xx; its message is `<service> <operation>: <status> <code>: <aws message>`. A request
// the host refuses or that fails is an HttpError, as with fetch; arguments the helper cannot
// use are a TypeError. `awsRequest` itself returns any answer as a Response (`AwsError.check`
// turns a non-2xx one into an AwsError).

import { Pending, encodeUtf8, fetch, wait } from './http.js';

// ---------------------------------------------------------------------------------------------
// Encoding

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * `text` percent-encoded as UTF-8, keeping only RFC 3986 unreserved characters
 * (`A-Z a-z 0-9 - . _ ~`); a space is `%20`, hex digits are upper case. With `keepSlash`, `/`
 * stays as is (for S3 keys). A lone surrogate is encoded as U+FFFD.
 */
export function percentEncode(text, { keepSlash = false } = {}) {
  const value = String(text);
  let encoded;
  try {
    // The builtin leaves `! ' ( ) *` alone; RFC 3986 reserves them.
    encoded = encodeURIComponent(value).replace(
      /[!'()*]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  } catch {
    encoded = ''; // a lone surrogate: go byte by byte
    for (const byte of encodeUtf8(value)) {
      const c = String.fromCharCode(byte);
      encoded += UNRESERVED.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return keepSlash ? encoded.replace(/%2F/g, '/') : encoded;
}

/** A query value as text: strings as they are, numbers and booleans converted, none empty. */
function queryValue(key, value) {
  if (value === undefined || value === null) {
    return '';
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  throw new TypeError(`query parameter ${key}: a value is a string, number or boolean`);
}

/**
 * The query string (no leading `?`) for `query`: a plain object (a value may be an array, one
 * parameter per element), a Map, or an array of `[name, value]` pairs; order is kept. Names and
 * values are percent-encoded (`percentEncode`); a null or undefined value is empty (`name=`).
 */
export function encodeQuery(query) {
  if (query === undefined || query === null) {
    return '';
  }
  let pairs;
  if (Array.isArray(query)) {
    pairs = query.map((pair) => {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new TypeError('a query parameter must be a [name, value] pair');
      }
      return pair;
    });
  } else if (query instanceof Map) {
    pairs = [...query.entries()];
  } else if (typeof query === 'object') {
    pairs = [];
    for (const [name, value] of Object.entries(query)) {
      for (const one of Array.isArray(value) ? value : [value]) {
        pairs.push([name, one]);
      }
    }
  } else {
    throw new TypeError('query must be an object, a Map or an array of [name, value] pairs');
  }
  return pairs
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(queryValue(name, value))}`)
    .join('&');
}

// ---------------------------------------------------------------------------------------------
// Requests

/** A grant name: one DNS label (letters, digits and inner dashes, at most 63), as the host's. */
const GRANT_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** The virtual host of grant `name`, `https://<name>.aws.internal`, as `requires()` declares it. */
export function awsHost(name) {
  const grant = String(name);
  if (!GRANT_NAME.test(grant)) {
    throw new TypeError(`invalid AWS grant name: ${JSON.stringify(grant)} (letters, digits and inner dashes)`);
  }
  return `https://${grant.toLowerCase()}.aws.internal`;
}

/** The URL `awsRequest` sends to; throws TypeError for a bad name or path. */
function awsUrl(name, path, query) {
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new TypeError(`an AWS request path starts with "/": ${JSON.stringify(path)}`);
  }
  if (path.includes('#')) {
    throw new TypeError(`an AWS request path cannot contain "#" (percent-encode it): ${path}`);
  }
  const encoded = encodeQuery(query);
  const separator = encoded === '' ? '' : path.includes('?') ? '&' : '?';
  return `${awsHost(name)}${path}${separator}${encoded}`;
}

/**
 * Sends a request to AWS through grant `name` (`s3`, `dynamodb`, `sqs`, or the operator's own
 * name for a grant): `method`, `path` (starting with `/`; characters a URL cannot carry are
 * percent-encoded, `%` is kept), and `options`: `query` (an object, Map or list of pairs,
 * encoded by `encodeQuery`), `headers` and `body` as for fetch. Returns what fetch returns: a
 * Pending of the Response, whatever its status.
 */
export function awsRequest(name, method, path, options = {}) {
  const { query, headers, body } = options ?? {};
  let url;
  try {
    url = awsUrl(name, path, query);
  } catch (e) {
    return Pending.reject(e);
  }
  return fetch(url, { method, headers, body });
}

// ---------------------------------------------------------------------------------------------
// Errors

const XML_ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML text with its character and entity references resolved. */
function xmlText(text) {
  return text.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[a-z]+);/g, (whole, ref) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return XML_ENTITIES[ref] ?? whole;
  });
}

/** The text of the first `<tag>` element in `xml` (CDATA unwrapped), or null. */
function xmlElement(xml, tag) {
  const match = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`).exec(xml);
  if (!match) {
    return null;
  }
  const cdata = /^\s*<!\[CDATA\[([\s\S]*)\]\]>\s*$/.exec(match[1]);
  return cdata ? cdata[1] : xmlText(match[1]).trim();
}

/**
 * What an error answer says: `code` from the `x-amzn-errortype` header (the text before `:`),
 * else the JSON body's `__type` (the text after `#`), else the XML body's `<Code>`; `message`
 * from the JSON body's `message` or `Message`, else the XML body's `<Message>`. Either may be
 * null.
 */
export function parseAwsError(headers, text) {
  let code = null;
  let message = null;
  const errorType = headers.get('x-amzn-errortype');
  if (errorType !== null && errorType.split(':')[0].trim() !== '') {
    code = errorType.split(':')[0].trim();
  }
  let json;
  if (/^\s*\{/.test(text)) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  if (json !== null && typeof json === 'object') {
    if (code === null && typeof json.__type === 'string' && json.__type !== '') {
      code = json.__type.slice(json.__type.lastIndexOf('#') + 1);
    }
    const said = typeof json.message === 'string' ? json.message : json.Message;
    message = typeof said === 'string' ? said : null;
  } else if (text.includes('<')) {
    if (code === null) {
      code = xmlElement(text, 'Code') || null;
    }
    message = xmlElement(text, 'Message');
  }
  return { code: code === '' ? null : code, message };
}

/**
 * A service's error answer (a status other than 2xx). `status`, `code` and `awsMessage` are
 * what the service said (code and awsMessage may be null), `service` and `operation` what was
 * called, `requestId` AWS's request id if the answer carried one. The message is
 * `<service> <operation>: <status> <code>: <awsMessage>` (without the parts that are null).
 */
export class AwsError extends Error {
  constructor(service, operation, status, code, awsMessage, requestId = null) {
    super(`${service} ${operation}: ${status}${code ? ` ${code}` : ''}${awsMessage ? `: ${awsMessage}` : ''}`);
    this.name = 'AwsError';
    this.service = service;
    this.operation = operation;
    this.status = status;
    this.code = code ?? null;
    this.awsMessage = awsMessage ?? null;
    this.requestId = requestId;
  }

  /**
   * The error a Response with a non-2xx status says (reads its body, so call it instead of
   * reading the body yourself). Synchronous: use it where the response is at hand.
   */
  static fromResponse(response, service, operation) {
    const text = wait(response.text());
    const { code, message } = parseAwsError(response.headers, text);
    const requestId = response.headers.get('x-amzn-requestid') ?? response.headers.get('x-amz-request-id');
    return new AwsError(service, operation, response.status, code, message, requestId);
  }

  /**
   * `response` (a Response or the Pending of one, e.g. from awsRequest) when its status is
   * 2xx; otherwise the AwsError it says. Returns a Pending:
   * `const response = yield AwsError.check(awsRequest('s3', 'GET', '/b'), 's3', 'ListObjectsV2')`.
   */
  static check(response, service, operation) {
    return new Pending(() => {
      const answer = wait(response);
      if (!answer.ok) {
        throw AwsError.fromResponse(answer, service, operation);
      }
      return answer;
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Typed helpers

/** Runs `build` now (a TypeError becomes the Pending's failure); `build` returns a Pending. */
function call(build) {
  try {
    return build();
  } catch (e) {
    return Pending.reject(e);
  }
}

/** `operation` of `service` through `sent` (a Pending Response): `onOk(response)` or AwsError. */
function expect(sent, service, operation, onOk) {
  return new Pending(() => onOk(wait(AwsError.check(sent, service, operation))));
}

function nonEmptyString(value, what) {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${what} is a non-empty string`);
  }
  return value;
}

function plainObject(value, what) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${what} is an object (DynamoDB JSON, e.g. {"id": {"S": "b-1"}})`);
  }
  return value;
}

/** The grant a helper goes through: `options.grant`, else the service's own name. */
function grantOf(options, service) {
  const grant = options?.grant;
  return grant === undefined || grant === null ? service : grant;
}

/** The S3 path-style path of an object: `/<bucket>/<key>`, the key encoded but for `/`. */
function s3Path(bucket, key) {
  nonEmptyString(bucket, 'an S3 bucket');
  if (bucket.includes('/')) {
    throw new TypeError(`an S3 bucket name has no "/": ${bucket}`);
  }
  nonEmptyString(key, 'an S3 key');
  return `/${percentEncode(bucket)}/${percentEncode(key, { keepSlash: true })}`;
}

/**
 * Stores `body` (a string, sent as UTF-8, or bytes) as `key` in `bucket` (S3 PutObject,
 * path-style). `options`: `contentType`, `grant` (default `s3`). Gives the ETag header (as S3
 * sends it, quotes included) or null.
 */
export function s3PutObject(bucket, key, body, options = {}) {
  return call(() => {
    const path = s3Path(bucket, key);
    const headers = {};
    if (options?.contentType !== undefined && options?.contentType !== null) {
      headers['content-type'] = String(options.contentType);
    }
    const sent = awsRequest(grantOf(options, 's3'), 'PUT', path, { headers, body: body ?? '' });
    return expect(sent, 's3', 'PutObject', (response) => {
      wait(response.bytes()); // the (empty) body, read so the response is released
      return response.headers.get('etag');
    });
  });
}

/** The bytes (Uint8Array) of `key` in `bucket` (S3 GetObject). `options`: `grant` (default `s3`). */
export function s3GetObject(bucket, key, options = {}) {
  return call(() => {
    const sent = awsRequest(grantOf(options, 's3'), 'GET', s3Path(bucket, key));
    return expect(sent, 's3', 'GetObject', (response) => wait(response.bytes()));
  });
}

/** Sends an AWS JSON 1.0 request (`POST /`) and gives the answer's JSON object. */
function awsJson(grant, service, target, payload) {
  const operation = target.slice(target.indexOf('.') + 1);
  const sent = awsRequest(grant, 'POST', '/', {
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
    body: JSON.stringify(payload),
  });
  return expect(sent, service, operation, (response) => {
    const text = wait(response.text());
    return text.trim() === '' ? {} : JSON.parse(text);
  });
}

/**
 * Writes `item` (DynamoDB JSON: `{"id": {"S": "b-1"}, "n": {"N": "3"}}`) to `table` (DynamoDB
 * PutItem). `options`: `grant` (default `dynamodb`). Gives nothing (undefined).
 */
export function dynamodbPutItem(table, item, options = {}) {
  return call(() => {
    const payload = { TableName: nonEmptyString(table, 'a DynamoDB table'), Item: plainObject(item, 'an item') };
    const answer = awsJson(grantOf(options, 'dynamodb'), 'dynamodb', 'DynamoDB_20120810.PutItem', payload);
    return new Pending(() => {
      wait(answer);
      return undefined;
    });
  });
}

/**
 * The item of `table` with primary key `key` (DynamoDB JSON), or null if there is none
 * (DynamoDB GetItem). `options`: `grant` (default `dynamodb`).
 */
export function dynamodbGetItem(table, key, options = {}) {
  return call(() => {
    const payload = { TableName: nonEmptyString(table, 'a DynamoDB table'), Key: plainObject(key, 'a key') };
    const answer = awsJson(grantOf(options, 'dynamodb'), 'dynamodb', 'DynamoDB_20120810.GetItem', payload);
    return new Pending(() => wait(answer).Item ?? null);
  });
}

/**
 * Sends `body` (a string) to the queue at `queueUrl` (SQS SendMessage, AWS JSON 1.0); gives its
 * MessageId. `options`: `grant` (default `sqs`).
 */
export function sqsSendMessage(queueUrl, body, options = {}) {
  return call(() => {
    if (typeof body !== 'string') {
      throw new TypeError('an SQS message body is a string');
    }
    const payload = { QueueUrl: nonEmptyString(queueUrl, 'an SQS queue URL'), MessageBody: body };
    const answer = awsJson(grantOf(options, 'sqs'), 'sqs', 'AmazonSQS.SendMessage', payload);
    return new Pending(() => wait(answer).MessageId ?? null);
  });
}
