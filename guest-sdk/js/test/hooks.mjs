// Module resolution hook: the WIT imports resolve to recording stubs, `swfwasm:plugin/*` to
// host-stub.mjs and `wasi:http/*` to http-stub.mjs.
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('swfwasm:plugin/')) {
    return { url: new URL('./host-stub.mjs', import.meta.url).href, shortCircuit: true };
  }
  if (specifier.startsWith('wasi:http/')) {
    return { url: new URL('./http-stub.mjs', import.meta.url).href, shortCircuit: true };
  }
  return next(specifier, context);
}
