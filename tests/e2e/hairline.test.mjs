// Hairline design on the real page, on a shared front photo whose detection finds the face
// (hl07: eyes and brows found, scale from the eyes): presets placed in mm above the brows, the
// 7-10 cm guide at the right heights for the displayed scale, symmetric dragging, and dots only
// on the treated side of the line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openApp, uploadPhoto, readCanvas, afterFrame, photoPath, dragInWorkPixels } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const PHOTO = 'hl07_front_L2_21-Front.jpg';

/** The guide's frame as drawn (full-image px) and the scale the page displays. */
async function frame(page) {
  const g = await page.$eval('#mm-guide', (el) => ({ ...el.dataset }));
  const shown = Number(await page.$eval('#preview-canvas', (c) => c.dataset.pxPerMm));
  const readout = Number((await page.textContent('#scale-readout')).match(/([\d.]+) photo pixels per mm/)[1]);
  const f = { bx: Number(g.browX), by: Number(g.browY), ux: Number(g.upX), uy: Number(g.upY), ppm: Number(g.pxPerMm) };
  return { ...f, shown, readout };
}
const heightMm = (f, p) => ((p.x - f.bx) * f.ux + (p.y - f.by) * f.uy) / f.ppm;
const lateralMm = (f, p) => ((p.x - f.bx) * -f.uy + (p.y - f.by) * f.ux) / f.ppm;
const at = (f, lateral, height) => ({
  x: f.bx + (-f.uy * lateral + f.ux * height) * f.ppm,
  y: f.by + (f.ux * lateral + f.uy * height) * f.ppm,
});

async function handles(page) {
  return page.$$eval('circle.handle', (cs) => cs.map((c) => ({ x: Number(c.getAttribute('cx')), y: Number(c.getAttribute('cy')) })));
}

/** Pixels of the preview that differ from the original, as a function (x, y in full px) -> bool. */
async function changedMap(page) {
  const out = await readCanvas(page);
  await page.dispatchEvent('#hold-original', 'pointerdown');
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const orig = await readCanvas(page);
  await page.dispatchEvent('#hold-original', 'pointerup');
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const fullW = Number(await page.$eval('#preview-canvas', (c) => c.dataset.fullWidth));
  const s = out.width / fullW;
  return (x, y) => {
    const i = (Math.round(y * s) * out.width + Math.round(x * s)) * 4;
    return out.data[i] !== orig.data[i] || out.data[i + 1] !== orig.data[i + 1] || out.data[i + 2] !== orig.data[i + 2];
  };
}

/** Share of changed pixels over a box in the face's frame (mm across, mm above the brows). */
function share(changed, f, [l0, l1], [h0, h1]) {
  let n = 0, c = 0;
  for (let h = h0; h <= h1; h += 0.5) {
    for (let l = l0; l <= l1; l += 0.5) {
      const p = at(f, l, h);
      n++;
      if (changed(p.x, p.y)) c++;
    }
  }
  return c / n;
}

test('hairline presets, the mm guide, symmetry and dots on the treated side only', async () => {
  const { page, problems } = await openApp(browser.context, server.url);
  await uploadPhoto(page, photoPath(PHOTO));
  assert.match(await page.textContent('#detection'), /face found/);
  await afterFrame(page, () => page.click('[data-tool=hairline]'));
  await afterFrame(page, () => page.click('#preset-juvenile'));
  await afterFrame(page, () => page.click('#edge-sharp'));

  // The guide: 70 / 80 / 100 mm above the brows along the mid-line, at the displayed scale.
  const f = await frame(page);
  assert.ok(Math.abs(f.ppm - f.shown) < 1e-4 && Math.abs(f.ppm - f.readout) < 0.006, `scale ${f.ppm} / ${f.shown} / ${f.readout}`);
  const levels = await page.$$eval('#mm-guide line[data-guide-mm]', (ls) => ls.map((l) => ({
    mm: Number(l.dataset.guideMm),
    a: { x: Number(l.getAttribute('x1')), y: Number(l.getAttribute('y1')) },
    b: { x: Number(l.getAttribute('x2')), y: Number(l.getAttribute('y2')) },
  })));
  assert.deepEqual(levels.map((l) => l.mm), [70, 80, 100]);
  for (const { mm, a, b } of levels) {
    const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
    const dist = Math.hypot(mid.x - f.bx, mid.y - f.by);
    assert.ok(Math.abs(dist - mm * f.shown) < 0.5, `${mm} mm level ${dist.toFixed(1)} px from the brows, expected ${(mm * f.shown).toFixed(1)}`);
    assert.ok(Math.abs(heightMm(f, a) - mm) < 0.05 && Math.abs(heightMm(f, b) - mm) < 0.05, 'level across the face');
  }

  // The juvenile preset: its middle handle on the mid-line at 75 mm, handles mirror-symmetric.
  const juvenile = await handles(page);
  const n = juvenile.length;
  assert.equal(n, 7);
  const mfp = juvenile[(n - 1) / 2];
  assert.ok(Math.abs(heightMm(f, mfp) - 75) < 0.1 && Math.abs(lateralMm(f, mfp)) < 0.1, `MFP at ${heightMm(f, mfp)} mm`);
  for (let i = 0; i < n; i++) {
    const [p, q] = [juvenile[i], juvenile[n - 1 - i]];
    assert.ok(Math.abs(lateralMm(f, p) + lateralMm(f, q)) < 0.1 && Math.abs(heightMm(f, p) - heightMm(f, q)) < 0.1, `handle ${i} mirrors ${n - 1 - i}`);
  }
  // Mature: higher, its temple corners set further back than the juvenile's.
  await afterFrame(page, () => page.click('#preset-mature'));
  const mature = await handles(page);
  assert.equal(mature.length, 9);
  assert.ok(Math.abs(heightMm(f, mature[4]) - 85) < 0.1);
  assert.ok(heightMm(f, mature[2]) > heightMm(f, juvenile[1]) + 10, 'mature corners higher');
  assert.equal(await page.inputValue('#mfp-mm'), '85');
  // Back to juvenile for the pixel checks.
  await afterFrame(page, () => page.click('#preset-juvenile'));

  // Paint a wide area across the line (its detected area was cleared): dots only above it.
  await afterFrame(page, () => page.click('[data-tool=paint]'));
  await page.$eval('#brush-mm', (el) => { el.value = '100'; el.dispatchEvent(new Event('input', { bubbles: true })); });
  const geo = await page.evaluate(() => {
    const c = document.querySelector('#preview-canvas');
    return { s: c.width / Number(c.dataset.fullWidth) };
  });
  const stroke = [-45, -15, 15, 45].map((l) => at(f, l, 75)).map((p) => [p.x * geo.s, p.y * geo.s]);
  await afterFrame(page, () => dragInWorkPixels(page, stroke));
  let changed = await changedMap(page);
  const above = share(changed, f, [-25, 25], [84, 110]);
  const below = share(changed, f, [-25, 25], [40, 71]);
  assert.ok(above > 0.05, `dots above the line: ${(above * 100).toFixed(1)} % of the samples changed`);
  assert.equal(below, 0, 'no dot below a sharp line');
  // A broken edge puts a few dots ahead of the line where a sharp one has none.
  await afterFrame(page, () => page.click('[data-tool=hairline]'));
  await afterFrame(page, () => page.click('#edge-broken'));
  changed = await changedMap(page);
  const ahead = share(changed, f, [-25, 25], [56, 71]);
  assert.ok(ahead > 0, 'a broken edge has strays ahead of the line');
  assert.ok(ahead < share(changed, f, [-25, 25], [84, 110]), 'fewer than behind it');
  assert.equal(share(changed, f, [-25, 25], [25, 40]), 0, 'and nothing far ahead');

  // Symmetric: dragging a handle moves its partner, mirrored about the face's mid-line.
  await afterFrame(page, () => page.check('#hairline-symmetric'));
  assert.ok(await page.$('line.sym-axis'), 'the axis is shown');
  const start = await handles(page);
  const box = await page.locator('circle.handle[data-handle="1"]').boundingBox();
  const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
  await afterFrame(page, async () => {
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(cx - 12, cy - 18, { steps: 5 });
    await page.mouse.up();
  });
  const moved = await handles(page);
  assert.ok(Math.hypot(moved[1].x - start[1].x, moved[1].y - start[1].y) > 10, 'handle 1 moved');
  const partner = moved[n - 2];
  const expect = at(f, -lateralMm(f, moved[1]), heightMm(f, moved[1]));
  assert.ok(Math.hypot(partner.x - expect.x, partner.y - expect.y) < 0.5,
    `partner at ${partner.x.toFixed(1)},${partner.y.toFixed(1)}, mirror at ${expect.x.toFixed(1)},${expect.y.toFixed(1)}`);
  assert.ok(Math.hypot(partner.x - start[n - 2].x, partner.y - start[n - 2].y) > 10, 'the partner moved too');
  for (const i of [0, 2, 3, 4, 6]) assert.deepEqual(moved[i], start[i], `handle ${i} stays`);
  // The guide can be hidden.
  await afterFrame(page, () => page.uncheck('#mm-guide-on'));
  assert.equal(await page.$('#mm-guide'), null);
  assert.deepEqual(problems, []);
  await page.close();
});

test('without a face, presets keep the line\'s middle and the page says mm heights need a face', async () => {
  const { page, problems } = await openApp(browser.context, server.url);
  await uploadPhoto(page, photoPath('hl22_top_L7_16-Top-Down.jpg'));
  await afterFrame(page, () => page.click('[data-tool=hairline]'));
  const before = await handles(page);
  const midX = (before[0].x + before[before.length - 1].x) / 2;
  await afterFrame(page, () => page.click('#preset-mature'));
  const after = await handles(page);
  assert.equal(after.length, 9);
  assert.ok(Math.abs(after[4].x - midX) < 0.5, `the middle stays at x ${midX}: ${after[4].x}`);
  assert.match(await page.textContent('#hairline-no-face'), /need a face/);
  assert.equal(await page.$('#mm-guide'), null, 'no guide without brows');
  assert.equal(await page.$('#mfp-mm'), null, 'no height in mm without brows');
  assert.deepEqual(problems, []);
  await page.close();
});
