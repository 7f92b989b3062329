#!/usr/bin/env node
// Trunk post-build hook (Trunk.toml): makes the built page load under its
// Content-Security-Policy, which forbids every connection (connect-src 'none') and thus
// fetch() of the .wasm file:
//  1. the wasm bytes become a same-origin script module (`<name>_bg.wasm.js`, base64), with
//     the glue's text for the workers (made from blob: URLs, they import nothing over the wire);
//  2. web/boot.js, with the hashed file names filled in, becomes `boot-<hash>.js`;
//  3. index.html gets `<script type="module" src="boot-<hash>.js">` (no inline script, which
//     the policy would block; trunk's own injection is off: inject_scripts = false);
//  4. the .wasm file itself is removed (nothing loads it);
//  5. the face detector's and the person mask's weights become `models-<hash>.js` (base64),
//     which the loader imports when the first Web Worker starts;
//  6. release builds only: a second variant of the app built with wasm SIMD
//     (`-C target-feature=+simd128`, in its own cargo target dir `<target>/simd128`), as
//     `<stem>-simd.js` + `<stem>-simd_bg.wasm.js`; the loader picks it when the browser
//     validates a SIMD module, else the baseline (iOS Safari before 16.4 has no wasm SIMD).
//     SMP_SIMD=0 skips it (quick local builds); a failed SIMD build fails the whole build.
// Runs in trunk's staging directory (TRUNK_STAGING_DIR), or on a directory given as argument.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = process.argv[2] || process.env.TRUNK_STAGING_DIR;
const base = process.env.TRUNK_PUBLIC_URL || '/';
if (!dir) throw new Error('post-build: no staging directory (TRUNK_STAGING_DIR)');

const files = fs.readdirSync(dir);
const wasm = files.filter((f) => /^smp-tryon-[0-9a-f]+_bg\.wasm$/.test(f));
if (wasm.length !== 1) throw new Error(`post-build: expected one smp-tryon-*_bg.wasm in ${dir}, found ${wasm.join(', ') || 'none'}`);
const stem = wasm[0].replace(/_bg\.wasm$/, '');
const glue = `${stem}.js`;
if (!files.includes(glue)) throw new Error(`post-build: ${glue} is missing`);

/** `<name>_bg.wasm` (removed) -> `<name>_bg.wasm.js`: the wasm bytes and the glue's text. */
function wasmAsScript(name) {
  const wasmFile = `${name}_bg.wasm`, glueFile = `${name}.js`;
  const bytes = fs.readFileSync(path.join(dir, wasmFile));
  const glueSource = fs.readFileSync(path.join(dir, glueFile), 'utf8');
  fs.writeFileSync(path.join(dir, `${wasmFile}.js`),
    `// ${wasmFile} (${bytes.length} bytes), as a script: the page's policy forbids fetch().\n` +
    `export const wasmBase64 = "${bytes.toString('base64')}";\n` +
    `// ${glueFile}, for the Web Workers (blob: URLs), so they request nothing themselves.\n` +
    `export const glueSource = ${JSON.stringify(glueSource)};\n`);
  fs.rmSync(path.join(dir, wasmFile));
  return `${wasmFile}.js`;
}

function run(command, args, env) {
  console.error(`[post-build] ${command} ${args.join(' ')}`);
  const r = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
  if (r.error || r.status !== 0) {
    throw new Error(`post-build: the wasm SIMD variant failed: ${command} ${r.error ? r.error.message : `exited with ${r.status ?? r.signal}`} (SMP_SIMD=0 builds without it)`);
  }
}

/** The wasm SIMD variant: `<stem>-simd.js` and `<stem>-simd_bg.wasm` in `dir`. */
function buildSimd() {
  const repo = process.env.TRUNK_SOURCE_DIR || path.join(here, '..');
  const targetDir = path.join(process.env.CARGO_TARGET_DIR || path.join(repo, 'target'), 'simd128');
  const rustflags = [process.env.RUSTFLAGS, '-C target-feature=+simd128'].filter(Boolean).join(' ');
  const started = Date.now();
  // The same cargo arguments as trunk's (offline: trunk's own build just had every crate).
  run('cargo', ['build', '--target=wasm32-unknown-unknown', '--manifest-path', path.join(repo, 'Cargo.toml'),
    '--release', '--offline', '--bin', 'smp-tryon'], { RUSTFLAGS: rustflags, CARGO_TARGET_DIR: targetDir });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'smp-simd-'));
  try {
    const name = `${stem}-simd`;
    run('wasm-bindgen', ['--target=web', `--out-dir=${tmp}`, `--out-name=${name}`,
      path.join(targetDir, 'wasm32-unknown-unknown', 'release', 'smp-tryon.wasm'), '--no-typescript']);
    fs.copyFileSync(path.join(tmp, `${name}.js`), path.join(dir, `${name}.js`));
    run('wasm-opt', [`--output=${path.join(dir, `${name}_bg.wasm`)}`, '-O3', '--enable-simd', path.join(tmp, `${name}_bg.wasm`)]);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.error(`[post-build] wasm SIMD variant built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return `${stem}-simd`;
}

const wasmJs = wasmAsScript(stem);
const simd = process.env.TRUNK_PROFILE === 'release' && process.env.SMP_SIMD !== '0';
let glueSimd = '', wasmJsSimd = '';
if (simd) {
  const name = buildSimd();
  glueSimd = `./${name}.js`;
  wasmJsSimd = `./${wasmAsScript(name)}`;
} else {
  console.error(`[post-build] no wasm SIMD variant (${process.env.SMP_SIMD === '0' ? 'SMP_SIMD=0' : `profile ${process.env.TRUNK_PROFILE || 'unknown'}`}): every browser gets the baseline`);
}

// The face detector's, the person mask's and the face mesh's weights as a script module of their
// own (imported by the loader when the first worker starts, so the first paint does not wait for
// them).
const models = path.join(here, '..', 'crates', 'smp-core', 'models');
const face = fs.readFileSync(path.join(models, 'blazeface.bin'));
const selfie = fs.readFileSync(path.join(models, 'selfie.bin'));
const landmark = fs.readFileSync(path.join(models, 'face_landmark.bin'));
const modelsSource =
  `// crates/smp-core/models/blazeface.bin (${face.length} bytes; MediaPipe BlazeFace short-range) and\n` +
  `// selfie.bin (${selfie.length} bytes; MediaPipe selfie segmentation) and face_landmark.bin\n` +
  `// (${landmark.length} bytes; MediaPipe face mesh), Apache-2.0: see\n` +
  `// crates/smp-core/models/NOTICE. As a script: the page's policy forbids fetch().\n` +
  `export const faceModelBase64 = "${face.toString('base64')}";\n` +
  `export const selfieModelBase64 = "${selfie.toString('base64')}";\n` +
  `export const landmarkModelBase64 = "${landmark.toString('base64')}";\n`;
const modelsJs = `models-${crypto.createHash('sha256').update(modelsSource).digest('hex').slice(0, 16)}.js`;
fs.writeFileSync(path.join(dir, modelsJs), modelsSource);

const boot = fs.readFileSync(path.join(here, '..', 'web', 'boot.js'), 'utf8')
  .replaceAll('%GLUE%', `./${glue}`).replaceAll('%WASM_JS%', `./${wasmJs}`).replaceAll('%MODELS_JS%', `./${modelsJs}`)
  .replaceAll('%GLUE_SIMD%', glueSimd).replaceAll('%WASM_JS_SIMD%', wasmJsSimd);
const bootName = `boot-${crypto.createHash('sha256').update(boot).digest('hex').slice(0, 16)}.js`;
fs.writeFileSync(path.join(dir, bootName), boot);

const htmlPath = path.join(dir, 'index.html');
let html = fs.readFileSync(htmlPath, 'utf8');
// trunk leaves the rust link (marked with its id) when it injects nothing: drop it.
html = html.replace(/<link[^>]*\brel="?rust"?[^>]*>/gi, '');
if (/<script(?![^>]*\ssrc=)[^>]*>/i.test(html)) throw new Error('post-build: index.html has an inline script, which the policy blocks');
if (!html.includes('</head>')) throw new Error('post-build: index.html has no </head>');
html = html.replace('</head>', `<script type="module" src="${base}${bootName}"></script></head>`);
fs.writeFileSync(htmlPath, html);
console.error(`[post-build] ${wasm[0]} -> ${wasmJs}${simd ? ` (+ wasm SIMD: ${wasmJsSimd.slice(2)})` : ''}, models ${modelsJs}, loader ${bootName}`);
