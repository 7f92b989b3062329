// A page that never dies: heavy work in a Web Worker keeps the page responsive; a worker that
// panics or hangs is replaced and the user told, with the photo and edits intact; a panic on
// the page shows a calm banner instead of a blank or frozen page. Faults are injected through
// the test hooks, which exist only with the `smp-test-hooks` query flag.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launch, openApp, uploadPhoto, uploadBadFile, afterFrame, readCanvas, dragInWorkPixels, photoPath,
  upscaledJpeg,
} from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const TOP = 'hl22_top_L7_16-Top-Down.jpg';
const hooks = () => `${server.url}?smp-test-hooks`;

async function paint(page) {
  await page.evaluate(() => { const e = document.querySelector('#brush-mm'); e.value = '40'; e.dispatchEvent(new Event('input', { bubbles: true })); });
  await afterFrame(page, () => dragInWorkPixels(page, [[200, 300], [320, 305], [440, 310]]));
}

const pageErrors = (problems) => problems.filter((p) => p.startsWith('pageerror'));

test('the page stays responsive while a 12 MP photo is opened, and shows the steps', async () => {
  const { page, problems } = await openApp(browser.context, server.url);
  await uploadPhoto(page, photoPath(TOP));
  const big = await upscaledJpeg(page, TOP, 4000, 3000);
  await page.evaluate(() => {
    window.__steps = [];
    new MutationObserver(() => {
      const s = document.querySelector('#busy-step')?.textContent;
      if (s && window.__steps.at(-1) !== s) window.__steps.push(s);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  const oldId = await page.getAttribute('#preview-canvas', 'data-photo-id');
  await page.setInputFiles('#photo-input', { name: 'big.jpg', mimeType: 'image/jpeg', buffer: big });
  await page.waitForSelector('#busy');
  // While the new photo is being decoded, a control on the current one is used: the click is
  // handled and a frame drawn before the new photo arrives (a decode on the main thread would
  // hold both until it finished).
  const during = await page.evaluate(async () => {
    const c = document.querySelector('#preview-canvas');
    const frames = Number(c.dataset.frames);
    document.querySelector('#split-on').click();
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return {
      stillOpening: !!document.querySelector('#busy'), photoId: c.dataset.photoId,
      drew: Number(c.dataset.frames) > frames, split: document.querySelector('#split-on').checked,
    };
  });
  assert.deepEqual(during, { stillOpening: true, photoId: oldId, drew: true, split: true });
  await page.waitForFunction((prev) => {
    const c = document.querySelector('#preview-canvas');
    return c.dataset.photoId !== prev && Number(c.dataset.frames || 0) > 0 && !document.querySelector('#busy');
  }, oldId, { timeout: 120_000 });
  const geo = await page.evaluate(() => { const c = document.querySelector('#preview-canvas'); return [c.width, c.height, c.dataset.fullWidth, c.dataset.fullHeight]; });
  assert.deepEqual(geo, [1632, 1224, '4000', '3000']);
  const steps = await page.evaluate(() => window.__steps);
  assert.ok(steps.includes('decoding'), `the steps shown: ${JSON.stringify(steps)}`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a newer photo cancels the one still being opened, silently', async () => {
  const { page, problems } = await openApp(browser.context, server.url);
  await uploadPhoto(page, photoPath(TOP));
  const big = await upscaledJpeg(page, TOP, 4000, 3000);
  await page.setInputFiles('#photo-input', { name: 'big.jpg', mimeType: 'image/jpeg', buffer: big });
  await page.waitForSelector('#busy');
  // Chosen while the 12 MP photo is still being decoded: only this one may arrive.
  await uploadPhoto(page, photoPath('hl23_top_L6_18-Top-Down.jpg'));
  await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
  const shown = await page.evaluate(() => { const c = document.querySelector('#preview-canvas'); return [c.dataset.fullWidth, c.dataset.fullHeight]; });
  assert.notDeepEqual(shown, ['4000', '3000'], 'the cancelled photo never replaces the newer one');
  assert.equal(await page.$('#notice'), null, 'no message for a cancelled open');
  assert.equal(await page.$('#busy'), null);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a worker that panics is replaced, the user told, and the photo and edits stay (open and export)', async () => {
  const { page, problems } = await openApp(browser.context, hooks());
  await uploadPhoto(page, photoPath(TOP));
  await paint(page);
  const edited = await readCanvas(page);
  const photoId = await page.getAttribute('#preview-canvas', 'data-photo-id');

  await page.evaluate(() => window.__smpTest.workerFault('panic'));
  const message = await uploadBadFile(page, photoPath('hl23_top_L6_18-Top-Down.jpg'));
  assert.match(message, /went wrong in the background \(the worker panicked: .*a test asked the worker to panic/);
  assert.match(message, /restarted: your photo and edits are unchanged/);
  assert.equal(await page.getAttribute('#preview-canvas', 'data-photo-id'), photoId);
  assert.deepEqual(Buffer.from((await readCanvas(page)).data), Buffer.from(edited.data), 'the edited preview is still shown');
  assert.equal(await page.isDisabled('#undo'), false, 'the edit history is still there');

  // The export fails the same way and the page carries on.
  await page.click('#notice button');
  await page.evaluate(() => window.__smpTest.workerFault('panic'));
  await page.click('#download');
  await page.waitForSelector('#notice.error');
  assert.match(await page.textContent('#notice.error span'), /the worker panicked/);
  await page.waitForFunction(() => !document.querySelector('#busy'));
  assert.equal(await page.isDisabled('#download'), false);

  // The fresh worker works: an export and a new photo go through.
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click('#download')]);
  assert.match(download.suggestedFilename(), /smp-preview\.png$/);
  await uploadPhoto(page, photoPath('hl23_top_L6_18-Top-Down.jpg'));
  assert.notEqual(await page.getAttribute('#preview-canvas', 'data-photo-id'), photoId);
  assert.deepEqual(pageErrors(problems), [], 'the page itself never failed');
  await page.close();
});

test('a worker that hangs is given up after the time limit and replaced; the photo stays', async () => {
  const { page, problems } = await openApp(browser.context, hooks());
  await uploadPhoto(page, photoPath(TOP));
  await paint(page);
  const edited = await readCanvas(page);
  await page.evaluate(() => { window.__smpTest.workerTimeoutMs(1500); window.__smpTest.workerFault('hang'); });
  const message = await uploadBadFile(page, photoPath('hl23_top_L6_18-Top-Down.jpg'));
  assert.match(message, /no sign of life for 1\.5 s/);
  assert.deepEqual(Buffer.from((await readCanvas(page)).data), Buffer.from(edited.data));
  await uploadPhoto(page, photoPath('hl23_top_L6_18-Top-Down.jpg'));
  assert.deepEqual(pageErrors(problems), []);
  await page.close();
});

test('a panic on the page shows a calm banner with a way on, never a blank page', async () => {
  const plain = await openApp(browser.context, server.url);
  assert.equal(await plain.page.evaluate(() => typeof window.__smpTest), 'undefined', 'no test hooks without the flag');
  await plain.page.close();

  const { page } = await openApp(browser.context, hooks());
  await uploadPhoto(page, photoPath(TOP));
  assert.equal(await page.isVisible('#fatal'), false);
  const thrown = await page.evaluate(() => { try { window.__smpTest.panic(); return 'returned'; } catch (e) { return String(e); } });
  assert.match(thrown, /RuntimeError|unreachable/);
  await page.waitForSelector('#fatal', { state: 'visible' });
  assert.match(await page.textContent('#fatal'), /Something went wrong and the editor stopped\. Your photo never left this device/);
  assert.ok(await page.isVisible('#preview-canvas'), 'the photo is still on screen');
  await Promise.all([page.waitForNavigation(), page.click('#fatal-reload')]);
  await page.waitForSelector('#photo-input', { state: 'attached' });
  assert.equal(await page.isVisible('#fatal'), false, 'after the reload the app runs again');
  await uploadPhoto(page, photoPath(TOP));
  await page.close();
});
