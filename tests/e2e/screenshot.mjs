// Screenshots of the real page with a real photo, for the README and for looking at changes.
// Usage: node screenshot.mjs [outdir]   (scripts/screenshot builds the page first)
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launch, openApp, uploadPhoto, dragInWorkPixels, afterFrame, photoPath, repoRoot } from './harness.mjs';

const out = process.argv[2] || path.join(repoRoot, 'docs', 'img');
fs.mkdirSync(out, { recursive: true });
const server = await startServer();
const browser = await launch();
try {
  // An area of `null` keeps what automatic detection marked (no painting).
  for (const [name, viewport, photo, area] of [
    ['app-desktop.png', { width: 1280, height: 860 }, 'hl23_top_L6_18-Top-Down.jpg', null],
    ['app-phone.png', { width: 390, height: 844 }, 'hl12_right_L7_17-Right.jpg', null],
    ['app-phone-advice.png', { width: 390, height: 844 }, 'neg01_front_portrait_astronaut.png', null],
    ['app-desktop-painted.png', { width: 1280, height: 860 }, 'hl22_top_L7_16-Top-Down.jpg', [[170, 250], [470, 230], [480, 400], [180, 420], [320, 330]]],
  ]) {
    const { page } = await openApp(browser.context, server.url, viewport);
    await uploadPhoto(page, photoPath(photo), { keepDetected: area === null });
    if (area) {
      await page.evaluate(() => { document.querySelector('#brush-mm').value = 60; document.querySelector('#brush-mm').dispatchEvent(new Event('input', { bubbles: true })); });
      await afterFrame(page, () => dragInWorkPixels(page, area));
    }
    await page.mouse.move(5, 5);
    await page.screenshot({ path: path.join(out, name), fullPage: viewport.width < 500 });
    console.log(`wrote ${path.join(out, name)}`);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
