// Stands in for `wasi:http/outgoing-handler@0.2.12` and `wasi:http/types@0.2.12` (and the
// wasi:io resources they hand out) the way the QuickJS bindings present them: resources are
// classes, a failed `result` is thrown as an Error carrying `.payload`, `option` is a value or
// null, variants are `{ tag, val }`, `list<u8>` is a Uint8Array, and passing a resource where
// WIT says `own` transfers it. It records the requests the guest builds and answers them with
// `http.respond(request)`.
//
//   http.respond = (request) => ({ status, headers: [[name, value]], body: 'text' })
//                             | ({ error: { tag: 'HTTP-request-denied' } })
//                             | ({ status, headers, body, bodyError: { tag: ... } })  (breaks off)

export const http = {
  /** One record per `handle`: method, scheme, authority, pathWithQuery, headers, body, finished. */
  requests: [],
  /** What happened, in order: `handle <path>`, `block <path>`, `read <path>`. */
  events: [],
  /** Answers a request (called when the guest takes the response). */
  respond: () => ({ status: 200, headers: [], body: '' }),
  /** An error-code `handle` itself returns, or null. */
  handleError: null,
  /** Budgets `check-write` reports, one per call (4096 when empty). */
  budgets: [],
  /** How many bytes one `blocking-read` returns at most (small, so reads split characters). */
  readChunk: 5,
  /** Resources handed to the guest and neither dropped nor given back. */
  live: new Set(),
};

/** Forgets everything (for beforeEach). */
export function reset() {
  http.requests.length = 0;
  http.events.length = 0;
  http.respond = () => ({ status: 200, headers: [], body: '' });
  http.handleError = null;
  http.budgets.length = 0;
  http.readChunk = 5;
  http.live.clear();
}

function witError(payload) {
  const error = new Error(`${payload === undefined ? 'undefined' : '[object Object]'} (see error.payload)`);
  error.payload = payload;
  return error;
}

const text = new TextEncoder();
const FORBIDDEN = [
  'connection',
  'host',
  'http2-settings',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
];
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A resource: tracked in `http.live` until dropped or transferred. */
class Resource {
  constructor() {
    http.live.add(this);
  }

  [Symbol.dispose]() {
    http.live.delete(this);
  }
}

/** Passing a resource as `own`: the guest no longer holds it. */
function take(resource, Type) {
  if (!(resource instanceof Type) || !http.live.has(resource)) {
    throw new TypeError(`expected a live ${Type.name}`);
  }
  http.live.delete(resource);
  return resource;
}

export class Pollable extends Resource {
  constructor(onBlock) {
    super();
    this.onBlock = onBlock;
  }

  ready() {
    return true;
  }

  block() {
    this.onBlock?.();
  }
}

export class IoError extends Resource {
  constructor(code) {
    super();
    this.code = code;
  }

  toDebugString() {
    return 'stub io error';
  }
}

export function httpErrorCode(error) {
  return error.code ?? null;
}

export class Fields extends Resource {
  constructor(entries = []) {
    super();
    this.list = entries;
  }

  static fromList(entries) {
    for (const [name, value] of entries) {
      if (!(value instanceof Uint8Array)) {
        throw new TypeError('a field value is a Uint8Array');
      }
      if (!TOKEN.test(name)) {
        throw witError({ tag: 'invalid-syntax' });
      }
      if (FORBIDDEN.includes(name.toLowerCase())) {
        throw witError({ tag: 'forbidden' });
      }
    }
    return new Fields(entries.map(([name, value]) => [name, value]));
  }

  entries() {
    return this.list.map(([name, value]) => [name, value]);
  }
}

export class OutgoingRequest extends Resource {
  constructor(headers) {
    super();
    this.record = {
      method: { tag: 'get' },
      scheme: null,
      authority: null,
      pathWithQuery: null,
      headers: take(headers, Fields)
        .entries()
        .map(([name, value]) => [name, new TextDecoder().decode(value)]),
      body: new Uint8Array(0),
      finished: false,
    };
    this.bodyTaken = false;
  }

  setMethod(method) {
    this.record.method = method;
  }

  setScheme(scheme) {
    this.record.scheme = scheme;
  }

  setAuthority(authority) {
    if (/\s/.test(authority)) {
      throw witError(undefined);
    }
    this.record.authority = authority;
  }

  setPathWithQuery(path) {
    this.record.pathWithQuery = path;
  }

  body() {
    if (this.bodyTaken) {
      throw witError(undefined);
    }
    this.bodyTaken = true;
    return new OutgoingBody(this.record);
  }
}

export class OutputStream extends Resource {
  constructor(record) {
    super();
    this.record = record;
    this.allowed = 0;
  }

  checkWrite() {
    this.allowed = http.budgets.length > 0 ? http.budgets.shift() : 4096;
    return this.allowed;
  }

  write(bytes) {
    if (bytes.length > this.allowed) {
      throw new Error(`wrote ${bytes.length} bytes where check-write allowed ${this.allowed}`);
    }
    const body = new Uint8Array(this.record.body.length + bytes.length);
    body.set(this.record.body);
    body.set(bytes, this.record.body.length);
    this.record.body = body;
    this.allowed -= bytes.length;
  }

  blockingFlush() {}

  subscribe() {
    return new Pollable(() => http.events.push(`write-wait ${this.record.pathWithQuery}`));
  }
}

export class OutgoingBody extends Resource {
  constructor(record) {
    super();
    this.record = record;
  }

  write() {
    return new OutputStream(this.record);
  }

  static finish(body, trailers) {
    take(body, OutgoingBody).record.finished = true;
    if (trailers !== undefined && trailers !== null) {
      throw new Error('no trailers expected');
    }
  }
}

export class FutureIncomingResponse extends Resource {
  constructor(record) {
    super();
    this.record = record;
    this.taken = false;
  }

  subscribe() {
    return new Pollable(() => http.events.push(`block ${this.record.pathWithQuery}`));
  }

  get() {
    if (this.taken) {
      return { tag: 'err' };
    }
    this.taken = true;
    const answer = http.respond(this.record);
    if (answer.error) {
      return { tag: 'ok', val: { tag: 'err', val: answer.error } };
    }
    return { tag: 'ok', val: { tag: 'ok', val: new IncomingResponse(this.record, answer) } };
  }
}

export class IncomingResponse extends Resource {
  constructor(record, answer) {
    super();
    this.record = record;
    this.answer = answer;
    this.consumed = false;
  }

  status() {
    return this.answer.status;
  }

  headers() {
    return new Fields((this.answer.headers ?? []).map(([name, value]) => [name, text.encode(value)]));
  }

  consume() {
    if (this.consumed) {
      throw witError(undefined);
    }
    this.consumed = true;
    return new IncomingBody(this.record, this.answer);
  }
}

export class IncomingBody extends Resource {
  constructor(record, answer) {
    super();
    this.record = record;
    this.answer = answer;
  }

  stream() {
    const body = this.answer.body;
    const bytes = typeof body === 'string' ? text.encode(body) : (body ?? new Uint8Array(0));
    return new InputStream(this.record, bytes, this.answer.bodyError);
  }

  static finish(body) {
    take(body, IncomingBody);
    return new FutureTrailers();
  }
}

export class InputStream extends Resource {
  constructor(record, bytes, error) {
    super();
    this.record = record;
    this.bytes = bytes;
    this.error = error;
    this.offset = 0;
  }

  blockingRead(length) {
    if (typeof length !== 'number') {
      throw new TypeError('a read length is a number');
    }
    http.events.push(`read ${this.record.pathWithQuery}`);
    if (this.offset >= this.bytes.length) {
      throw witError(this.error ? { tag: 'last-operation-failed', val: new IoError(this.error) } : { tag: 'closed' });
    }
    const chunk = this.bytes.slice(this.offset, this.offset + Math.min(length, http.readChunk));
    this.offset += chunk.length;
    return chunk;
  }
}

export class FutureTrailers extends Resource {}

export function handle(request, options) {
  const { record } = take(request, OutgoingRequest);
  if (options !== undefined && options !== null) {
    throw new Error('no request options expected');
  }
  if (http.handleError) {
    throw witError(http.handleError);
  }
  http.requests.push(record);
  http.events.push(`handle ${record.pathWithQuery}`);
  return new FutureIncomingResponse(record);
}
