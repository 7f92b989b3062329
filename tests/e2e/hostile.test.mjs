// Hostile input: every file of the generated corpus (scripts/hostile-corpus, made here if missing)
// is chosen after a good photo was loaded and painted. A bad file must give its own specific
// message and leave the photo, its edits and the page working; a good-but-odd file (CMYK, 16-bit,
// grey, progressive, alpha, animated WebP, every EXIF orientation, huge or broken EXIF) must load
// upright with the right size and colours. One browser and one page for the whole file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  repoRoot, startServer, launch, openApp, uploadPhoto, uploadBadFile, afterFrame, readCanvas,
  stageGeometry, dragInWorkPixels, photoPath,
} from './harness.mjs';

const corpusDir = path.join(repoRoot, 'tests', 'e2e', 'out', 'hostile');
const TOP = 'hl22_top_L7_16-Top-Down.jpg';
const OTHER = 'hl01_front_L5_1-Front.jpg';

// The wording expected for each kind of bad file (the kinds are set by the generator).
const sized = (name) => {
  const [, w, h] = name.match(/(\d+)x(\d+)/);
  return `${w} x ${h} pixels`;
};
const MESSAGES = {
  empty: () => /^That file is empty \(0 bytes\)\. Please choose a JPEG, PNG or WebP photo\.$/,
  unknown: () => /^That file is not a photo we can read\. Please choose a JPEG, PNG or WebP photo\.$/,
  text: () => /not a photo \(it looks like a text file\)/,
  pdf: () => /not a photo \(it looks like a PDF document\)/,
  html: () => /not a photo \(it looks like a web page\)/,
  zip: () => /not a photo \(it looks like a ZIP archive\)/,
  video: () => /not a photo \(it looks like a video\)/,
  svg: () => /^SVG files can't be used\. Please choose a JPEG, PNG or WebP photo\.$/,
  bmp: () => /^BMP files can't be used/,
  tiff: () => /^TIFF files can't be used/,
  gif: () => /^GIF files can't be used/,
  heic: () => /^This is a HEIC photo .*iPhone.*Settings > Camera > Formats > Most Compatible.*save it as JPEG/,
  avif: () => /^This is an AVIF photo.*camera settings.*save it as JPEG/,
  'too-many-pixels': (name) => new RegExp(`^That photo is ${sized(name)} \\(\\d+ megapixels\\); photos up to 40 megapixels can be opened\\.$`),
  'too-small': (name) => new RegExp(`^That image is only ${sized(name)}; a head photo needs at least 64 pixels on each side\\.$`),
  'damaged-jpeg': () => /^That JPEG file is damaged or incomplete and can't be opened\./,
  'damaged-png': () => /^That PNG file is damaged or incomplete and can't be opened\./,
  'damaged-webp': () => /^That WebP file is damaged or incomplete and can't be opened\./,
};

let server, browser, page, problems, manifest, reference;
before(async () => {
  execFileSync(path.join(repoRoot, 'scripts', 'hostile-corpus'), { stdio: 'inherit' });
  manifest = JSON.parse(fs.readFileSync(path.join(corpusDir, 'manifest.json'), 'utf8'));
  server = await startServer();
  browser = await launch();
  ({ page, problems } = await openApp(browser.context, server.url));
  await uploadPhoto(page, photoPath(TOP));
  reference = await readCanvas(page); // the unedited photo the corpus's "like" files were made from
});
after(async () => { await page?.close(); await browser?.close(); await server?.close(); });

/** Load the good photo (unless it is already the one shown) and paint a stroke on it. */
async function goodPhotoPainted() {
  await uploadPhoto(page, photoPath(TOP));
  const geo = await stageGeometry(page);
  await afterFrame(page, () => dragInWorkPixels(page, [[200, 300], [320, 305], [440, 310]], geo));
  const edited = await readCanvas(page);
  assert.notDeepEqual(Buffer.from(edited.data), Buffer.from(reference.data), 'the stroke changed the preview');
  return edited;
}

const noProblems = (what) => assert.deepEqual(problems.splice(0), [], `console errors or a panic after ${what}`);

test('the corpus has every kind of hostile file', () => {
  assert.ok(manifest.length >= 30, `${manifest.length} files`);
  for (const e of manifest) {
    assert.ok(fs.existsSync(path.join(corpusDir, e.file)), e.file);
    assert.ok(e.load || MESSAGES[e.refuse], `${e.file}: no expected message for kind ${e.refuse}`);
  }
  const kinds = new Set(manifest.map((e) => e.refuse || 'load'));
  assert.equal(kinds.size, Object.keys(MESSAGES).length + 1, 'every message kind is exercised');
  assert.equal(manifest.filter((e) => /^orientation-[1-8]\.jpg$/.test(e.file)).length, 8);
});

test('bad files: a specific message each, and the painted photo stays', async (t) => {
  const edited = await goodPhotoPainted();
  const photoId = await page.getAttribute('#preview-canvas', 'data-photo-id');
  for (const entry of manifest.filter((e) => e.refuse)) {
    await t.test(entry.file, async () => {
      if (await page.$('#notice')) await page.click('#notice button'); // dismiss the previous message
      const message = await uploadBadFile(page, path.join(corpusDir, entry.file));
      assert.match(message.trim(), MESSAGES[entry.refuse](entry.file));
      assert.equal(await page.getAttribute('#preview-canvas', 'data-photo-id'), photoId, 'the photo was not replaced');
      const now = await readCanvas(page);
      assert.deepEqual([now.width, now.height], [edited.width, edited.height]);
      assert.ok(Buffer.from(now.data).equals(Buffer.from(edited.data)), 'the painted preview is unchanged');
      assert.equal(await page.isDisabled('#undo'), false, 'the edit history is still there');
      noProblems(entry.file);
    });
  }
  // The page still works: a new good photo opens and can be painted.
  if (await page.$('#notice')) await page.click('#notice button');
  await uploadPhoto(page, photoPath(OTHER));
  assert.notEqual(await page.getAttribute('#preview-canvas', 'data-photo-id'), photoId);
  const fresh = await readCanvas(page);
  assert.deepEqual([fresh.width, fresh.height], [640, 640]);
  assert.equal(await page.$('#notice.error'), null, 'the message went with the new photo');
  await afterFrame(page, () => dragInWorkPixels(page, [[200, 300], [440, 310]]));
  assert.notDeepEqual(Buffer.from((await readCanvas(page)).data), Buffer.from(fresh.data), 'painting works on it');
  noProblems('the good photo after the bad files');
});

/** Mean absolute difference per channel against the reference photo (or its grey version). */
function meanDiff(img, ref, grey) {
  let sum = 0, n = 0, spread = 0;
  for (let i = 0; i < ref.data.length; i += 4) {
    const [r, g, b] = [ref.data[i], ref.data[i + 1], ref.data[i + 2]];
    const want = grey ? Array(3).fill(0.299 * r + 0.587 * g + 0.114 * b) : [r, g, b];
    for (let c = 0; c < 3; c++) { sum += Math.abs(img.data[i + c] - want[c]); n++; }
    if (grey) spread = Math.max(spread, Math.abs(img.data[i] - img.data[i + 1]), Math.abs(img.data[i] - img.data[i + 2]));
  }
  return { mean: sum / n, spread };
}

test('good but odd photos load upright with their size and colours', async (t) => {
  for (const entry of manifest.filter((e) => e.load)) {
    await t.test(entry.file, async () => {
      await goodPhotoPainted();
      const { cleared } = await uploadPhoto(page, path.join(corpusDir, entry.file));
      assert.equal(await page.$('#notice.error'), null, 'no error message');
      const img = await readCanvas(page);
      const [w, h] = entry.load.size;
      assert.deepEqual([img.width, img.height], [w, h], 'upright size');
      assert.deepEqual([Number(await page.getAttribute('#preview-canvas', 'data-full-width')),
        Number(await page.getAttribute('#preview-canvas', 'data-full-height'))], [w, h]);
      for (const [x, y, want] of entry.load.patches || []) {
        const i = (y * img.width + x) * 4;
        const got = Array.from(img.data.subarray(i, i + 3));
        assert.ok(got.every((v, c) => Math.abs(v - want[c]) <= 30), `pixel (${x}, ${y}) is ${got}, expected about ${want}`);
      }
      if (entry.load.like) {
        const { mean, spread } = meanDiff(img, reference, entry.load.like === 'gray');
        assert.ok(mean < 5, `mean difference from the photo it was made from: ${mean.toFixed(2)}`);
        if (entry.load.like === 'gray') assert.ok(spread <= 1, `grey stays grey (channel spread ${spread})`);
      }
      // A new photo starts a new history: its only step is the harness's Clear of the detected area.
      if (cleared) await afterFrame(page, () => page.click('#undo'));
      assert.equal(await page.isDisabled('#undo'), true, 'a new photo starts a new history');
      noProblems(entry.file);
    });
  }
});
