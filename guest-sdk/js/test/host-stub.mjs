// Stands in for the host's `host`, `activity-host` and `config` interfaces: records what the
// guest sends, answers heartbeats with `stub.status` and config reads from `stub.config`.
export const stub = {
  logged: [],
  heartbeats: [],
  status: 'ok',
  /** Granted values by key (a key that is absent has no value: `none`). */
  config: {},
  /** Keys answered with a config-error, as the WIT variant (`{ tag: 'undeclared' }`, ...). */
  configErrors: {},
};

export function log(level, message) {
  stub.logged.push([level, message]);
}

export function heartbeat(details) {
  stub.heartbeats.push(details);
  return stub.status;
}

/** As the QuickJS bindings do: the ok payload is returned, the err payload thrown on an Error. */
export function get(key) {
  if (key in stub.configErrors) {
    const error = new Error('[object Object] (see error.payload)');
    error.payload = stub.configErrors[key];
    throw error;
  }
  return key in stub.config ? stub.config[key] : null;
}
