// Module resolution hook: every `swfwasm:plugin/*` import is the recording stub.
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('swfwasm:plugin/')) {
    return { url: new URL('./host-stub.mjs', import.meta.url).href, shortCircuit: true };
  }
  return next(specifier, context);
}
