// In-browser benchmark on the built release page. Prints one JSON object with every figure
// (scripts/bench adds the core's criterion figure). Figures are measured, never asserted.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { startServer, launch, openApp, afterFrame, dragInWorkPixels, photoPath, distDir, repoRoot, uploadPhoto } from './harness.mjs';

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const figures = {};

// 1. Download size: gzip of the wasm and js ONE browser loads: the shared files (loader, models)
// plus one variant of the app (scripts/post-build.mjs): the wasm SIMD one when built (what
// Chromium loads), and the baseline's figure beside it (browsers without wasm SIMD).
const appFiles = fs.readdirSync(distDir).filter((f) => f.endsWith('.wasm') || f.endsWith('.js'));
const isSimd = (f) => /^smp-tryon-[0-9a-f]+-simd(_bg\.wasm)?\.js$/.test(f);
const isBaseline = (f) => /^smp-tryon-[0-9a-f]+(_bg\.wasm)?(\.js)?$/.test(f) && !isSimd(f);
const hasSimd = appFiles.some(isSimd);
function downloadOf(files) {
  let gz = 0, raw = 0;
  for (const f of files) {
    const b = fs.readFileSync(path.join(distDir, f));
    raw += b.length;
    gz += zlib.gzipSync(b, { level: 9 }).length;
  }
  return { raw, gz };
}
const oneBrowser = downloadOf(appFiles.filter((f) => (hasSimd ? !isBaseline(f) : true)));
figures.wasm_variant = hasSimd ? 'simd' : 'baseline';
figures.wasm_js_bytes = oneBrowser.raw;
figures.wasm_js_gzip_bytes = oneBrowser.gz;
if (hasSimd) {
  const baseline = downloadOf(appFiles.filter((f) => !isSimd(f)));
  figures.wasm_js_bytes_baseline = baseline.raw;
  figures.wasm_js_gzip_bytes_baseline = baseline.gz;
}

const server = await startServer();
const browser = await launch();
try {
  const { page } = await openApp(browser.context, server.url);
  // 2. A 12 MP JPEG: a shared photo upscaled to 4000 x 3000 by the browser.
  const jpeg12 = Buffer.from(await page.evaluate(async (b64) => {
    const bmp = await createImageBitmap(new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))]));
    const c = new OffscreenCanvas(4000, 3000);
    c.getContext('2d').drawImage(bmp, 0, 0, 4000, 3000);
    const bytes = new Uint8Array(await (await c.convertToBlob({ type: 'image/jpeg', quality: 0.92 })).arrayBuffer());
    let s = ''; for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }, fs.readFileSync(photoPath('hl22_top_L7_16-Top-Down.jpg')).toString('base64')), 'base64');
  figures.jpeg_12mp_bytes = jpeg12.length;

  // Time from the file input's change event to the first preview frame of the new photo; and
  // how long the main thread was held meanwhile (the decode runs in a Web Worker): the longest
  // task (Long Tasks API, which reports tasks over 50 ms) and the longest gap between frames.
  await page.evaluate(() => {
    window.__bench = { longTasks: [], gaps: [] };
    document.querySelector('#photo-input').addEventListener('change', () => {
      window.__bench.chosen = performance.now();
      let last = performance.now();
      const tick = (t) => { window.__bench.gaps.push(t - last); last = t; if (!window.__bench.firstFrame) requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
    }, { capture: true });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__bench.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask' });
    new MutationObserver(() => {
      const c = document.querySelector('#preview-canvas');
      if (c && c.dataset.frames && window.__bench.chosen && !window.__bench.firstFrame) window.__bench.firstFrame = performance.now();
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-frames'], childList: true });
  });
  await page.setInputFiles('#photo-input', { name: 'big.jpg', mimeType: 'image/jpeg', buffer: jpeg12 });
  await page.waitForFunction(() => window.__bench.firstFrame, null, { timeout: 120_000 });
  await page.evaluate(() => new Promise((r) => setTimeout(r, 100))); // late long-task entries
  const open = await page.evaluate(() => {
    const b = window.__bench;
    const tasks = b.longTasks.filter((t) => t.start + t.duration >= b.chosen && t.start <= b.firstFrame);
    return { ms: b.firstFrame - b.chosen, longest: Math.max(0, ...tasks.map((t) => t.duration)), gap: Math.max(0, ...b.gaps) };
  });
  figures.open_12mp_to_first_preview_ms = Math.round(open.ms);
  // 0 means no task over 50 ms (the Long Tasks API's threshold).
  figures.open_12mp_main_thread_longest_task_ms = Math.round(open.longest);
  figures.open_12mp_longest_frame_gap_ms = Math.round(open.gap);
  const geo = await page.evaluate(() => { const c = document.querySelector('#preview-canvas'); return [c.width, c.height]; });
  figures.working_image = `${geo[0]}x${geo[1]}`;
  // Automatic detection on that ~2 MP working copy (runs once the photo is on screen).
  await page.waitForFunction(() => document.body.dataset.detectedPhoto === document.querySelector('#preview-canvas').dataset.photoId,
    null, { timeout: 120_000 });
  figures.detect_2mp_ms = Number(await page.getAttribute('body', 'data-detect-ms'));
  figures.detect_2mp_variant = await page.getAttribute('body', 'data-wasm-variant');
  // The same detection on the baseline build (what browsers without wasm SIMD run).
  {
    const base = await openApp(browser.context, `${server.url}?smp-no-simd`);
    await base.page.setInputFiles('#photo-input', { name: 'big.jpg', mimeType: 'image/jpeg', buffer: jpeg12 });
    await base.page.waitForFunction(() => {
      const c = document.querySelector('#preview-canvas');
      return c && c.dataset.photoId && document.body.dataset.detectedPhoto === c.dataset.photoId;
    }, null, { timeout: 120_000 });
    figures.detect_2mp_ms_baseline = Number(await base.page.getAttribute('body', 'data-detect-ms'));
    await base.page.close();
  }
  // The figures below paint their own area: start from the bare photo.
  if (!(await page.isDisabled('#clear'))) await afterFrame(page, () => page.click('#clear'));

  // 3. Re-render after a slider move on the ~2 MP working image, with a large painted area.
  await page.evaluate(() => { const e = document.querySelector('#brush-mm'); e.value = 120; e.dispatchEvent(new Event('input', { bubbles: true })); });
  const [w, h] = geo;
  await afterFrame(page, () => dragInWorkPixels(page, [[w * 0.25, h * 0.3], [w * 0.75, h * 0.3], [w * 0.75, h * 0.7], [w * 0.25, h * 0.7], [w * 0.5, h * 0.5]]));
  const renderMs = [], latencyMs = [];
  for (let i = 0; i < 25; i++) {
    const t = await page.evaluate((v) => new Promise((resolve) => {
      const c = document.querySelector('#preview-canvas');
      const n = Number(c.dataset.frames);
      const t0 = performance.now();
      const e = document.querySelector('#density');
      e.value = String(v);
      e.dispatchEvent(new Event('input', { bubbles: true }));
      const poll = () => (Number(c.dataset.frames) > n ? resolve({ latency: performance.now() - t0, render: Number(c.dataset.renderMs) }) : requestAnimationFrame(poll));
      requestAnimationFrame(poll);
    }), 40 + (i % 2) * 30);
    renderMs.push(t.render);
    latencyMs.push(t.latency);
  }
  figures.rerender_after_slider_median_ms = Number(median(renderMs).toFixed(1));
  figures.slider_input_to_frame_median_ms = Number(median(latencyMs).toFixed(1));

  // 3b. Frames drawn while painting a stroke over the already large area.
  await page.evaluate(() => {
    window.__paintMs = [];
    const c = document.querySelector('#preview-canvas');
    new MutationObserver(() => window.__paintMs.push(Number(c.dataset.renderMs))).observe(c, { attributes: true, attributeFilter: ['data-frames'] });
  });
  await page.evaluate(() => { const e = document.querySelector('#brush-mm'); e.value = 30; e.dispatchEvent(new Event('input', { bubbles: true })); });
  const strokePoints = Array.from({ length: 40 }, (_, i) => [w * (0.2 + 0.6 * i / 39), h * (0.5 + 0.15 * Math.sin(i / 5))]);
  await dragInWorkPixels(page, strokePoints);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const paintMs = await page.evaluate(() => window.__paintMs);
  // The last frame is the settling one (exact, whole area) after the pointer is released.
  figures.paint_stroke_frame_median_ms = Number(median(paintMs.slice(0, -1)).toFixed(1));
  figures.paint_stroke_settle_ms = paintMs[paintMs.length - 1];
  figures.paint_stroke_frames = paintMs.length;

  // 3c. The common case: a 640 px phone photo with a large area, density-slider moves.
  {
    const small = await openApp(browser.context, server.url);
    await uploadPhoto(small.page, photoPath('hl22_top_L7_16-Top-Down.jpg'));
    await small.page.evaluate(() => { const e = document.querySelector('#brush-mm'); e.value = 120; e.dispatchEvent(new Event('input', { bubbles: true })); });
    await afterFrame(small.page, () => dragInWorkPixels(small.page, [[160, 190], [480, 190], [480, 450], [160, 450], [320, 320]]));
    const ms = [];
    for (let i = 0; i < 21; i++) {
      ms.push(await small.page.evaluate((v) => new Promise((resolve) => {
        const c = document.querySelector('#preview-canvas');
        const n = Number(c.dataset.frames);
        const e = document.querySelector('#density');
        e.value = String(v);
        e.dispatchEvent(new Event('input', { bubbles: true }));
        const poll = () => (Number(c.dataset.frames) > n ? resolve(Number(c.dataset.renderMs)) : requestAnimationFrame(poll));
        requestAnimationFrame(poll);
      }), 60 + (i % 2) * 30));
    }
    figures.rerender_after_slider_640px_photo_median_ms = Number(median(ms).toFixed(1));
    await small.page.close();
  }

  // 3d. The preview zoomed to 1:1 on the 12 MP photo: the visible part (plus a 10 % margin)
  // rendered from the full-resolution photo on the main thread. The first time includes
  // decoding the photo in the worker and rasterising the area at full resolution.
  {
    const waitShown = (n) => page.waitForFunction((n) => {
      const c = document.querySelector('#detail-canvas');
      return c.dataset.state === 'shown' && Number(c.dataset.renders) > n;
    }, n, { timeout: 120_000 });
    await page.focus('#photo-box');
    const t1 = Date.now();
    await page.keyboard.press('1');
    await waitShown(0);
    figures.zoom_1to1_key_to_full_resolution_shown_ms = Date.now() - t1;
    figures.zoom_1to1_first_crop_render_ms = Number(await page.getAttribute('#detail-canvas', 'data-render-ms'));
    figures.zoom_1to1_crop = await page.evaluate(() => { const c = document.querySelector('#detail-canvas'); return `${c.width}x${c.height}`; });
    const crop = [];
    for (let i = 0; i < 9; i++) {
      const n = Number(await page.getAttribute('#detail-canvas', 'data-renders'));
      await page.evaluate((v) => { const e = document.querySelector('#density'); e.value = String(v); e.dispatchEvent(new Event('input', { bubbles: true })); }, 50 + (i % 2) * 40);
      await waitShown(n);
      crop.push(Number(await page.getAttribute('#detail-canvas', 'data-render-ms')));
    }
    figures.zoom_1to1_crop_render_after_density_change_median_ms = Number(median(crop).toFixed(1));
    await page.click('#zoom-fit');
  }

  // 4. Export of the 12 MP result (decode, render, PNG, download).
  const t0 = Date.now();
  await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.click('#download')]);
  figures.export_12mp_click_to_download_ms = Date.now() - t0;
  figures.export_12mp_in_page_ms = Number(await page.getAttribute('body', 'data-export-ms'));

  // 4b. Sheets (8. Export): the 12 MP before/after pair at full size (8 k px wide), then a
  // contact sheet of two 12 MP angles (the same photo added again as a second angle).
  const exportKind = async (kind) => {
    await page.click(`#export-${kind}`);
    const t = Date.now();
    await Promise.all([page.waitForEvent('download', { timeout: 180_000 }), page.click('#download')]);
    await page.waitForFunction(() => document.body.dataset.exportedFiles === '1' && !document.querySelector('#busy'), null, { timeout: 180_000 });
    const layout = JSON.parse(await page.getAttribute('body', 'data-export-layout'));
    return { clickToDownload: Date.now() - t, inPage: Number(await page.getAttribute('body', 'data-export-ms')), size: `${layout.width}x${layout.height}` };
  };
  const pair = await exportKind('pair');
  figures.export_12mp_pair_click_to_download_ms = pair.clickToDownload;
  figures.export_12mp_pair_in_page_ms = pair.inPage;
  figures.export_12mp_pair_size = pair.size;
  const prevId = await page.getAttribute('#preview-canvas', 'data-photo-id');
  await page.setInputFiles('#add-angle-input', { name: 'big2.jpg', mimeType: 'image/jpeg', buffer: jpeg12 });
  await page.waitForFunction((prev) => {
    const c = document.querySelector('#preview-canvas');
    return c.dataset.photoId !== prev && document.body.dataset.detectedPhoto === c.dataset.photoId && !document.querySelector('#busy');
  }, prevId, { timeout: 120_000 });
  const sheet = await exportKind('contact-sheet');
  figures.export_contact_sheet_2x12mp_click_to_download_ms = sheet.clickToDownload;
  figures.export_contact_sheet_2x12mp_in_page_ms = sheet.inPage;
  figures.export_contact_sheet_2x12mp_size = sheet.size;

  // 4c. Saving a consultation of two 12 MP angles, in a browser profile of its own (the pages
  // above share one and each starts by emptying the autosave): the first autosave of a new
  // 12 MP photo, the autosave after a change (photos stored already; both include the 400 ms
  // wait for changes to pause), the consultation file, and a reload until both angles are back
  // and the preview is drawn.
  const own = await launch();
  try {
    const { page: p2 } = await openApp(own.context, server.url, null, { keepSaved: true });
    const saves = () => p2.evaluate(() => Number(document.body.dataset.autosaved || 0));
    const savedAfter = async (action) => {
      const n = await saves();
      const t0 = Date.now();
      await action();
      await p2.waitForFunction((n) => Number(document.body.dataset.autosaved || 0) > n, n, { timeout: 120_000 });
      return Date.now() - t0;
    };
    figures.autosave_new_12mp_photo_ms = await savedAfter(() => uploadPhoto(p2, { name: 'big.jpg', mimeType: 'image/jpeg', buffer: jpeg12 }, { keepDetected: true }));
    await uploadPhoto(p2, { name: 'big2.jpg', mimeType: 'image/jpeg', buffer: jpeg12 }, { keepDetected: true, input: '#add-angle-input' });
    figures.autosave_2x12mp_after_change_ms = await savedAfter(() => p2.evaluate(() => {
      const el = document.querySelector('#density');
      el.value = String(Number(el.value) - 5);
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }));
    let t = Date.now();
    const [file] = await Promise.all([p2.waitForEvent('download', { timeout: 120_000 }), p2.click('#save-consultation')]);
    figures.save_consultation_file_2x12mp_ms = Date.now() - t;
    figures.consultation_file_2x12mp_bytes = fs.statSync(await file.path()).size;
    t = Date.now();
    await p2.reload();
    await p2.waitForFunction(() => document.body.dataset.restored === '2' && Number(document.querySelector('#preview-canvas')?.dataset.frames || 0) > 0, null, { timeout: 180_000 });
    figures.reload_restore_2x12mp_ms = Date.now() - t;
  } finally {
    await own.close();
  }
} finally {
  await browser.close();
  await server.close();
}

// 5. The core's criterion figures, if scripts/bench ran them.
for (const name of ['rerender_2mp_after_shade_change', 'rerender_2mp_after_density_change']) {
  const est = path.join(process.env.CARGO_TARGET_DIR || path.join(repoRoot, 'target'), 'criterion', name, 'new', 'estimates.json');
  if (fs.existsSync(est)) {
    figures[`core_${name}_native_median_ms`] = Number((JSON.parse(fs.readFileSync(est, 'utf8')).median.point_estimate / 1e6).toFixed(2));
  }
}
console.log(JSON.stringify(figures));
