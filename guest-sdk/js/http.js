// swfwasm guest helper for JavaScript activities: a `fetch` over the world's
// `wasi:http/outgoing-handler@0.2.12` import (QuickJS has no fetch, no URL, no TextEncoder).
// Import it through ./activity.js; a decider cannot use it (its world has no network).
//
//   const response = yield fetch('https://api.example.com/items', { method: 'POST', body });
//   const items = yield response.json();
//
// Waiting. `execute` is a synchronous export, and the QuickJS runtime runs no promise jobs while
// one is in progress: an `async` function never gets past its first `await` there. So `fetch`
// returns a `Pending`: a promise-like whose value can also be taken synchronously, by blocking on
// the host's pollable. Write the activity as a generator and `yield` where you would `await`
// (`activity(function* (task) { ... })`, see ./activity.js), or call `wait(pending)`. Under a
// runtime that does run jobs (node, in the tests) `await` works as well.
//
// Concurrency. `fetch` hands the request to the host (`outgoing-handler.handle`) before it
// returns, so requests started before anything waits are in flight together:
//   const [a, b] = yield [fetch(urlA), fetch(urlB)];
//
// Errors. A request the host refuses or that fails is thrown as `HttpError`: `code` is the case
// name of the WIT `error-code` (`HTTP-request-denied`, `connection-refused`, `DNS-error`, ...)
// and the message is `<METHOD> <scheme>://<host>:<port>: <code>`, plus ` (<text>)` for
// `internal-error(some(text))`. A request the helper cannot build (bad URL, method, header or
// body) is a `TypeError`, as with fetch.
//
// Differences from fetch: redirects are not followed (a 3xx is returned as is), no implicit
// `content-type` is added, `content-length` is set for a body, and bodies are read whole.

import { handle } from 'wasi:http/outgoing-handler@0.2.12';
import { Fields, IncomingBody, OutgoingBody, OutgoingRequest, httpErrorCode } from 'wasi:http/types@0.2.12';

// ---------------------------------------------------------------------------------------------
// Waiting

/**
 * A value that is produced on demand, the first time someone waits for it: `wait()` takes it
 * synchronously (blocking on the host if need be), `then`/`catch`/`finally` make it awaitable.
 */
export class Pending {
  #produce;
  #state = 'pending';
  #value;

  /** `produce()` computes the value (or throws); it runs at most once. */
  constructor(produce) {
    this.#produce = produce;
  }

  /** A `Pending` that fails with `error` when waited for. */
  static reject(error) {
    return new Pending(() => {
      throw error;
    });
  }

  /** The value, computing it now if nobody has waited before; throws what producing it threw. */
  wait() {
    if (this.#state === 'pending') {
      const produce = this.#produce;
      this.#produce = undefined;
      try {
        this.#value = produce();
        this.#state = 'fulfilled';
      } catch (e) {
        this.#value = e;
        this.#state = 'rejected';
      }
    }
    if (this.#state === 'rejected') {
      throw this.#value;
    }
    return this.#value;
  }

  /** Promise protocol: waits (synchronously), then settles a native promise. */
  then(onFulfilled, onRejected) {
    let settled;
    try {
      settled = Promise.resolve(this.wait());
    } catch (e) {
      settled = Promise.reject(e);
    }
    return settled.then(onFulfilled, onRejected);
  }

  catch(onRejected) {
    return this.then(undefined, onRejected);
  }

  finally(onFinally) {
    return this.then().finally(onFinally);
  }
}

/**
 * Takes the value of `value` synchronously: a `Pending` is waited for, an array is waited for
 * element by element (like `Promise.all`: all requests are already in flight), anything else is
 * returned as is. A native promise cannot be waited for inside a synchronous export, so it is a
 * `TypeError`.
 */
export function wait(value) {
  if (value instanceof Pending) {
    return value.wait();
  }
  if (Array.isArray(value)) {
    return value.map(wait);
  }
  const thenable = value !== null && (typeof value === 'object' || typeof value === 'function') && 'then' in value;
  if (thenable && typeof value.then === 'function') {
    throw new TypeError(
      'cannot wait for a native promise: QuickJS runs no promise jobs inside a synchronous export; ' +
        "yield (or wait for) the helper's fetch and body promises, and write the activity as function*",
    );
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Errors

/** An HTTP request that failed: `code` is the WIT `error-code` case name. */
export class HttpError extends Error {
  /**
   * `method` and `origin` (`<scheme>://<host>:<port>`) name the request; `errorCode` is the WIT
   * variant as the bindings give it (`{ tag, val }`).
   */
  constructor(method, origin, errorCode) {
    const code = errorCode.tag;
    const text = code === 'internal-error' && typeof errorCode.val === 'string' ? ` (${errorCode.val})` : '';
    super(`${method} ${origin}: ${code}${text}`);
    this.name = 'HttpError';
    this.code = code;
    /** The case's payload, if any (e.g. `{ rcode, infoCode }` for `DNS-error`). */
    this.detail = errorCode.val;
    this.method = method;
    this.origin = origin;
  }
}

/** The WIT value a failed import call threw (the bindings throw an `Error` with `.payload`). */
function payloadOf(error) {
  return error !== null && typeof error === 'object' && 'payload' in error ? error.payload : undefined;
}

/** `error` as an HttpError: its WIT error-code if it carries one, else `internal-error`. */
function httpError(request, error) {
  if (error instanceof HttpError) {
    return error;
  }
  const payload = payloadOf(error);
  const errorCode =
    payload !== null && typeof payload === 'object' && typeof payload.tag === 'string'
      ? payload
      : { tag: 'internal-error', val: error instanceof Error ? error.message : String(error) };
  return new HttpError(request.method, request.origin, errorCode);
}

// ---------------------------------------------------------------------------------------------
// Text

// QuickJS interprets: a loop over every byte costs about 0.2 µs a turn. So the common cases go
// through native builtins (`encodeURIComponent`, `decodeURIComponent`, `escape`, `unescape`,
// `String.fromCharCode.apply`), and the byte loops handle only malformed text.

/** How many bytes `String.fromCharCode.apply` is given at once. */
const APPLY_CHUNK = 8192;

/** A "binary string" (one char per byte, U+0000..U+00FF) from bytes. */
function bytesToBinary(bytes) {
  const parts = [];
  for (let i = 0; i < bytes.length; i += APPLY_CHUNK) {
    parts.push(String.fromCharCode.apply(null, bytes.subarray(i, i + APPLY_CHUNK)));
  }
  return parts.join('');
}

/** UTF-8 bytes of a string (lone surrogates become U+FFFD, as TextEncoder does). */
export function encodeUtf8(text) {
  let binary;
  try {
    binary = unescape(encodeURIComponent(text));
  } catch {
    return encodeUtf8Slowly(text); // a lone surrogate
  }
  // The one loop left (no builtin turns a string into bytes): about 0.2 s per MB.
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    out[i] = binary.charCodeAt(i);
  }
  return out;
}

function encodeUtf8Slowly(text) {
  // At most 3 bytes per UTF-16 unit (a surrogate pair: 4 bytes for 2 units).
  const out = new Uint8Array(text.length * 3);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      c = 0xfffd;
    }
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    } else {
      out[n++] = 0xf0 | (c >> 18);
      out[n++] = 0x80 | ((c >> 12) & 0x3f);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    }
  }
  return out.slice(0, n);
}

/**
 * A string from UTF-8 bytes, as TextDecoder (and fetch's `text()`) gives it: malformed sequences
 * become U+FFFD and a leading byte order mark is dropped.
 */
export function decodeUtf8(bytes) {
  const binary = bytesToBinary(bytes);
  if (!/[\x80-\xff]/.test(binary)) {
    return binary; // ASCII
  }
  let text;
  try {
    text = decodeURIComponent(escape(binary));
  } catch {
    text = decodeUtf8Slowly(bytes); // malformed UTF-8
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function decodeUtf8Slowly(bytes) {
  let units = [];
  const parts = [];
  const push = (unit) => {
    units.push(unit);
    if (units.length >= APPLY_CHUNK) {
      parts.push(String.fromCharCode.apply(null, units));
      units = [];
    }
  };
  // As the WHATWG decoder does: each maximal invalid subpart becomes one U+FFFD, and a byte
  // that breaks a sequence off starts the next one.
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i++];
    if (b < 0x80) {
      push(b);
      continue;
    }
    let need = 0;
    let c = 0;
    // The range of the next byte: narrower after E0, ED, F0, F4 (no overlong forms, no
    // surrogates, nothing past U+10FFFF).
    let lower = 0x80;
    let upper = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) {
      [need, c] = [1, b & 0x1f];
    } else if (b >= 0xe0 && b <= 0xef) {
      [need, c] = [2, b & 0x0f];
      lower = b === 0xe0 ? 0xa0 : lower;
      upper = b === 0xed ? 0x9f : upper;
    } else if (b >= 0xf0 && b <= 0xf4) {
      [need, c] = [3, b & 0x07];
      lower = b === 0xf0 ? 0x90 : lower;
      upper = b === 0xf4 ? 0x8f : upper;
    }
    let complete = need > 0;
    for (let k = 0; k < need; k++) {
      const next = bytes[i];
      if (next === undefined || next < lower || next > upper) {
        complete = false;
        break;
      }
      c = (c << 6) | (next & 0x3f);
      i++;
      lower = 0x80;
      upper = 0xbf;
    }
    if (!complete) {
      push(0xfffd);
    } else if (c >= 0x10000) {
      c -= 0x10000;
      push(0xd800 + (c >> 10));
      push(0xdc00 + (c & 0x3ff));
    } else {
      push(c);
    }
  }
  parts.push(String.fromCharCode.apply(null, units));
  return parts.join('');
}

// ---------------------------------------------------------------------------------------------
// Headers

/** Leading and trailing HTTP whitespace (what fetch strips from header values). */
const HTTP_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/**
 * Header fields, as in fetch: names are case-insensitive (kept lowercase), `get` joins repeated
 * values with `, `, iteration yields `[name, value]` sorted by name with repeats joined
 * (`set-cookie` lines stay separate, see `getSetCookie`).
 */
export class Headers {
  #fields = [];

  /** `init`: another Headers, an array of `[name, value]`, a Map or a plain object. */
  constructor(init) {
    if (init === undefined || init === null) {
      return;
    }
    if (init instanceof Headers || init instanceof Map || Array.isArray(init)) {
      for (const pair of init instanceof Headers ? init.raw() : init instanceof Map ? init.entries() : init) {
        if (!Array.isArray(pair) || pair.length !== 2) {
          throw new TypeError('a header must be a [name, value] pair');
        }
        this.append(pair[0], pair[1]);
      }
    } else if (typeof init === 'object') {
      for (const [name, value] of Object.entries(init)) {
        this.append(name, value);
      }
    } else {
      throw new TypeError('headers must be an object, an array of [name, value] pairs, a Map or Headers');
    }
  }

  /** Adds a value (a repeated header keeps every value). */
  append(name, value) {
    this.#fields.push([String(name).toLowerCase(), String(value).replace(HTTP_WHITESPACE, '')]);
  }

  /** Replaces every value of `name` with `value`. */
  set(name, value) {
    this.delete(name);
    this.append(name, value);
  }

  delete(name) {
    const key = String(name).toLowerCase();
    this.#fields = this.#fields.filter(([n]) => n !== key);
  }

  /** The values of `name` joined with `, `, or null when absent. */
  get(name) {
    const key = String(name).toLowerCase();
    const values = this.#fields.filter(([n]) => n === key).map(([, v]) => v);
    return values.length === 0 ? null : values.join(', ');
  }

  getSetCookie() {
    return this.#fields.filter(([n]) => n === 'set-cookie').map(([, v]) => v);
  }

  has(name) {
    const key = String(name).toLowerCase();
    return this.#fields.some(([n]) => n === key);
  }

  /** Every `[name, value]` line in insertion order, repeats not joined (what goes on the wire). */
  raw() {
    return this.#fields.map(([n, v]) => [n, v]);
  }

  *entries() {
    const names = [...new Set(this.#fields.map(([n]) => n))].sort();
    for (const name of names) {
      if (name === 'set-cookie') {
        for (const value of this.getSetCookie()) {
          yield [name, value];
        }
      } else {
        yield [name, this.get(name)];
      }
    }
  }

  *keys() {
    for (const [name] of this.entries()) {
      yield name;
    }
  }

  *values() {
    for (const [, value] of this.entries()) {
      yield value;
    }
  }

  forEach(callback, thisArg) {
    for (const [name, value] of this.entries()) {
      callback.call(thisArg, value, name, this);
    }
  }

  [Symbol.iterator]() {
    return this.entries();
  }
}

// ---------------------------------------------------------------------------------------------
// Requests

/** The methods fetch normalizes to upper case whatever case they are given in. */
const NORMALIZED_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'];
/** Methods with a case of their own in the WIT `method` variant (matched exactly). */
const WIT_METHODS = {
  GET: 'get',
  HEAD: 'head',
  POST: 'post',
  PUT: 'put',
  DELETE: 'delete',
  OPTIONS: 'options',
  PATCH: 'patch',
};
/** An HTTP token (RFC 9110): what a method or header name may be made of. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Scheme, authority, path and query, fragment. */
const URL_PARTS = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^#]*)(?:#.*)?$/;
/** Host (a name, an IPv4 address or a bracketed IPv6 address) and optional port. */
const AUTHORITY = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)(?::([0-9]*))?$/;
/** A byte that may appear as is in a request target; anything else is percent-encoded. */
const TARGET_BYTE = /[!#$%&'()*+,\-./0-9:;=?@A-Z[\]_a-z~]/;

/** The request `fetch` sends, checked and normalized; throws TypeError if it cannot be sent. */
function prepare(url, init) {
  const parts = URL_PARTS.exec(String(url).trim());
  if (!parts) {
    throw new TypeError(`invalid URL: ${url}`);
  }
  const scheme = parts[1].toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') {
    throw new TypeError(`unsupported URL scheme: ${scheme} (http and https only)`);
  }
  if (parts[2].includes('@')) {
    throw new TypeError(`a URL with credentials cannot be fetched: ${url}`);
  }
  const authority = AUTHORITY.exec(parts[2]);
  if (!authority) {
    throw new TypeError(`invalid host in URL: ${url}`);
  }
  const host = authority[1].toLowerCase();
  const portText = authority[2] ?? '';
  const port = portText === '' ? (scheme === 'https' ? 443 : 80) : Number(portText);
  if (!Number.isInteger(port) || port > 65535) {
    throw new TypeError(`invalid port in URL: ${url}`);
  }
  let pathWithQuery = '';
  for (const byte of encodeUtf8(parts[3])) {
    const c = String.fromCharCode(byte);
    pathWithQuery += TARGET_BYTE.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (!pathWithQuery.startsWith('/')) {
    pathWithQuery = `/${pathWithQuery}`;
  }

  let method = init.method === undefined ? 'GET' : String(init.method);
  if (!TOKEN.test(method)) {
    throw new TypeError(`invalid method: ${method}`);
  }
  if (NORMALIZED_METHODS.includes(method.toUpperCase())) {
    method = method.toUpperCase();
  }
  if (['CONNECT', 'TRACE', 'TRACK'].includes(method.toUpperCase())) {
    throw new TypeError(`forbidden method: ${method}`);
  }

  const headers = new Headers(init.headers);
  let body;
  if (init.body !== undefined && init.body !== null) {
    if (method === 'GET' || method === 'HEAD') {
      throw new TypeError(`a ${method} request cannot have a body`);
    }
    if (typeof init.body === 'string') {
      body = encodeUtf8(init.body);
    } else if (init.body instanceof ArrayBuffer) {
      body = new Uint8Array(init.body);
    } else if (ArrayBuffer.isView(init.body)) {
      body = new Uint8Array(init.body.buffer, init.body.byteOffset, init.body.byteLength);
    } else {
      throw new TypeError('a body must be a string, an ArrayBuffer or a typed array');
    }
    if (!headers.has('content-length')) {
      headers.set('content-length', String(body.length));
    }
  }

  return {
    url: String(url),
    method,
    scheme,
    authority: portText === '' ? host : `${host}:${port}`,
    origin: `${scheme}://${host}:${port}`,
    pathWithQuery,
    headers,
    body,
  };
}

/** Drops a resource now rather than when the instance ends (child resources first). */
function dispose(resource) {
  if (resource !== null && resource !== undefined && typeof resource[Symbol.dispose] === 'function') {
    resource[Symbol.dispose]();
  }
}

/** How much one `blocking-read` asks for. */
const READ_CHUNK = 65536;

/** Hands the request to the host and writes its body; returns the future response. */
function send(request) {
  let fields;
  try {
    fields = Fields.fromList(request.headers.raw().map(([name, value]) => [name, encodeUtf8(value)]));
  } catch (e) {
    // header-error: invalid-syntax or forbidden (host, connection, transfer-encoding, ...).
    const why = payloadOf(e)?.tag ?? (e instanceof Error ? e.message : String(e));
    throw new TypeError(`the request headers were refused: ${why}`);
  }
  const outgoing = new OutgoingRequest(fields);
  const set = (what, apply) => {
    try {
      apply();
    } catch {
      throw new TypeError(`invalid ${what} for ${request.url}`);
    }
  };
  const witMethod = WIT_METHODS[request.method];
  set('method', () => outgoing.setMethod(witMethod ? { tag: witMethod } : { tag: 'other', val: request.method }));
  set('scheme', () => outgoing.setScheme({ tag: request.scheme === 'https' ? 'HTTPS' : 'HTTP' }));
  set('authority', () => outgoing.setAuthority(request.authority));
  set('path', () => outgoing.setPathWithQuery(request.pathWithQuery));
  const body = outgoing.body();

  let future;
  try {
    future = handle(outgoing, undefined);
  } catch (e) {
    dispose(body);
    throw httpError(request, e);
  }

  // The body goes out after `handle`: the host reads it while sending, so a body larger than
  // its buffer cannot block before the request exists. A write that fails (the host refused
  // the request, the server closed) stops writing; the response then says why.
  const stream = body.write();
  try {
    const bytes = request.body ?? new Uint8Array(0);
    let offset = 0;
    while (offset < bytes.length) {
      // As much as the host will take now (`check-write`), else wait until it takes more.
      const budget = Number(stream.checkWrite());
      if (budget === 0) {
        const ready = stream.subscribe();
        ready.block();
        dispose(ready);
        continue;
      }
      const end = Math.min(bytes.length, offset + budget);
      stream.write(bytes.subarray(offset, end));
      offset = end;
    }
    stream.blockingFlush();
  } catch {
    // Reported through the response.
  }
  dispose(stream);
  try {
    OutgoingBody.finish(body, undefined);
  } catch {
    // Reported through the response.
  }
  return future;
}

/** Blocks until the host has the response head; throws HttpError if the request failed. */
function receive(request, future) {
  const pollable = future.subscribe();
  pollable.block();
  dispose(pollable);
  const outcome = future.get();
  dispose(future);
  if (outcome === null || outcome === undefined || outcome.tag !== 'ok') {
    const errorCode = { tag: 'internal-error', val: 'the response was already taken' };
    throw new HttpError(request.method, request.origin, errorCode);
  }
  if (outcome.val.tag === 'err') {
    throw new HttpError(request.method, request.origin, outcome.val.val);
  }
  const incoming = outcome.val.val;
  const fields = incoming.headers();
  const headers = new Headers(fields.entries().map(([name, value]) => [name, decodeUtf8(value)]));
  dispose(fields);
  return new Response(request, incoming.status(), headers, incoming);
}

/** Reads a response body to its end; throws HttpError if it breaks off or is over a limit. */
function readBody(request, incoming) {
  const body = incoming.consume();
  const stream = body.stream();
  const chunks = [];
  let length = 0;
  try {
    for (;;) {
      let chunk;
      try {
        chunk = stream.blockingRead(READ_CHUNK);
      } catch (e) {
        const streamError = payloadOf(e);
        if (streamError?.tag === 'closed') {
          break; // the end of the body
        }
        if (streamError?.tag !== 'last-operation-failed') {
          throw httpError(request, e);
        }
        const ioError = streamError.val;
        const errorCode = httpErrorCode(ioError) ?? { tag: 'internal-error', val: ioError.toDebugString() };
        dispose(ioError);
        throw new HttpError(request.method, request.origin, errorCode);
      }
      chunks.push(chunk);
      length += chunk.length;
    }
  } finally {
    // Children before parents: the stream, then the body (finished), then the response.
    dispose(stream);
    dispose(IncomingBody.finish(body));
    dispose(incoming);
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Responses

/** A response: status and headers at once, the body read when first asked for. */
export class Response {
  #request;
  #incoming;

  constructor(request, status, headers, incoming) {
    this.#request = request;
    this.#incoming = incoming;
    this.url = request.url;
    this.status = status;
    /** wasi:http gives no reason phrase. */
    this.statusText = '';
    this.ok = status >= 200 && status <= 299;
    /** Redirects are not followed: a 3xx is the response. */
    this.redirected = false;
    this.headers = headers;
    this.bodyUsed = false;
  }

  /** The whole body as bytes (a Pending). Reading a body twice is a TypeError, as in fetch. */
  bytes() {
    if (this.bodyUsed) {
      return Pending.reject(new TypeError('the response body has already been read'));
    }
    this.bodyUsed = true;
    const incoming = this.#incoming;
    this.#incoming = undefined;
    return new Pending(() => readBody(this.#request, incoming));
  }

  arrayBuffer() {
    const bytes = this.bytes();
    return new Pending(() => {
      const b = bytes.wait();
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    });
  }

  /** The body decoded as UTF-8 (a Pending). */
  text() {
    const bytes = this.bytes();
    return new Pending(() => decodeUtf8(bytes.wait()));
  }

  /** The body parsed as JSON (a Pending); a SyntaxError if it is not JSON. */
  json() {
    const text = this.text();
    return new Pending(() => JSON.parse(text.wait()));
  }
}

/**
 * Sends a request: `init` takes `method` (default GET), `headers` (object, pairs, Map or
 * Headers) and `body` (string, ArrayBuffer or typed array). The request is with the host when
 * this returns; the returned Pending gives the Response once its head has arrived, or fails with
 * HttpError (or TypeError for a request that cannot be built).
 */
export function fetch(url, init = {}) {
  let request;
  let future;
  try {
    request = prepare(url, init ?? {});
    future = send(request);
  } catch (e) {
    return Pending.reject(e);
  }
  return new Pending(() => receive(request, future));
}
