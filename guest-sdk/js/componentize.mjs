#!/usr/bin/env node
// Builds one JavaScript plugin into a component:
//
//   node guest-sdk/js/componentize.mjs <source.js> <decider|activity> <out.wasm>
//
// Run from the repository root (the module root, so plugins can import the helper in
// guest-sdk/js).
//
// Two engines. Plugins are built with `jco componentize --backend quickjs` (small, fast to
// instantiate), except deciders that import the flow API (guest-sdk/js/flow.js): QuickJS runs no
// promise jobs inside a synchronous export, and the flow API's replay is made of them (the
// workflow is an `async function`). Those are built with ComponentizeJS (StarlingMonkey), which
// runs the event loop inside `decide` until the promise it returns settles: the source is first
// bundled into one module with rolldown (ComponentizeJS embeds a single module), then
// componentized against the decider world alone (ComponentizeJS's WIT parser cannot read the
// WASI 0.2.12 packages in guest-sdk/wit/deps, which a decider does not import). ComponentizeJS
// runs its WIT step under a WASI shim that sees only the working directory, so it runs in the
// scratch directory with relative paths; its preview2-shim is pinned at 0.25.0 in package.json
// (with 0.26 that shim sees no directory at all). (ComponentizeJS 0.19.3, which jco also carries, traps
// in `post_decide` after some replays: a runtime bug fixed by 0.22.)
//
// QuickJS details:
// Why not just jco: componentize-qjs (0.4.5, what jco 1.35 uses) pre-initializes the component
// with Wizer in a wasmtime linker that first defines every import as a trap stub, each stub
// resource as one placeholder type, and then shadows them with the real wasi p2 interfaces.
// `wasi:http/types` is not a wasi p2 interface, so it stays a stub, and its `input-stream`,
// `output-stream`, `pollable` and `io-error` (which WIT says *are* the `wasi:io` resources) no
// longer match the real `wasi:io` ones: instantiation fails ("instance export `input-stream`
// has the wrong type: mismatched resource types") before any JavaScript runs. Every activity
// (its world imports `wasi:http/outgoing-handler`) hits this, whether it uses HTTP or not.
//
// The workaround, for activities: build against a copy of guest-sdk/wit whose non-HTTP WASI
// packages (io, clocks, ...) are parked at a version wasmtime-wasi does not serve (1.2.12), so
// Wizer stubs them together with wasi:http and the stubs agree; then rename those imports in the
// finished component to a version the host does serve, 0.2.11: semver-compatible with the
// 0.2.12 the host implements (wasmtime matches 0.2.x imports to it), and distinct from the 0.2.12
// the QuickJS runtime itself imports, so no import name is doubled. Both versions have the same
// length, so the rename is a byte-for-byte replacement of names. The component then imports
// `wasi:io/{error,poll,streams}@0.2.11` and `wasi:clocks/monotonic-clock@0.2.11` next to the
// runtime's @0.2.12 ones; the host links both to the same implementation, so wasi:http's
// resources are wasi:io's again. Drop this once componentize-qjs links wasi:http at
// pre-initialization.

import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const jco = join(here, 'node_modules/.bin/jco');

/** The WASI packages wasmtime-wasi serves at pre-initialization (everything but wasi:http). */
const PARKED_PACKAGES = ['io', 'clocks', 'random', 'cli', 'filesystem', 'sockets'];

function fail(message) {
  console.error(`componentize: ${message}`);
  process.exit(1);
}

/** `package wasi:io@X` in the WIT deps: the WASI version the contract uses. */
function wasiVersion(deps) {
  const io = readFileSync(join(deps, 'io.wit'), 'utf8');
  const version = /^package wasi:io@(\d+\.\d+\.\d+);/m.exec(io)?.[1];
  if (!version) {
    fail(`no "package wasi:io@x.y.z;" in ${join(deps, 'io.wit')}`);
  }
  return version;
}

/** Matches `wasi:<parked package>[/<interface>]@<version>`, capturing the name before `@`. */
function namesAt(version) {
  const escaped = version.replace(/\./g, '\\.');
  return new RegExp(`(wasi:(?:${PARKED_PACKAGES.join('|')})(?:/[a-z0-9-]+)?)@${escaped}`, 'g');
}

const [source, world, out] = process.argv.slice(2);
if (!source || !['decider', 'activity'].includes(world) || !out) {
  fail('usage: componentize.mjs <source.js> <decider|activity> <out.wasm>');
}

/** Whether `path` imports the flow API (a module path ending in `flow.js`). */
function usesFlowApi(path) {
  return /^\s*import\b[^;]*['"][^'"]*\bflow\.js['"]/m.test(readFileSync(path, 'utf8'));
}

/** guest-sdk/wit/plugin.wit without the activity world (and its doc comment). */
function deciderOnlyWit(wit) {
  const text = readFileSync(join(wit, 'plugin.wit'), 'utf8');
  const start = text.search(/^(?:\/\/\/.*\n)*world activity \{/m);
  const end = text.indexOf('\n}', start);
  if (start < 0 || end < 0) {
    fail(`no "world activity {...}" in ${join(wit, 'plugin.wit')}: has the WIT changed?`);
  }
  return text.slice(0, start) + text.slice(end + 2);
}

/** Builds a flow decider with ComponentizeJS; see the top of this file. */
async function componentizeFlowDecider(source, out, scratch) {
  const { rolldown } = await import('rolldown');
  const bundle = await rolldown({ input: resolve(source), external: [/^swfwasm:/, /^wasi:/], logLevel: 'warn' });
  await bundle.write({ file: join(scratch, 'decider.js'), format: 'esm' });
  await bundle.close();
  writeFileSync(join(scratch, 'plugin.wit'), deciderOnlyWit(join(root, 'guest-sdk/wit')));
  const cli = join(here, 'node_modules/@bytecodealliance/componentize-js/src/cli.js');
  const args = [cli, '--wit', 'plugin.wit', '--world-name', 'decider', '-d', 'http', '-d', 'fetch-event'];
  const run = spawnSync(process.execPath, [...args, '-o', resolve(out), 'decider.js'], {
    cwd: scratch,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (run.status !== 0) {
    fail(`ComponentizeJS failed for ${source}`);
  }
}

if (world === 'decider' && usesFlowApi(source)) {
  const scratch = mkdtempSync(join(tmpdir(), 'swfwasm-componentize-'));
  try {
    await componentizeFlowDecider(source, out, scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  process.exit(0);
}

const wit = join(root, 'guest-sdk/wit');
const scratch = mkdtempSync(join(tmpdir(), 'swfwasm-componentize-'));
try {
  let buildWit = wit;
  let buildOut = resolve(out);
  let park;
  if (world === 'activity') {
    const version = wasiVersion(join(wit, 'deps'));
    const [major, minor, patch] = version.split('.').map(Number);
    const parked = `${major + 1}.${minor}.${patch}`;
    const target = `${major}.${minor}.${patch - 1}`;
    if (patch === 0 || parked.length !== version.length || target.length !== version.length) {
      fail(`cannot park WASI ${version} at a version of the same length; adjust componentize.mjs`);
    }
    buildWit = join(scratch, 'wit');
    cpSync(wit, buildWit, { recursive: true });
    const deps = join(buildWit, 'deps');
    for (const file of readdirSync(deps).filter((f) => f.endsWith('.wit'))) {
      const path = join(deps, file);
      writeFileSync(path, readFileSync(path, 'utf8').replace(namesAt(version), `$1@${parked}`));
    }
    buildOut = join(scratch, 'component.wasm');
    park = { parked, target };
  }

  // --cwd: the module root, so plugins can import the helper in guest-sdk/js.
  const args = ['componentize', resolve(source), '--cwd', root, '--wit', buildWit, '--world-name', world];
  const jcoRun = spawnSync(jco, [...args, '--backend', 'quickjs', '--out', buildOut], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (jcoRun.status !== 0) {
    fail(`jco componentize failed for ${source}`);
  }

  if (park) {
    // Names are length-prefixed strings in the component; the replacement keeps every length.
    const bytes = readFileSync(buildOut).toString('latin1');
    let renamed = 0;
    const patched = bytes.replace(namesAt(park.parked), (_, name) => {
      renamed++;
      return `${name}@${park.target}`;
    });
    if (renamed === 0) {
      fail(`no wasi:*@${park.parked} import in the built ${source}: has the WIT changed?`);
    }
    writeFileSync(resolve(out), Buffer.from(patched, 'latin1'));
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
