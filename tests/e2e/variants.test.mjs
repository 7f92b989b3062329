// The two builds of the app (scripts/post-build.mjs): the wasm SIMD one for browsers that
// validate a SIMD module, the baseline for the rest (iOS Safari before 16.4). The loader
// (web/boot.js) picks one and downloads only its files; `?smp-no-simd` forces the baseline,
// as on a browser without SIMD. Either way the page opens a photo, detection runs in the
// worker (which runs the same variant) and the scalp it found is dotted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startServer, launch, openApp, uploadPhoto, readCanvas, afterFrame, photoPath, distDir } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

// A build with SMP_SIMD=0 has only the baseline; the tests must then be told so the same way.
const simdBuilt = process.env.SMP_SIMD !== '0';
const files = fs.readdirSync(distDir);
const isSimdFile = (f) => /^smp-tryon-[0-9a-f]+-simd(_bg\.wasm)?\.js$/.test(f);
const isBaselineFile = (f) => /^smp-tryon-[0-9a-f]+(_bg\.wasm)?\.js$/.test(f);

test('the release build holds both variants and the shared files, and no .wasm file', () => {
  const expected = [/^index\.html$/, /^style-[0-9a-f]+\.css$/, /^boot-[0-9a-f]{16}\.js$/, /^models-[0-9a-f]{16}\.js$/,
    /^smp-tryon-[0-9a-f]+\.js$/, /^smp-tryon-[0-9a-f]+_bg\.wasm\.js$/];
  if (simdBuilt) expected.push(/^smp-tryon-[0-9a-f]+-simd\.js$/, /^smp-tryon-[0-9a-f]+-simd_bg\.wasm\.js$/);
  for (const re of expected) assert.equal(files.filter((f) => re.test(f)).length, 1, `one file matching ${re} in ${files.join(' ')}`);
  assert.equal(files.length, expected.length, `nothing else in dist: ${files.join(' ')}`);
});

/** Before the page's scripts: WebAssembly.validate says no to any module with a SIMD opcode. */
function hideSimd() {
  const validate = WebAssembly.validate;
  WebAssembly.validate = (bytes) => {
    const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes.buffer ?? bytes);
    // 0xfd is the SIMD opcode prefix; a crude scan, enough for the loader's tiny probe.
    return !b.includes(0xfd) && validate(bytes);
  };
}

/**
 * Open the page (`query` appended), open a bald top photo; return what was loaded and shown.
 * `noSimdBrowser`: the browser validates no SIMD module (as iOS Safari before 16.4).
 */
async function openAndDetect(query, { noSimdBrowser = false } = {}) {
  const asked = server.requests.length;
  const { page, problems } = await openApp(browser.context, server.url + query, null, { initScript: noSimdBrowser ? hideSimd : undefined });
  const variant = await page.evaluate(() => document.body.dataset.wasmVariant);
  await uploadPhoto(page, photoPath('hl22_top_L7_16-Top-Down.jpg'), { keepDetected: true });
  const found = await page.getAttribute('#detection', 'data-area-found');
  const dotted = await readCanvas(page);
  await afterFrame(page, () => page.click('#clear'));
  const bare = await readCanvas(page);
  let changed = 0;
  for (let i = 0; i < dotted.data.length; i += 4) {
    if (dotted.data[i] !== bare.data[i] || dotted.data[i + 1] !== bare.data[i + 1] || dotted.data[i + 2] !== bare.data[i + 2]) changed++;
  }
  const requested = server.requests.slice(asked).map((u) => decodeURIComponent(u.replace(/^\//, '')));
  await page.close();
  return { variant, found, changedShare: changed / (dotted.width * dotted.height), requested, problems };
}

test('a browser with wasm SIMD (Chromium) loads the SIMD variant only, and detection dots the scalp', { skip: !simdBuilt && 'built with SMP_SIMD=0' }, async () => {
  const r = await openAndDetect('');
  assert.equal(r.variant, 'simd');
  assert.ok(r.requested.some(isSimdFile), `the SIMD files were loaded: ${r.requested.join(' ')}`);
  assert.ok(!r.requested.some(isBaselineFile), `the baseline's files were not: ${r.requested.join(' ')}`);
  assert.equal(r.found, 'true', 'detection found an area');
  assert.ok(r.changedShare > 0.1, `dots over the detected scalp: ${(r.changedShare * 100).toFixed(1)} % of the pixels`);
  assert.deepEqual(r.problems, []);
});

test('with ?smp-no-simd (as a browser without SIMD) the baseline loads, and detection dots the scalp', async () => {
  const r = await openAndDetect('?smp-no-simd');
  assert.equal(r.variant, 'baseline');
  assert.ok(r.requested.some(isBaselineFile), `the baseline's files were loaded: ${r.requested.join(' ')}`);
  assert.ok(!r.requested.some(isSimdFile), `the SIMD files were not: ${r.requested.join(' ')}`);
  assert.equal(r.found, 'true', 'detection found an area');
  assert.ok(r.changedShare > 0.1, `dots over the detected scalp: ${(r.changedShare * 100).toFixed(1)} % of the pixels`);
  assert.deepEqual(r.problems, []);
});

test('a browser without wasm SIMD (WebAssembly.validate refuses it) gets the baseline, and detection dots the scalp', async () => {
  const r = await openAndDetect('', { noSimdBrowser: true });
  assert.equal(r.variant, 'baseline');
  assert.ok(!r.requested.some(isSimdFile), `the SIMD files were not loaded: ${r.requested.join(' ')}`);
  assert.equal(r.found, 'true', 'detection found an area');
  assert.ok(r.changedShare > 0.1, `dots over the detected scalp: ${(r.changedShare * 100).toFixed(1)} % of the pixels`);
  assert.deepEqual(r.problems, []);
});

test('if the SIMD build fails to compile, the loader falls back to the baseline and the page works', { skip: !simdBuilt && 'built with SMP_SIMD=0' }, async () => {
  const asked = server.requests.length;
  const { page, problems } = await openApp(browser.context, server.url, null, {
    initScript: () => {
      // The first module compiled (the SIMD build, as the probe passes) is refused.
      const compile = WebAssembly.compile;
      let first = true;
      WebAssembly.compile = (bytes) => {
        if (first) { first = false; return Promise.reject(new WebAssembly.CompileError('refused by the test')); }
        return compile(bytes);
      };
    },
  });
  assert.equal(await page.evaluate(() => document.body.dataset.wasmVariant), 'baseline');
  await uploadPhoto(page, photoPath('hl22_top_L7_16-Top-Down.jpg'), { keepDetected: true });
  assert.equal(await page.getAttribute('#detection', 'data-area-found'), 'true');
  const requested = server.requests.slice(asked).map((u) => decodeURIComponent(u.replace(/^\//, '')));
  assert.ok(requested.some(isSimdFile) && requested.some(isBaselineFile), `tried SIMD, then loaded the baseline: ${requested.join(' ')}`);
  assert.equal(await page.isHidden('#fatal'), true, 'no fatal banner');
  assert.deepEqual(problems, []);
  await page.close();
});
