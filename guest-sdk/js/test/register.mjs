// Lets the helper's WIT imports ('swfwasm:plugin/…') resolve outside a component: node loads
// ./host-stub.mjs for them (see hooks.mjs). Used as `node --import ./test/register.mjs`.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
