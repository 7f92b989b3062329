// Detection ms in Chromium (the worker's data-detect-ms) on ~2 MP working copies of shared photos
// upscaled to 12 MP: one without a face (hl22) and two with one (hl03, neg01), three runs each,
// on each build of the app (scripts/post-build.mjs): the wasm SIMD one, then the baseline
// (`?smp-no-simd`). After `trunk build --release`: `node tests/e2e/detect-bench.mjs`. Prints one
// JSON object: { simd: { photo: [ms, ms, ms] }, baseline: { ... } }.
import { startServer, launch, openApp, upscaledJpeg } from './harness.mjs';
const server = await startServer();
const browser = await launch();
const out = {};
try {
  for (const query of ['', '?smp-no-simd']) {
    const { page } = await openApp(browser.context, server.url + query);
    const variant = await page.getAttribute('body', 'data-wasm-variant');
    out[variant] = {};
    for (const name of ['hl22_top_L7_16-Top-Down.jpg', 'hl03_front_L6_15-Front.jpg', 'neg01_front_portrait_astronaut.png']) {
      const jpeg = await upscaledJpeg(page, name, 4000, 3000);
      const ms = [];
      for (let i = 0; i < 3; i++) {
        const before = await page.getAttribute('body', 'data-detected-photo');
        await page.setInputFiles('#photo-input', { name: `p${i}.jpg`, mimeType: 'image/jpeg', buffer: jpeg });
        await page.waitForFunction((b) => document.body.dataset.detectedPhoto && document.body.dataset.detectedPhoto !== b
          && document.body.dataset.detectedPhoto === document.querySelector('#preview-canvas').dataset.photoId, before, { timeout: 120_000 });
        ms.push(Number(await page.getAttribute('body', 'data-detect-ms')));
      }
      out[variant][name] = ms;
    }
    await page.close();
  }
} finally {
  await browser.close();
  server.close?.();
}
console.log(JSON.stringify(out));
process.exit(0);
