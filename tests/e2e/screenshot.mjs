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
  for (const [name, viewport, photo, area] of [
    ['app-desktop.png', { width: 1280, height: 860 }, 'hl22_top_L7_16-Top-Down.jpg', [[170, 250], [470, 230], [480, 400], [180, 420], [320, 330]]],
    ['app-phone.png', { width: 390, height: 844 }, 'hl10_left_L7_15-Left.jpg', [[200, 150], [420, 140], [430, 260], [230, 270]]],
  ]) {
    const { page } = await openApp(browser.context, server.url, viewport);
    await uploadPhoto(page, photoPath(photo));
    await page.evaluate(() => { document.querySelector('#brush-mm').value = 60; document.querySelector('#brush-mm').dispatchEvent(new Event('input', { bubbles: true })); });
    await afterFrame(page, () => dragInWorkPixels(page, area));
    await page.mouse.move(5, 5);
    await page.screenshot({ path: path.join(out, name), fullPage: viewport.width < 500 });
    console.log(`wrote ${path.join(out, name)}`);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
