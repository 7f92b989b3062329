// Zoom and pan to 1:1 on a 12 MP photo: the wheel zooms about the cursor, the keyboard zooms,
// fits and pans, a pinch (two touch points) zooms without painting; at 1:1 the preview comes
// from the full-resolution photo (not the ~2 MP working copy upscaled): outside the area its
// pixels are the photo's own, inside dots appear, painting lands under the pointer; side by
// side shows the original; the caption says the time shown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launch, openApp, uploadPhoto, afterFrame, photoPath, setSlider } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const TOP = 'hl22_top_L7_16-Top-Down.jpg';
const W = 4000, H = 3000;
// Full-image px: the painted stroke, a patch of 1 px stripes (detail the working copy cannot
// hold) outside it, and where the cursor zooms.
const STROKE = [[1500, 1500], [2300, 1500]];
const STRIPES = { x0: 2700, y0: 1500, x1: 2900, y1: 1740 };
const FOCUS = [2550, 1500];
const DAB = [2820, 1320];
const shots = process.env.SMP_ZOOM_SHOTS; // a directory: screenshots of each step

/**
 * A PNG of the shared photo upscaled to W x H, with per-pixel grain and a patch of 1 px
 * stripes; its exact pixels stay in the page as `window.__truth` (RGBA) to compare with.
 */
async function detailedPng(page) {
  const b64 = await page.evaluate(async ([src, W, H, S]) => {
    const bmp = await createImageBitmap(new Blob([Uint8Array.from(atob(src), (c) => c.charCodeAt(0))]));
    const c = new OffscreenCanvas(W, H);
    const ctx = c.getContext('2d');
    ctx.drawImage(bmp, 0, 0, W, H);
    const img = ctx.getImageData(0, 0, W, H);
    const d = img.data;
    let seed = 12345;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = (y * W + x) * 4;
        seed = (seed * 1103515245 + 12345) >>> 0;
        const n = ((seed >>> 16) % 25) - 12;
        const stripe = x >= S.x0 && x < S.x1 && y >= S.y0 && y < S.y1;
        for (let k = 0; k < 3; k++) d[i + k] = stripe ? ((x % 2) ? 235 : 25) : Math.max(0, Math.min(255, d[i + k] + n));
        d[i + 3] = 255;
      }
    }
    ctx.putImageData(img, 0, 0);
    window.__truth = { width: W, height: H, data: new Uint8Array(d.buffer.slice(0)) };
    const bytes = new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer());
    let s = ''; for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }, [fs.readFileSync(photoPath(TOP)).toString('base64'), W, H, STRIPES]);
  return Buffer.from(b64, 'base64');
}

/** The stage's zoom state as the page shows it. */
async function view(page) {
  return page.evaluate(() => {
    const b = document.querySelector('#photo-box');
    const r = b.getBoundingClientRect();
    const [cx, cy] = b.dataset.centre.split(' ').map(Number);
    return { left: r.left, top: r.top, width: r.width, height: r.height, zoom: Number(b.dataset.zoom),
      percent: Number(b.dataset.percent), cx, cy };
  });
}

/** Full-image px -> client px, from the stage's box and its zoom (the page's own mapping). */
function toScreen(v, [x, y]) {
  return [v.left + (0.5 + (x - v.cx) * v.zoom / W) * v.width, v.top + (0.5 + (y - v.cy) * v.zoom / H) * v.height];
}

/** Wait until the full-resolution canvas `sel` shows the current view with more than `renders` renders. */
async function detailShown(page, renders = -1, sel = '#detail-canvas') {
  await page.waitForFunction(([sel, n]) => {
    const c = document.querySelector('#detail-canvas');
    const t = document.querySelector(sel);
    return c.dataset.state === 'shown' && Number(c.dataset.renders) > n && t && t.style.display === 'block';
  }, [sel, renders], { timeout: 60_000 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return Number(await page.getAttribute('#detail-canvas', 'data-renders'));
}

/**
 * Compare the detail canvas `sel` with the true full-resolution pixels, in the page. Returns
 * the part it covers, where its pixels differ from the truth (count and centroid, per region
 * of interest) and how the working copy (the preview canvas) compares on the stripes.
 */
async function compareWithTruth(page, sel, regions) {
  return page.evaluate(([sel, regions]) => {
    const c = document.querySelector(sel);
    const [x0, y0, x1, y1] = c.dataset.part.split(' ').map(Number);
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const t = window.__truth;
    const out = { part: [x0, y0, x1, y1], size: [c.width, c.height] };
    for (const [name, test] of Object.entries(regions)) {
      const inside = new Function('x', 'y', `return ${test};`);
      let n = 0, differ = 0, sx = 0, sy = 0, maxDiff = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          if (!inside(x, y)) continue;
          n++;
          const i = ((y - y0) * c.width + (x - x0)) * 4, j = (y * t.width + x) * 4;
          const d = Math.max(Math.abs(px[i] - t.data[j]), Math.abs(px[i + 1] - t.data[j + 1]), Math.abs(px[i + 2] - t.data[j + 2]));
          if (d > 0) { differ++; sx += x; sy += y; }
          maxDiff = Math.max(maxDiff, d);
        }
      }
      out[name] = { n, differ, maxDiff, centroid: differ ? [sx / differ, sy / differ] : null };
    }
    return out;
  }, [sel, regions]);
}

/** Mean absolute difference between the working preview (upscaled as shown) and the truth on the stripes. */
async function workingCopyErrorOnStripes(page, S) {
  return page.evaluate((S) => {
    const c = document.querySelector('#preview-canvas');
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const t = window.__truth;
    let sum = 0, n = 0;
    for (let y = S.y0; y < S.y1; y++) {
      for (let x = S.x0; x < S.x1; x++) {
        const wx = Math.floor(x * c.width / t.width), wy = Math.floor(y * c.height / t.height);
        const i = (wy * c.width + wx) * 4, j = (y * t.width + x) * 4;
        sum += Math.abs(px[i] - t.data[j]); n++;
      }
    }
    return sum / n;
  }, S);
}

async function shot(page, name) {
  if (!shots) return;
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

test('zoom to 1:1 shows the full-resolution photo and paints under the pointer; pinch, keys, side by side', async () => {
  const { page, problems } = await openApp(browser.context, `${server.url}?smp-test-hooks`);
  const png = await detailedPng(page);
  await uploadPhoto(page, { name: 'big.png', mimeType: 'image/png', buffer: png });
  const work = await page.evaluate(() => [document.querySelector('#preview-canvas').width, document.querySelector('#preview-canvas').height]);
  assert.ok(work[0] < W / 2, `the working copy (${work}) is well below the photo's ${W} px`);

  // The caption says the time shown, and follows the controls.
  assert.equal(await page.textContent('#time-caption'), 'Session 3 · healed');
  await page.click('[data-session="2"]');
  await setSlider(page, '#years', 3);
  await page.waitForFunction(() => document.querySelector('#time-caption').textContent === 'Session 2 · healed · 3 years later');

  // Paint a stroke, fitted.
  await setSlider(page, '#brush-mm', 30);
  const pxPerMm = Number(await page.getAttribute('#preview-canvas', 'data-px-per-mm'));
  const radius = 15 * pxPerMm;
  let v = await view(page);
  assert.equal(v.zoom, 1);
  await afterFrame(page, async () => {
    const [a, b] = STROKE.map((p) => toScreen(v, p));
    await page.mouse.move(...a); await page.mouse.down();
    await page.mouse.move(...b, { steps: 8 }); await page.mouse.up();
  });
  assert.ok(STRIPES.x0 - STROKE[1][0] > radius + 20, `the stripes (at ${STRIPES.x0}) lie outside the area (radius ${radius})`);
  assert.ok(Math.hypot(DAB[0] - STROKE[1][0], DAB[1] - STROKE[1][1]) > radius + 6 * pxPerMm + 20 && STRIPES.y0 - DAB[1] > 6 * pxPerMm + 20,
    'the dab painted later touches neither');
  assert.equal(await page.getAttribute('#detail-canvas', 'data-state'), 'off', 'fitted: the working copy is enough');

  // The wheel zooms about the cursor, up to 1:1 and no further.
  const cursor = toScreen(v, FOCUS);
  await page.mouse.move(...cursor);
  for (let i = 0; i < 12; i++) await page.mouse.wheel(0, -240);
  await page.waitForFunction(() => Number(document.querySelector('#photo-box').dataset.percent) >= 99.9);
  v = await view(page);
  assert.ok(Math.abs(v.percent - 100) < 0.1, `${v.percent} %`);
  assert.equal((await page.textContent('#zoom-level')).trim(), '100 %');
  const under = [v.cx + ((cursor[0] - v.left) / v.width - 0.5) * W / v.zoom, v.cy + ((cursor[1] - v.top) / v.height - 0.5) * H / v.zoom];
  assert.ok(Math.hypot(under[0] - FOCUS[0], under[1] - FOCUS[1]) < 2, `the point under the cursor stayed: ${under}`);

  // (a) outside the area the pixels are the full-resolution photo's own; the working copy's are not.
  let renders = await detailShown(page);
  await shot(page, '1-wheel-1to1');
  const outsideArea = (extra = '') => `Math.hypot(x - Math.max(${STROKE[0][0]}, Math.min(${STROKE[1][0]}, x)), y - ${STROKE[0][1]}) > ${radius + 4}${extra}`;
  let cmp = await compareWithTruth(page, '#detail-canvas', {
    stripes: `x >= ${STRIPES.x0} && x < ${STRIPES.x1} && y >= ${STRIPES.y0} && y < ${STRIPES.y1}`,
    outside: outsideArea(),
    inside: `Math.hypot(x - Math.max(${STROKE[0][0]}, Math.min(${STROKE[1][0]}, x)), y - ${STROKE[0][1]}) < ${radius - 4}`,
  });
  assert.equal(cmp.size[0], cmp.part[2] - cmp.part[0], 'one canvas pixel per photo pixel');
  assert.ok(cmp.stripes.n > 20000, `the stripes are in view: ${JSON.stringify(cmp.stripes)}`);
  assert.equal(cmp.stripes.differ, 0, `stripes: ${JSON.stringify(cmp.stripes)}`);
  assert.equal(cmp.outside.differ, 0, `outside the area: ${JSON.stringify(cmp.outside)}`);
  const workingError = await workingCopyErrorOnStripes(page, STRIPES);
  assert.ok(workingError > 40, `the upscaled working copy would differ on the stripes by ${workingError} on average`);
  // (b) inside the area, dots.
  assert.ok(cmp.inside.n > 50000, `the area is in view: ${JSON.stringify(cmp.inside)}`);
  assert.ok(cmp.inside.differ > cmp.inside.n * 0.1, `dots inside: ${JSON.stringify(cmp.inside)}`);

  // Edits update the 1:1 view: a lighter shade re-renders it.
  await page.click('[data-shade="4"]');
  renders = await detailShown(page, renders);

  // (c) painting while zoomed lands where the pointer is.
  await setSlider(page, '#brush-mm', 12);
  // Setting the slider may have scrolled the page (the panel is long): bring the photo back.
  await page.locator('#photo-box').scrollIntoViewIfNeeded();
  const dabRadius = 6 * pxPerMm;
  const onCanvas = await page.evaluate(([dx, dy]) => {
    // Where the photo point is on screen, from the detail canvas's own layout.
    const c = document.querySelector('#detail-canvas');
    const [x0, y0, x1, y1] = c.dataset.part.split(' ').map(Number);
    const r = c.getBoundingClientRect();
    return [r.left + (dx - x0) / (x1 - x0) * r.width, r.top + (dy - y0) / (y1 - y0) * r.height];
  }, DAB);
  await afterFrame(page, async () => {
    await page.mouse.move(...onCanvas); await page.mouse.down();
    await page.mouse.move(onCanvas[0] + 1, onCanvas[1]); await page.mouse.up();
  });
  renders = await detailShown(page, renders);
  await shot(page, '2-painted-at-1to1');
  cmp = await compareWithTruth(page, '#detail-canvas', {
    dab: `Math.hypot(x - ${DAB[0]}, y - ${DAB[1]}) < ${dabRadius * 1.5}`,
    outside: outsideArea(` && Math.hypot(x - ${DAB[0]}, y - ${DAB[1]}) > ${dabRadius + 4}`),
  });
  assert.ok(cmp.dab.differ > 30, `dots where the pointer painted: ${JSON.stringify(cmp.dab)}`);
  const [gx, gy] = cmp.dab.centroid;
  assert.ok(Math.hypot(gx + 0.5 - DAB[0], gy + 0.5 - DAB[1]) < dabRadius * 0.25,
    `the dab is centred at ${gx.toFixed(1)}, ${gy.toFixed(1)}, the pointer was over ${DAB} (radius ${dabRadius})`);
  assert.equal(cmp.outside.differ, 0, `nothing else changed: ${JSON.stringify(cmp.outside)}`);

  // (d) side by side: the original on one half, at the same zoom and pan.
  await page.check('#side-by-side');
  await page.waitForSelector('#before-detail-canvas');
  await page.waitForFunction(() => {
    const b = document.querySelector('#before-detail-canvas');
    const a = document.querySelector('#detail-canvas');
    return a.dataset.state === 'shown' && b.style.display === 'block' && b.dataset.part === a.dataset.part;
  }, null, { timeout: 60_000 });
  await shot(page, '3-side-by-side');
  const before = await compareWithTruth(page, '#before-detail-canvas', { all: 'true' });
  assert.ok(before.all.n > 100000);
  assert.equal(before.all.differ, 0, `the before pane is the original: ${JSON.stringify(before.all)}`);
  const afterSide = await compareWithTruth(page, '#detail-canvas', { all: 'true' });
  assert.ok(afterSide.all.differ > 1000, 'the after pane shows the dots');
  const panes = await page.evaluate(() => [document.querySelector('#before-box').getBoundingClientRect().toJSON(),
    document.querySelector('#photo-box').getBoundingClientRect().toJSON()]);
  assert.ok(panes[0].right <= panes[1].left + 1 && Math.abs(panes[0].width - panes[1].width) < 1, 'two panes, side by side');
  await page.uncheck('#side-by-side');

  // The keyboard: 0 fits, + zooms in to 1:1, arrows pan by a tenth of the view.
  await page.focus('#photo-box');
  await page.keyboard.press('0');
  await page.waitForFunction(() => document.querySelector('#photo-box').dataset.zoom === '1.0000');
  await page.waitForFunction(() => document.querySelector('#detail-canvas').dataset.state === 'off');
  for (let i = 0; i < 8; i++) await page.keyboard.press('+');
  await page.waitForFunction(() => Number(document.querySelector('#photo-box').dataset.percent) >= 99.9);
  const k0 = await view(page);
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction((cx) => Number(document.querySelector('#photo-box').dataset.centre.split(' ')[0]) !== cx, k0.cx);
  const k1 = await view(page);
  assert.ok(Math.abs(k0.cx - k1.cx - 0.1 * W / k0.zoom) < 1, `ArrowLeft shows more of the left: ${k0.cx} -> ${k1.cx}`);
  // Space + drag and a middle-button drag move the photo with the pointer, and paint nothing.
  const painted = await page.evaluate(() => document.querySelector('#preview-canvas').toDataURL());
  for (const how of ['space', 'middle']) {
    const p0 = await view(page);
    const from = [p0.left + p0.width * 0.5, p0.top + p0.height * 0.5];
    if (how === 'space') await page.keyboard.down(' ');
    await page.mouse.move(...from);
    await page.mouse.down({ button: how === 'space' ? 'left' : 'middle' });
    await page.mouse.move(from[0] + 120, from[1] + 40, { steps: 6 });
    await page.mouse.up({ button: how === 'space' ? 'left' : 'middle' });
    if (how === 'space') await page.keyboard.up(' ');
    await page.waitForFunction((c) => document.querySelector('#photo-box').dataset.centre !== c, `${p0.cx.toFixed(2)} ${p0.cy.toFixed(2)}`);
    const p1 = await view(page);
    const expected = [p0.cx - 120 * W / (p0.width * p0.zoom), p0.cy - 40 * H / (p0.height * p0.zoom)];
    assert.ok(Math.abs(p1.cx - expected[0]) < 1 && Math.abs(p1.cy - expected[1]) < 1,
      `${how} drag: centre ${p1.cx}, ${p1.cy}, expected ${expected}`);
  }
  assert.equal(await page.evaluate(() => document.querySelector('#preview-canvas').toDataURL()), painted, 'panning painted nothing');
  renders = await detailShown(page, renders);
  cmp = await compareWithTruth(page, '#detail-canvas', { outside: outsideArea(` && Math.hypot(x - ${DAB[0]}, y - ${DAB[1]}) > ${dabRadius + 4}`) });
  assert.ok(cmp.outside.n > 100000);
  assert.equal(cmp.outside.differ, 0, `after keyboard zoom and pan: ${JSON.stringify(cmp.outside)}`);
  await shot(page, '4-keyboard');

  // A pinch (two touch points) zooms out about its middle and paints nothing.
  await page.click('#zoom-fit');
  await page.waitForFunction(() => document.querySelector('#photo-box').dataset.zoom === '1.0000');
  const fitted = await page.evaluate(() => document.querySelector('#preview-canvas').toDataURL());
  v = await view(page);
  const cdp = await page.context().newCDPSession(page);
  const mid = [v.left + v.width * 0.5, v.top + v.height * 0.5];
  const touch = (dx) => [{ x: mid[0] - dx, y: mid[1], id: 1 }, { x: mid[0] + dx, y: mid[1], id: 2 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [touch(40)[0]] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: touch(40) });
  for (let dx = 50; dx <= 120; dx += 10) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: touch(dx) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await page.waitForFunction(() => Number(document.querySelector('#photo-box').dataset.zoom) > 2.5);
  const pinched = await view(page);
  assert.ok(pinched.zoom > 2.5 && pinched.zoom < 3.5, `a 3x pinch zooms ~3x: ${pinched.zoom}`);
  assert.ok(Math.abs(pinched.cx - W / 2) < 60 && Math.abs(pinched.cy - H / 2) < 60, `about its middle: ${pinched.cx}, ${pinched.cy}`);
  await page.click('#zoom-fit');
  await page.waitForFunction(() => document.querySelector('#photo-box').dataset.zoom === '1.0000');
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  assert.equal(await page.evaluate(() => document.querySelector('#preview-canvas').toDataURL()), fitted, 'the pinch painted nothing');

  assert.deepEqual(problems, []);
  await page.close();
});
