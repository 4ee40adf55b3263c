// Lets the helper's WIT imports ('swfwasm:plugin/…', 'wasi:http/…') resolve outside a
// component: node loads the stubs for them (see hooks.mjs). Used as `node --import ./test/register.mjs`.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
