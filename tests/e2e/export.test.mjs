// Exports, as a user makes them: this angle, the before/after pair, the sequence over time, the
// contact sheet of every angle and every angle as its own file; PNG and JPEG; the clinic name
// and the date. Each download is caught and its pixels read back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  startServer, launch, openApp, uploadPhoto, afterFrame, stageGeometry, dragInWorkPixels, photoPath, setSlider,
} from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const TOP = 'hl22_top_L7_16-Top-Down.jpg'; // 640 x 640
const TOP2 = 'hl21_top_L5_13-Top-Down.jpg';
const BRUSH_MM = 40;
const A = [200, 300], B = [440, 310];

/** Paint the stroke A-B; returns its geometry in full-image px. */
async function paintStroke(page) {
  await setSlider(page, '#brush-mm', BRUSH_MM);
  const geo = await stageGeometry(page);
  await afterFrame(page, () => dragInWorkPixels(page, [A, [320, 305], B], geo));
  const pxPerMm = Number(await page.getAttribute('#preview-canvas', 'data-px-per-mm'));
  const toFull = geo.fullW / geo.workW;
  return { a: A.map((v) => v * toFull), b: B.map((v) => v * toFull), radius: (BRUSH_MM / 2) * pxPerMm, fullW: geo.fullW, fullH: geo.fullH };
}

/** Open a photo as another angle ("Add an angle"), wait for it, clear its detected area. */
async function addAngle(page, file) {
  const prev = await page.getAttribute('#preview-canvas', 'data-photo-id');
  await page.setInputFiles('#add-angle-input', file);
  await page.waitForFunction((prev) => {
    const c = document.querySelector('#preview-canvas');
    return c && c.dataset.photoId !== prev && Number(c.dataset.frames || 0) > 0 && !document.querySelector('#busy')
      && document.body.dataset.detectedPhoto === c.dataset.photoId;
  }, prev, { timeout: 60_000 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  if (!(await page.isDisabled('#clear'))) await afterFrame(page, () => page.click('#clear'));
}

function distToSegment([px, py], [ax, ay], [bx, by]) {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];
const startsWith = (bytes, magic) => magic.every((b, i) => bytes[i] === b);

/** Decode image bytes in the page: { width, height, data: RGBA Uint8Array }. */
async function decode(page, bytes) {
  const { width, height, b64 } = await page.evaluate(async (src) => {
    const bmp = await createImageBitmap(new Blob([Uint8Array.from(atob(src), (c) => c.charCodeAt(0))]),
      { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    const c = new OffscreenCanvas(bmp.width, bmp.height);
    const ctx = c.getContext('2d');
    ctx.drawImage(bmp, 0, 0);
    const d = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
    let s = '';
    for (let i = 0; i < d.length; i += 0x8000) s += String.fromCharCode.apply(null, d.subarray(i, i + 0x8000));
    return { width: bmp.width, height: bmp.height, b64: btoa(s) };
  }, bytes.toString('base64'));
  return { width, height, data: new Uint8Array(Buffer.from(b64, 'base64')) };
}

/** Choose the kind and click download; the file's name, bytes, pixels and the sheet's layout. */
async function exportAs(page, kind, { count = 1 } = {}) {
  await page.click(`#export-${kind}`);
  const downloads = [];
  const all = new Promise((resolve) => {
    const on = (d) => { downloads.push(d); if (downloads.length === count) { page.off('download', on); resolve(); } };
    page.on('download', on);
  });
  await page.click('#download');
  await all;
  await page.waitForFunction((n) => document.body.dataset.exportedFiles === String(n) && !document.querySelector('#busy'), count, { timeout: 120_000 });
  const layoutText = await page.getAttribute('body', 'data-export-layout');
  const files = [];
  for (const d of downloads) {
    const bytes = fs.readFileSync(await d.path());
    // To look at the files: SMP_EXPORT_DIR=/some/dir node --test export.test.mjs
    if (process.env.SMP_EXPORT_DIR) fs.writeFileSync(`${process.env.SMP_EXPORT_DIR}/${d.suggestedFilename()}`, bytes);
    files.push({ name: d.suggestedFilename(), bytes, image: await decode(page, bytes) });
  }
  return { files, file: files[0], layout: layoutText ? JSON.parse(layoutText) : null };
}

function crop(img, r) {
  const out = new Uint8Array(r.w * r.h * 4);
  for (let y = 0; y < r.h; y++) {
    const src = ((r.y + y) * img.width + r.x) * 4;
    out.set(img.data.subarray(src, src + r.w * 4), y * r.w * 4);
  }
  return { width: r.w, height: r.h, data: out };
}

const luma = (d, i) => 0.2126 * d[i] + 0.7152 * d[i + 1] + 0.0722 * d[i + 2];

/**
 * Compare two panels of the same photo (panel px; `scale` = panel px per full-image px) around
 * the stroke: pixels clearly outside it, above the bottom fifth (the marks and the byline), and
 * inside it. Returns counts and the mean luma inside each.
 */
function aroundStroke(p, q, stroke, scale) {
  let outside = 0, outsideSame = 0, inside = 0, insideDiff = 0, lumaP = 0, lumaQ = 0;
  const box = [Infinity, Infinity, -1, -1]; // where outside pixels differ (for the message)
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      const d = distToSegment([(x + 0.5) / scale, (y + 0.5) / scale], stroke.a, stroke.b);
      const i = (y * p.width + x) * 4;
      const same = p.data[i] === q.data[i] && p.data[i + 1] === q.data[i + 1] && p.data[i + 2] === q.data[i + 2];
      if (d > stroke.radius + 3 / scale + 2 && y < p.height * 0.8) {
        outside++;
        if (same) outsideSame++;
        else { box[0] = Math.min(box[0], x); box[1] = Math.min(box[1], y); box[2] = Math.max(box[2], x); box[3] = Math.max(box[3], y); }
      }
      else if (d < stroke.radius * 0.8) { inside++; if (!same) insideDiff++; lumaP += luma(p.data, i); lumaQ += luma(q.data, i); }
    }
  }
  return { outside, outsideSame, inside, insideDiff, lumaP: lumaP / inside, lumaQ: lumaQ / inside, differsIn: box.join(',') };
}

function meanAbsDiff(p, q) {
  let sum = 0;
  for (let i = 0; i < p.data.length; i += 4) sum += Math.abs(p.data[i] - q.data[i]) + Math.abs(p.data[i + 1] - q.data[i + 1]) + Math.abs(p.data[i + 2] - q.data[i + 2]);
  return sum / (p.data.length / 4) / 3;
}

test('pair, sequence and this angle: the before panel is the photo, the after panels are dotted, time fades', async () => {
  const { page, problems } = await openApp(browser.context, server.url);
  await uploadPhoto(page, photoPath(TOP));
  const stroke = await paintStroke(page);
  const original = await decode(page, fs.readFileSync(photoPath(TOP)));

  // This angle (the default kind; the button keeps its id): the full-size result.
  const angle = await exportAs(page, 'angle');
  assert.equal(angle.file.name, 'hl22_top_L7_16-Top-Down-smp-preview.png');
  assert.ok(startsWith(angle.file.bytes, PNG_MAGIC), 'a PNG');
  assert.deepEqual([angle.file.image.width, angle.file.image.height], [640, 640]);
  assert.equal(angle.layout, null);

  // The pair: side by side at full size.
  const pair = await exportAs(page, 'pair');
  assert.equal(pair.file.name, 'hl22_top_L7_16-Top-Down-smp-pair.png');
  assert.ok(startsWith(pair.file.bytes, PNG_MAGIC), 'a PNG');
  const img = pair.file.image;
  assert.deepEqual([img.width, img.height], [pair.layout.width, pair.layout.height]);
  const [pb, pa] = pair.layout.panels;
  assert.deepEqual([pb.image.w, pb.image.h, pa.image.w, pa.image.h], [640, 640, 640, 640]);
  assert.equal(pb.image.y, pa.image.y, 'side by side');
  assert.ok(pa.image.x >= pb.image.x + pb.image.w);
  assert.ok(img.width > 1280 && img.height > 640, `${img.width}x${img.height}`);
  const beforePanel = crop(img, pb.image), afterPanel = crop(img, pa.image);
  // The before panel is the photo, untouched: exactly the single export outside the stroke and
  // its mark (the same decoder), and the browser's own decode of the file within JPEG rounding.
  const vsAngle = aroundStroke(beforePanel, angle.file.image, stroke, 1);
  assert.equal(vsAngle.outsideSame, vsAngle.outside, `the before panel equals the photo outside the area (differs in x0,y0,x1,y1 = ${vsAngle.differsIn})`);
  assert.ok(vsAngle.insideDiff > vsAngle.inside * 0.3, 'and the single export is dotted where the before panel is not');
  assert.ok(meanAbsDiff(beforePanel, original) < 2, `before ≈ the photo (${meanAbsDiff(beforePanel, original)})`);
  const ba = aroundStroke(beforePanel, afterPanel, stroke, 1);
  assert.equal(ba.outsideSame, ba.outside, 'the after panel is the photo outside the area');
  assert.ok(ba.insideDiff > ba.inside * 0.3, `the after panel differs inside the area (${ba.insideDiff}/${ba.inside})`);
  assert.ok(ba.lumaQ < ba.lumaP - 3, 'and is darker there');
  // The after panel is the very render of "This angle" (outside both marks).
  const same = aroundStroke(afterPanel, angle.file.image, { ...stroke, radius: -1000 }, 1);
  assert.equal(same.outsideSame, same.outside, 'the pair shows the same render as the single export');

  // The sequence: before, session 1, session 3 healed, 3 years later.
  const seq = await exportAs(page, 'sequence');
  assert.equal(seq.file.name, 'hl22_top_L7_16-Top-Down-smp-sequence.png');
  assert.deepEqual(seq.layout.panels.map((p) => p.label), ['Before', 'After session 1, healed', 'After session 3, healed', '3 years later']);
  assert.deepEqual([seq.file.image.width, seq.file.image.height], [seq.layout.width, seq.layout.height]);
  const panels = seq.layout.panels.map((p) => crop(seq.file.image, p.image));
  const scale = seq.layout.panels[0].image.w / 640;
  assert.equal(scale, 1, 'a 640 px photo is not downscaled');
  const s1 = aroundStroke(panels[0], panels[1], stroke, scale);
  const s3 = aroundStroke(panels[0], panels[2], stroke, scale);
  const y3 = aroundStroke(panels[0], panels[3], stroke, scale);
  for (const r of [s1, s3, y3]) {
    assert.equal(r.outsideSame, r.outside, 'every panel is the photo outside the area');
    assert.ok(r.insideDiff > r.inside * 0.3);
  }
  assert.equal(meanAbsDiff(panels[0], beforePanel), 0, 'the sequence starts from the same photo');
  assert.ok(s1.lumaQ > s3.lumaQ, `session 1 is lighter than session 3 healed (${s1.lumaQ} vs ${s3.lumaQ})`);
  assert.ok(y3.lumaQ > s3.lumaQ, `3 years later has faded (${y3.lumaQ} vs ${s3.lumaQ})`);
  assert.ok(s3.lumaQ < s3.lumaP, 'session 3 is darker than before');

  // JPEG: the same sequence as a JPEG file of the same size, close to the PNG.
  await page.click('#export-jpeg');
  await setSlider(page, '#jpeg-quality', 95);
  const seqJpeg = await exportAs(page, 'sequence');
  assert.equal(seqJpeg.file.name, 'hl22_top_L7_16-Top-Down-smp-sequence.jpg');
  assert.ok(startsWith(seqJpeg.file.bytes, JPEG_MAGIC), 'a JPEG');
  assert.deepEqual([seqJpeg.file.image.width, seqJpeg.file.image.height], [seq.layout.width, seq.layout.height]);
  const jpegDiff = meanAbsDiff(seqJpeg.file.image, seq.file.image);
  assert.ok(jpegDiff < 4, `the JPEG is close to the PNG (${jpegDiff})`);
  const pairJpeg = await exportAs(page, 'pair');
  assert.equal(pairJpeg.file.name, 'hl22_top_L7_16-Top-Down-smp-pair.jpg');
  assert.ok(startsWith(pairJpeg.file.bytes, JPEG_MAGIC));

  assert.deepEqual(problems, []);
  await page.close();
});

test('clinic name and date are printed on the footer; every sheet is marked', async () => {
  const { page, problems } = await openApp(browser.context, server.url);
  await uploadPhoto(page, photoPath(TOP));
  await paintStroke(page);
  await page.uncheck('#export-date');
  const plain = await exportAs(page, 'pair');
  const footer = plain.layout.footer;
  await page.check('#export-date');
  const dated = await exportAs(page, 'pair');
  await page.fill('#export-clinic', 'Ink & Follicle Clinic');
  const named = await exportAs(page, 'pair');
  const f0 = crop(plain.file.image, footer), f1 = crop(named.file.image, footer), f2 = crop(dated.file.image, footer);
  // Text is white on the dark band: count light pixels in the right half (where the byline goes).
  const light = (f) => {
    let n = 0;
    for (let y = 0; y < f.height; y++) for (let x = Math.floor(f.width / 2); x < f.width; x++) {
      const i = (y * f.width + x) * 4;
      if (f.data[i] > 160 && f.data[i + 1] > 160 && f.data[i + 2] > 160) n++;
    }
    return n;
  };
  // The byline is right-aligned: its width is the run of columns with text at the right end,
  // up to a gap wider than a word space (the text shrinks to fit, so count columns, not pixels).
  const bylineWidth = (f) => {
    const lit = (x) => { for (let y = 0; y < f.height; y++) { const i = (y * f.width + x) * 4; if (f.data[i] > 160 && f.data[i + 1] > 160 && f.data[i + 2] > 160) return true; } return false; };
    let x = f.width - 1;
    while (x > 0 && !lit(x)) x--;
    const right = x;
    let gap = 0;
    for (; x > 0 && gap < f.height * 0.3; x--) gap = lit(x) ? 0 : gap + 1;
    // Right-aligned text ends one padding (about the font size) from the edge.
    return right > f.width - f.height ? right - (x + gap) : 0;
  };
  const [w0, w1, w2] = [bylineWidth(f0), bylineWidth(f1), bylineWidth(f2)];
  assert.ok(light(f0) > 0 && light(f2) > light(f0), `the date adds text (${light(f0)} -> ${light(f2)})`);
  assert.ok(w2 > w0 + 20, `the date appears bottom-right (byline ${w0} -> ${w2} px wide)`);
  assert.ok(w1 > w2 * 2, `the clinic name appears beside it (byline ${w2} -> ${w1} px wide)`);
  // Outside the footer the three files are the same.
  const body = { x: 0, y: 0, w: plain.layout.width, h: footer.y };
  assert.equal(meanAbsDiff(crop(plain.file.image, body), crop(named.file.image, body)), 0);
  // The mark: the footer's left part has white text in every case; the after panel has its badge.
  const leftLight = (f) => {
    let n = 0;
    for (let y = 0; y < f.height; y++) for (let x = 0; x < f.width / 3; x++) {
      const i = (y * f.width + x) * 4;
      if (f.data[i] > 200 && f.data[i + 1] > 200 && f.data[i + 2] > 200) n++;
    }
    return n;
  };
  assert.ok(leftLight(f0) > 100, 'the footer carries "SIMULATION"');
  const pa = plain.layout.panels[1].image;
  const corner = crop(plain.file.image, { x: pa.x + Math.floor(pa.w * 0.55), y: pa.y + Math.floor(pa.h * 0.85), w: Math.floor(pa.w * 0.45), h: Math.floor(pa.h * 0.15) });
  assert.ok(leftLight(corner) + light(corner) > 10, 'the after panel carries the mark');
  // The clinic name also goes on a single image, beside the mark.
  const single = await exportAs(page, 'angle');
  const band = crop(single.file.image, { x: 0, y: 580, w: 320, h: 60 });
  assert.ok(leftLight(band) > 20, 'the byline is drawn bottom-left on a single image');
  assert.deepEqual(problems, []);
  await page.close();
});

test('contact sheet: one row per angle, each from its own photo and area; all angles: one file each', async () => {
  const { page, problems } = await openApp(browser.context, server.url);
  await uploadPhoto(page, photoPath(TOP));
  const stroke1 = await paintStroke(page);
  await addAngle(page, photoPath(TOP2));
  const stroke2 = await paintStroke(page);
  const sheet = await exportAs(page, 'contact-sheet');
  const today = new Date();
  const ymd = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
  assert.equal(sheet.file.name, `consultation-${ymd}-contact-sheet.png`);
  assert.ok(startsWith(sheet.file.bytes, PNG_MAGIC));
  const L = sheet.layout;
  assert.deepEqual([sheet.file.image.width, sheet.file.image.height], [L.width, L.height]);
  assert.equal(L.panels.length, 4, 'before and after for each of the two angles');
  const rows = [L.panels.slice(0, 2), L.panels.slice(2, 4)];
  for (const [i, [b, a]] of rows.entries()) {
    assert.equal(b.image.y, a.image.y, 'before and after on one row');
    assert.deepEqual([b.source.angle, a.source.angle], [i, i]);
    assert.match(b.label, /^[A-Z][a-z]+( \d)?: before$/);
    assert.match(a.label, /^[A-Z][a-z]+( \d)?: after$/);
  }
  assert.ok(rows[1][0].image.y >= rows[0][0].image.y + rows[0][0].image.h, 'one row per angle');
  const fullW = [stroke1.fullW, stroke2.fullW];
  for (const [i, [b, a]] of rows.entries()) {
    const stroke = [stroke1, stroke2][i];
    const r = aroundStroke(crop(sheet.file.image, b.image), crop(sheet.file.image, a.image), stroke, b.image.w / fullW[i]);
    assert.equal(r.outsideSame, r.outside, `angle ${i + 1}: the after panel is the photo outside its area`);
    assert.ok(r.insideDiff > r.inside * 0.3, `angle ${i + 1}: dotted inside its area`);
  }
  const b1 = crop(sheet.file.image, rows[0][0].image), b2 = crop(sheet.file.image, rows[1][0].image);
  assert.ok(b1.width !== b2.width || b1.height !== b2.height || meanAbsDiff(b1, b2) > 5, 'each row shows its own photo');

  // All angles: one full-size file per angle.
  const all = await exportAs(page, 'all-angles', { count: 2 });
  assert.deepEqual(all.files.map((f) => f.name).sort(), ['hl21_top_L5_13-Top-Down-smp-preview.png', 'hl22_top_L7_16-Top-Down-smp-preview.png']);
  for (const f of all.files) assert.ok(startsWith(f.bytes, PNG_MAGIC));
  assert.deepEqual(problems, []);
  await page.close();
});
