// The working slice, driven as a user would: upload, paint, choose treatments and shades,
// compare, undo, export; bad files; EXIF orientation; and no network traffic after load.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  startServer, launch, openApp, uploadPhoto, uploadBadFile, afterFrame, readCanvas, stageGeometry,
  dragInWorkPixels, photoPath, setSlider,
} from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const TOP = 'hl22_top_L7_16-Top-Down.jpg';
const BRUSH_MM = 40;

function distToSegment([px, py], [ax, ay], [bx, by]) {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

/** Split pixels into inside / outside a painted capsule (with a 2 px margin either way). */
function compareAroundStroke(before, after, a, b, radiusWork) {
  let outsideChanged = 0, outsideCount = 0, insideChanged = 0, insideCount = 0;
  for (let y = 0; y < before.height; y++) {
    for (let x = 0; x < before.width; x++) {
      const d = distToSegment([x + 0.5, y + 0.5], a, b);
      const i = (y * before.width + x) * 4;
      const same = before.data[i] === after.data[i] && before.data[i + 1] === after.data[i + 1] && before.data[i + 2] === after.data[i + 2];
      if (d > radiusWork + 2) { outsideCount++; if (!same) outsideChanged++; }
      else if (d < radiusWork - 2) { insideCount++; if (!same) insideChanged++; }
    }
  }
  return { outsideChanged, outsideCount, insideChanged, insideCount };
}

async function paintStroke(page) {
  await setSlider(page, '#brush-mm', BRUSH_MM);
  const geo = await stageGeometry(page);
  const a = [200, 300], b = [440, 310];
  await afterFrame(page, () => dragInWorkPixels(page, [a, [320, 305], b], geo));
  const pxPerMm = Number(await page.getAttribute('#preview-canvas', 'data-px-per-mm'));
  const radiusWork = (BRUSH_MM / 2) * pxPerMm * (geo.workW / geo.fullW);
  return { a, b, radiusWork };
}

test('treatments and shades change only the painted area, and no request leaves the page', async () => {
  const { page, problems } = await openApp(browser.context, server.url);
  const requestsAtLoad = server.requests.length;
  const foreign = [];
  page.on('request', (r) => { if (!r.url().startsWith(server.url) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) foreign.push(r.url()); });

  await uploadPhoto(page, photoPath(TOP));
  const original = await readCanvas(page);
  assert.equal(original.width, 640);
  assert.equal(original.height, 640);
  const { a, b, radiusWork } = await paintStroke(page);
  assert.ok(radiusWork > 20, `brush radius ${radiusWork} px`);

  const seen = {};
  for (const treatment of ['shaved', 'density', 'scar']) {
    for (const shade of [0, 3]) {
      await afterFrame(page, async () => {
        await page.click(`[data-treatment=${treatment}]`);
        await page.click(`[data-shade="${shade}"]`);
      });
      const now = await readCanvas(page);
      const r = compareAroundStroke(original, now, a, b, radiusWork);
      assert.equal(r.outsideChanged, 0, `${treatment}/${shade}: ${r.outsideChanged} pixels changed outside the area`);
      assert.ok(r.insideChanged > r.insideCount * 0.05, `${treatment}/${shade}: only ${r.insideChanged}/${r.insideCount} changed inside`);
      seen[`${treatment}/${shade}`] = Buffer.from(now.data).toString('base64');
    }
    assert.notEqual(seen[`${treatment}/0`], seen[`${treatment}/3`], `${treatment}: shades look the same`);
  }
  assert.notEqual(seen['shaved/0'], seen['scar/0']);

  // Export: the download decodes at the photo's full size.
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click('#download')]);
  assert.match(download.suggestedFilename(), /^hl22_top_L7_16-Top-Down-smp-preview\.png$/);
  const bytes = fs.readFileSync(await download.path());
  const decoded = await page.evaluate(async (b64) => {
    const blob = new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/png' });
    const bmp = await createImageBitmap(blob);
    const c = new OffscreenCanvas(bmp.width, bmp.height);
    const ctx = c.getContext('2d');
    ctx.drawImage(bmp, 0, 0);
    const corner = ctx.getImageData(bmp.width * 0.6, bmp.height * 0.85, bmp.width * 0.4, bmp.height * 0.15).data;
    let bright = 0;
    for (let i = 0; i < corner.length; i += 4) if (corner[i] > 240 && corner[i + 1] > 240 && corner[i + 2] > 240) bright++;
    return { width: bmp.width, height: bmp.height, labelPixels: bright };
  }, bytes.toString('base64'));
  assert.deepEqual([decoded.width, decoded.height], [640, 640]);
  assert.ok(decoded.labelPixels > 10, 'the "Simulation" mark is drawn in the corner');

  await page.waitForTimeout(300);
  assert.deepEqual(server.requests.slice(requestsAtLoad), [], 'the page asked the server for nothing after it loaded');
  assert.deepEqual(foreign, [], 'no request to any other host');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a text file renamed .jpg gets a clear message and the photo and its edits stay', async () => {
  const { page, problems } = await openApp(browser.context, server.url);
  await uploadPhoto(page, photoPath(TOP));
  await paintStroke(page);
  const edited = await readCanvas(page);
  const photoId = await page.getAttribute('#preview-canvas', 'data-photo-id');
  const message = await uploadBadFile(page, { name: 'holiday.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('Dear clinic,\nthis is a letter, not a photo.\n'.repeat(20)) });
  assert.match(message, /not a photo/i);
  assert.match(message, /text file/i);
  assert.equal(await page.getAttribute('#preview-canvas', 'data-photo-id'), photoId);
  const after = await readCanvas(page);
  assert.deepEqual(Buffer.from(after.data), Buffer.from(edited.data), 'the edited preview is still shown');
  assert.equal(await page.isDisabled('#undo'), false, 'the edit history is still there');
  assert.deepEqual(problems, []);
  await page.close();
});

test('undo, redo, hold-to-compare and the split slider', async () => {
  const { page, problems } = await openApp(browser.context, server.url);
  await uploadPhoto(page, photoPath(TOP));
  const original = await readCanvas(page);
  await paintStroke(page);
  const painted = await readCanvas(page);
  assert.notDeepEqual(Buffer.from(painted.data), Buffer.from(original.data));

  await afterFrame(page, () => page.click('#undo'));
  assert.deepEqual(Buffer.from((await readCanvas(page)).data), Buffer.from(original.data), 'undo restores the photo exactly');
  await afterFrame(page, () => page.click('#redo'));
  assert.deepEqual(Buffer.from((await readCanvas(page)).data), Buffer.from(painted.data), 'redo brings the same dots back');

  await page.locator('#hold-original').scrollIntoViewIfNeeded();
  const box = await page.locator('#hold-original').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await afterFrame(page, () => page.mouse.down());
  assert.deepEqual(Buffer.from((await readCanvas(page)).data), Buffer.from(original.data), 'holding shows the original');
  await afterFrame(page, () => page.mouse.up());
  assert.deepEqual(Buffer.from((await readCanvas(page)).data), Buffer.from(painted.data));

  await afterFrame(page, () => page.check('#split-on'));
  const split = await readCanvas(page);
  const rowSame = (img, ref, x0, x1, y) => {
    for (let x = x0; x < x1; x++) for (let c = 0; c < 3; c++) if (img.data[(y * img.width + x) * 4 + c] !== ref.data[(y * ref.width + x) * 4 + c]) return false;
    return true;
  };
  assert.ok(rowSame(split, original, 200, 318, 305), 'left of the split shows the original');
  assert.ok(rowSame(split, painted, 322, 440, 305), 'right of the split shows the result');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the hairline keeps dots on its treated side', async () => {
  const { page, problems } = await openApp(browser.context, server.url);
  await uploadPhoto(page, photoPath(TOP));
  const original = await readCanvas(page);
  await setSlider(page, '#brush-mm', 120);
  await afterFrame(page, () => dragInWorkPixels(page, [[150, 120], [490, 120], [490, 520], [150, 520], [320, 320]]));
  await afterFrame(page, () => page.click('[data-tool=hairline]'));
  const now = await readCanvas(page);
  const changedIn = (y0, y1) => {
    let n = 0;
    for (let y = y0; y < y1; y++) for (let x = 200; x < 440; x++) {
      const i = (y * 640 + x) * 4;
      if (now.data[i] !== original.data[i] || now.data[i + 1] !== original.data[i + 1]) n++;
    }
    return n;
  };
  // The hairline detection suggested (this photo has no face: a curved line above the
  // forehead), or the default one; its handles are in photo px (the canvas is the 640 px photo).
  assert.equal(await page.locator('circle.handle').count(), 5);
  const ys = await page.$$eval('circle.handle', (cs) => cs.map((c) => Number(c.getAttribute('cy'))));
  const [highest, lowest] = [Math.min(...ys), Math.max(...ys)];
  assert.ok(highest > 200 && lowest + 40 < 480, `handles at ${ys}`);
  assert.ok(changedIn(150, 190) > 500, 'dots above the hairline');
  // Below it by more than its feather (6 mm, ~22 px here): none.
  assert.equal(changedIn(Math.ceil(lowest + 40), 500), 0, 'no dots well below it');
  assert.deepEqual(problems, []);
  await page.close();
});

/** A JPEG made by the browser, with an EXIF orientation inserted after SOI. */
async function orientedJpeg(page, orientation) {
  const b64 = await page.evaluate(async (orientation) => {
    const c = new OffscreenCanvas(160, 120);
    const ctx = c.getContext('2d');
    ctx.fillStyle = 'rgb(30,30,220)'; ctx.fillRect(0, 0, 160, 120);
    ctx.fillStyle = 'rgb(220,30,30)'; ctx.fillRect(0, 0, 160, 30); // red band on the stored top
    const jpeg = new Uint8Array(await (await c.convertToBlob({ type: 'image/jpeg', quality: 0.95 })).arrayBuffer());
    const tiff = [0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0];
    const app1 = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
    const len = app1.length + 2;
    const out = new Uint8Array([0xff, 0xd8, 0xff, 0xe1, len >> 8, len & 0xff, ...app1, ...jpeg.subarray(2)]);
    let s = ''; for (const b of out) s += String.fromCharCode(b);
    return btoa(s);
  }, orientation);
  return Buffer.from(b64, 'base64');
}

test('a portrait JPEG with EXIF orientation 6 comes out upright', async () => {
  const { page, problems } = await openApp(browser.context, server.url);
  await uploadPhoto(page, { name: 'portrait.jpg', mimeType: 'image/jpeg', buffer: await orientedJpeg(page, 6) });
  const img = await readCanvas(page);
  assert.deepEqual([img.width, img.height], [120, 160], 'rotated to portrait');
  const px = (x, y) => Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 3));
  assert.ok(px(110, 80)[0] > 150 && px(110, 80)[2] < 100, `red band on the right: ${px(110, 80)}`);
  assert.ok(px(10, 80)[2] > 150, `blue on the left: ${px(10, 80)}`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a photo can also be dropped on the page or pasted', async () => {
  const { page, problems } = await openApp(browser.context, server.url);
  const bytes = fs.readFileSync(photoPath(TOP)).toString('base64');
  for (const how of ['drop', 'paste']) {
    const before = await page.evaluate(() => document.querySelector('#preview-canvas')?.dataset.photoId ?? null);
    await page.evaluate(([b64, how]) => {
      const file = new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'dropped.jpg', { type: 'image/jpeg' });
      const dt = new DataTransfer();
      dt.items.add(file);
      if (how === 'drop') document.querySelector('.stage').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      else document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, [bytes, how]);
    await page.waitForFunction((prev) => {
      const c = document.querySelector('#preview-canvas');
      return c && c.dataset.photoId !== prev && Number(c.dataset.frames || 0) > 0;
    }, before);
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test('time controls: sessions layer dots, fresh vs healed, fading and too-deep blue; a shade is suggested', async () => {
  const { page, problems } = await openApp(browser.context, server.url);
  await uploadPhoto(page, photoPath(TOP));
  const original = await readCanvas(page);
  const { a, b, radiusWork } = await paintStroke(page);
  await page.waitForSelector('#suggestion');
  assert.match(await page.textContent('#suggestion'), /Suggested for this photo: .+ \(.*skin/);

  const stats = async () => {
    const img = await readCanvas(page);
    const r = compareAroundStroke(original, img, a, b, radiusWork);
    assert.equal(r.outsideChanged, 0);
    let dr = 0, dg = 0, db = 0, n = 0;
    for (let i = 0; i < img.data.length; i += 4) {
      if (img.data[i] !== original.data[i] || img.data[i + 1] !== original.data[i + 1]) {
        dr += original.data[i] - img.data[i]; dg += original.data[i + 1] - img.data[i + 1]; db += original.data[i + 2] - img.data[i + 2]; n++;
      }
    }
    return { changed: r.insideChanged, darkening: dg, blueMinusRed: (dr - db) / Math.max(n, 1) };
  };
  await afterFrame(page, () => page.click('[data-session="1"]'));
  const s1 = await stats();
  await afterFrame(page, () => page.click('[data-session="3"]'));
  const s3 = await stats();
  assert.ok(s3.darkening > s1.darkening * 1.3, `session 3 darker overall than session 1: ${s1.darkening} vs ${s3.darkening}`);
  await afterFrame(page, () => page.click('#fresh'));
  const fresh = await stats();
  assert.ok(fresh.darkening > s3.darkening, 'fresh dots are darker');
  await afterFrame(page, () => page.click('#healed'));
  await setSlider(page, '#years', 5);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const faded = await stats();
  assert.ok(faded.darkening < s3.darkening, 'five years later the dots are lighter');
  await afterFrame(page, () => page.check('#too-deep'));
  const deep = await stats();
  assert.ok(deep.blueMinusRed > faded.blueMinusRed + 1, `too deep shifts to blue: ${faded.blueMinusRed} -> ${deep.blueMinusRed}`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('following the head curve changes the dots near the area edge and nothing outside', async () => {
  const { page, problems } = await openApp(browser.context, server.url);
  await uploadPhoto(page, photoPath(TOP));
  const original = await readCanvas(page);
  const { a, b, radiusWork } = await paintStroke(page);
  const flat = await readCanvas(page);
  await afterFrame(page, () => page.check('#follow-curve'));
  const curved = await readCanvas(page);
  const r = compareAroundStroke(original, curved, a, b, radiusWork);
  assert.equal(r.outsideChanged, 0);
  assert.notDeepEqual(Buffer.from(curved.data), Buffer.from(flat.data), 'the curve moved the dots');
  assert.deepEqual(problems, []);
  await page.close();
});
