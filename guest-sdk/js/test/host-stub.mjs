// Stands in for the host's `host` and `activity-host` interfaces: records what the guest sends
// and answers heartbeats with `stub.status`.
export const stub = { logged: [], heartbeats: [], status: 'ok' };

export function log(level, message) {
  stub.logged.push([level, message]);
}

export function heartbeat(details) {
  stub.heartbeats.push(details);
  return stub.status;
}
