// Shared helpers for the end-to-end tests, the benchmark and the screenshot script:
// a static server for dist/ that counts every request, Debian's Chromium driven by
// playwright-core (which downloads nothing), and user-level actions on the page.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const distDir = process.env.SMP_DIST || path.join(repoRoot, 'dist');
export const sharedDir = process.env.SMP_SHARED || path.resolve(repoRoot, '..', 'shared');
export const photosDir = path.join(sharedDir, 'photos');

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.png': 'image/png', '.svg': 'image/svg+xml', '.json': 'application/json',
};

/** Serve dist/ on 127.0.0.1 (a free port); every request is recorded in `requests`. */
export async function startServer(root = distDir) {
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    throw new Error(`${root}/index.html is missing: build the page first (scripts/test does)`);
  }
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url);
    const urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = path.join(root, urlPath === '/' ? 'index.html' : urlPath);
    if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404); res.end('not found'); return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/`;
  return { url, requests, close: () => new Promise((r) => server.close(r)) };
}

export const chromiumFlags = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--disable-quic', '--disable-extensions', '--disable-default-apps',
];

export async function launch() {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smp-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: chromiumFlags,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 860 },
  });
  return {
    context,
    async close() { await context.close(); fs.rmSync(userDataDir, { recursive: true, force: true }); },
  };
}

/**
 * Open the app and collect console errors and page errors (a panic shows up there). The page
 * starts from an empty autosave (the browser profile is shared by a file's tests) unless
 * `keepSaved` is set, e.g. to test that a reload restores the work.
 */
export async function openApp(context, url, viewport, { keepSaved = false, initScript } = {}) {
  const page = await context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  // `initScript`: a function run before the page's own scripts (e.g. to play another browser).
  if (initScript) await page.addInitScript(initScript);
  // Runs before the app on every load of this page; the app's open waits for the delete.
  if (!keepSaved) await page.addInitScript(() => indexedDB.deleteDatabase('smp-tryon'));
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  await page.goto(url);
  await page.waitForSelector('#photo-input', { state: 'attached' });
  // The start-up restore has run (or found nothing).
  await page.waitForFunction(() => document.body.dataset.restored !== undefined, null, { timeout: 60_000 });
  return { page, problems };
}

export function photoPath(name) { return path.join(photosDir, name); }

/** A shared photo upscaled by the browser to a `width` x `height` JPEG (e.g. 12 MP): a Buffer. */
export async function upscaledJpeg(page, name, width, height) {
  const b64 = await page.evaluate(async ([src, width, height]) => {
    const bmp = await createImageBitmap(new Blob([Uint8Array.from(atob(src), (c) => c.charCodeAt(0))]));
    const c = new OffscreenCanvas(width, height);
    c.getContext('2d').drawImage(bmp, 0, 0, width, height);
    const bytes = new Uint8Array(await (await c.convertToBlob({ type: 'image/jpeg', quality: 0.92 })).arrayBuffer());
    let s = ''; for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }, [fs.readFileSync(photoPath(name)).toString('base64'), width, height]);
  return Buffer.from(b64, 'base64');
}

/**
 * Choose a file through the file input, as a user does; wait until its first preview is drawn
 * and automatic detection has run. Unless `keepDetected`, the detected area is then cleared
 * ("Clear area"), so a test starts from the bare photo and paints its own area. Returns
 * `{ cleared }`: whether that Clear (one undo step) was done.
 */
export async function uploadPhoto(page, file, { keepDetected = false, input = '#photo-input' } = {}) {
  const before = await page.evaluate(() => document.querySelector('#preview-canvas')?.dataset.photoId ?? null);
  await page.setInputFiles(input, file);
  await page.waitForFunction((prev) => {
    const c = document.querySelector('#preview-canvas');
    return c && c.dataset.photoId !== prev && Number(c.dataset.frames || 0) > 0 && !document.querySelector('#busy')
      && document.body.dataset.detectedPhoto === c.dataset.photoId;
  }, before, { timeout: 60_000 });
  // The canvas takes the new photo's size (and is cleared) when the page renders; it is drawn in
  // the animation frame the painter requested then (with the prefilled area). `frames` counts
  // every photo's frames, so wait two frames before anyone reads the pixels.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  if (!keepDetected && !(await page.isDisabled('#clear'))) {
    await afterFrame(page, () => page.click('#clear'));
    return { cleared: true };
  }
  return { cleared: false };
}

/** Upload a file that should be refused; wait for the message. */
export async function uploadBadFile(page, file) {
  await page.setInputFiles('#photo-input', file);
  await page.waitForSelector('#notice.error', { timeout: 30_000 });
  await page.waitForFunction(() => !document.querySelector('#busy'));
  return page.textContent('#notice.error span');
}

/** Set a range input (a slider) to `value` as a user's drag does: an input event. */
export async function setSlider(page, selector, value) {
  await page.evaluate(([sel, v]) => {
    const e = document.querySelector(sel);
    e.value = String(v);
    e.dispatchEvent(new Event('input', { bubbles: true }));
  }, [selector, value]);
}

/** Wait until the preview has drawn a frame after `action`. */
export async function afterFrame(page, action) {
  const n = await page.evaluate(() => Number(document.querySelector('#preview-canvas').dataset.frames || 0));
  await action();
  await page.waitForFunction((n) => Number(document.querySelector('#preview-canvas').dataset.frames || 0) > n, n);
  // One more frame so all coalesced changes are in.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** The preview canvas's pixels: { width, height, data: Uint8Array (RGBA) }. */
export async function readCanvas(page, selector = '#preview-canvas') {
  const { width, height, b64 } = await page.evaluate((sel) => {
    const c = document.querySelector(sel);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let s = '';
    for (let i = 0; i < d.length; i += 0x8000) s += String.fromCharCode.apply(null, d.subarray(i, i + 0x8000));
    return { width: c.width, height: c.height, b64: btoa(s) };
  }, selector);
  return { width, height, data: new Uint8Array(Buffer.from(b64, 'base64')) };
}

/** Where the photo is on screen and how photo pixels map onto it. */
export async function stageGeometry(page) {
  return page.evaluate(() => {
    const c = document.querySelector('#preview-canvas');
    const r = document.querySelector('svg.overlay').getBoundingClientRect();
    return { left: r.left, top: r.top, width: r.width, height: r.height, workW: c.width, workH: c.height,
      fullW: Number(c.dataset.fullWidth), fullH: Number(c.dataset.fullHeight) };
  });
}

/** Drag the mouse (pointer events) through points given in working-image pixels. */
export async function dragInWorkPixels(page, points, geo) {
  const g = geo || await stageGeometry(page);
  const toScreen = ([x, y]) => [g.left + (x / g.workW) * g.width, g.top + (y / g.workH) * g.height];
  const [x0, y0] = toScreen(points[0]);
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  for (const p of points.slice(1)) {
    const [x, y] = toScreen(p);
    await page.mouse.move(x, y, { steps: 4 });
  }
  await page.mouse.up();
}

/** Write RGBA pixels as a PNG file (no dependency: node's zlib). */
export function writePng(file, width, height, rgba) {

  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0;
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  fs.writeFileSync(file, Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0)),
  ]));
}




/** A crop of an RGBA image, enlarged `zoom` times with nearest-neighbour (to see pixels). */
export function cropZoom(img, x0, y0, w, h, zoom) {
  const out = new Uint8Array(w * zoom * h * zoom * 4);
  for (let y = 0; y < h * zoom; y++) {
    for (let x = 0; x < w * zoom; x++) {
      const sx = x0 + Math.floor(x / zoom), sy = y0 + Math.floor(y / zoom);
      const si = (sy * img.width + sx) * 4, di = (y * w * zoom + x) * 4;
      for (let c = 0; c < 4; c++) out[di + c] = img.data[si + c];
    }
  }
  return { width: w * zoom, height: h * zoom, data: out };
}
