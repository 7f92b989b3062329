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
//     which the loader imports when the first Web Worker starts.
// Runs in trunk's staging directory (TRUNK_STAGING_DIR), or on a directory given as argument.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
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

const bytes = fs.readFileSync(path.join(dir, wasm[0]));
const wasmJs = `${stem}_bg.wasm.js`;
const glueSource = fs.readFileSync(path.join(dir, glue), 'utf8');
fs.writeFileSync(path.join(dir, wasmJs),
  `// ${wasm[0]} (${bytes.length} bytes), as a script: the page's policy forbids fetch().\n` +
  `export const wasmBase64 = "${bytes.toString('base64')}";\n` +
  `// ${glue}, for the Web Workers (blob: URLs), so they request nothing themselves.\n` +
  `export const glueSource = ${JSON.stringify(glueSource)};\n`);
fs.rmSync(path.join(dir, wasm[0]));

// The face detector's and the person mask's weights as a script module of their own (imported
// by the loader when the first worker starts, so the first paint does not wait for them).
const models = path.join(here, '..', 'crates', 'smp-core', 'models');
const face = fs.readFileSync(path.join(models, 'blazeface.bin'));
const selfie = fs.readFileSync(path.join(models, 'selfie.bin'));
const modelsSource =
  `// crates/smp-core/models/blazeface.bin (${face.length} bytes; MediaPipe BlazeFace short-range) and\n` +
  `// selfie.bin (${selfie.length} bytes; MediaPipe selfie segmentation), Apache-2.0: see\n` +
  `// crates/smp-core/models/NOTICE. As a script: the page's policy forbids fetch().\n` +
  `export const faceModelBase64 = "${face.toString('base64')}";\n` +
  `export const selfieModelBase64 = "${selfie.toString('base64')}";\n`;
const faceJs = `models-${crypto.createHash('sha256').update(modelsSource).digest('hex').slice(0, 16)}.js`;
fs.writeFileSync(path.join(dir, faceJs), modelsSource);

const boot = fs.readFileSync(path.join(here, '..', 'web', 'boot.js'), 'utf8')
  .replaceAll('%GLUE%', `./${glue}`).replaceAll('%WASM_JS%', `./${wasmJs}`).replaceAll('%FACE_JS%', `./${faceJs}`);
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
console.error(`[post-build] ${wasm[0]} -> ${wasmJs}, models ${faceJs}, loader ${bootName}`);
