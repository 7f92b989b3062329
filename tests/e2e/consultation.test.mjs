// A consultation: several photos (angles) with their own edits and one shared plan; the work
// comes back after a reload (IndexedDB autosave); it goes through a consultation file into a
// fresh browser; a damaged, foreign, older or newer file gets a clear message and changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  startServer, launch, openApp, uploadPhoto, readCanvas, afterFrame, photoPath, dragInWorkPixels, setSlider,
} from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.close(); });

const FRONT = photoPath('hl01_front_L5_1-Front.jpg');
const TOP = photoPath('hl22_top_L7_16-Top-Down.jpg');

/** Wait until the autosave has written everything up to now (its counter moves after `action`). */
async function autosavedAfter(page, action) {
  const n = await page.evaluate(() => Number(document.body.dataset.autosaved || 0));
  await action();
  await page.waitForFunction((n) => Number(document.body.dataset.autosaved || 0) > n, n, { timeout: 30_000 });
}

/** Wait until the autosave has gone quiet (no save for 1.5 s: its pause after a change is 0.4 s). */
async function autosaveSettled(page) {
  let last = -1;
  for (;;) {
    const n = await page.evaluate(() => Number(document.body.dataset.autosaved || 0));
    if (n === last && n > 0) return;
    last = n;
    await page.waitForTimeout(1500);
  }
}

async function tabs(page) {
  return page.$$eval('.angle-tab', (els) => els.map((e) => ({ id: e.dataset.photoId, text: e.textContent, on: e.classList.contains('on') })));
}

async function selectTab(page, index) {
  const t = await tabs(page);
  if (t[index].on) return;
  await afterFrame(page, () => page.click(`.angle-tab[data-photo-id="${t[index].id}"]`));
}

function sameImage(a, b, what) {
  assert.equal(`${a.width}x${a.height}`, `${b.width}x${b.height}`, `${what}: size`);
  let differ = 0;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) differ++;
  assert.equal(differ, 0, `${what}: ${differ} bytes differ`);
}

function changed(a, b) {
  let n = 0;
  for (let i = 0; i < a.data.length; i += 4) if (a.data[i] !== b.data[i] || a.data[i + 1] !== b.data[i + 1]) n++;
  return n;
}

/** Two angles, each with its own painting; a shared density; the second named "back". */
async function buildConsultation(page) {
  await uploadPhoto(page, FRONT);
  const bareFront = await readCanvas(page);
  await afterFrame(page, () => dragInWorkPixels(page, [[300, 120], [380, 130], [460, 120]]));
  await afterFrame(page, () => setSlider(page, '#density', 55));
  const front = await readCanvas(page);
  assert.ok(changed(front, bareFront) > 500, 'the front is dotted');
  await uploadPhoto(page, TOP, { input: '#add-angle-input' });
  const bareTop = await readCanvas(page);
  await afterFrame(page, () => dragInWorkPixels(page, [[200, 200], [300, 260]]));
  await page.selectOption('#angle-view', 'back');
  const top = await readCanvas(page);
  assert.ok(changed(top, bareTop) > 300, 'the second angle is dotted');
  return { front, top };
}

test('angles keep their own edits; a reload brings the whole consultation back', async () => {
  const browser = await launch();
  try {
    const { page, problems } = await openApp(browser.context, server.url, null, { keepSaved: true });
    const { front, top } = await buildConsultation(page);
    assert.equal((await tabs(page)).length, 2);
    // Back to the front: its own area and dots, exactly.
    await autosavedAfter(page, () => selectTab(page, 0));
    sameImage(await readCanvas(page), front, 'front after switching back');
    assert.equal(await page.inputValue('#density'), '55', 'the plan is shared');

    await page.reload();
    await page.waitForFunction(() => document.body.dataset.restored === '2', null, { timeout: 60_000 });
    await page.waitForFunction(() => Number(document.querySelector('#preview-canvas')?.dataset.frames || 0) > 0 && !document.querySelector('#busy'));
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const restoredTabs = await tabs(page);
    assert.equal(restoredTabs.length, 2);
    assert.ok(restoredTabs[0].on, 'the angle shown when saved');
    assert.match(restoredTabs[1].text, /Back/);
    assert.match(await page.textContent('#notice'), /restored as you left it \(2 photos\)/);
    sameImage(await readCanvas(page), front, 'front after reload');
    assert.equal(await page.inputValue('#density'), '55');
    await selectTab(page, 1);
    sameImage(await readCanvas(page), top, 'second angle after reload');
    // Undo history starts afresh, but editing goes on (and is saved again).
    await autosavedAfter(page, () => afterFrame(page, () => page.click('#clear')));
    assert.deepEqual(problems, []);
    // "New consultation" empties the saved one: a reload shows no photo.
    page.once('dialog', (d) => d.accept());
    await autosavedAfter(page, () => page.click('#new-consultation'));
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.restored === '0', null, { timeout: 60_000 });
    assert.equal(await page.$('.angle-tab'), null);
    assert.equal(await page.$('#preview-canvas'), null);
  } finally {
    await browser.close();
  }
});

test('two tabs keep two consultations; a new tab takes up the one whose tab was closed', async () => {
  const browser = await launch();
  const restoredCount = (page) => page.waitForFunction(() => document.body.dataset.restored !== undefined, null, { timeout: 60_000 })
    .then(() => page.evaluate(() => Number(document.body.dataset.restored)));
  try {
    const a = await openApp(browser.context, server.url, null, { keepSaved: true });
    assert.equal(await restoredCount(a.page), 0);
    await uploadPhoto(a.page, FRONT);
    await autosaveSettled(a.page);
    const aImage = await readCanvas(a.page);
    // A second tab while the first is open: it starts empty and saves its own work.
    const b = await openApp(browser.context, server.url, null, { keepSaved: true });
    assert.equal(await restoredCount(b.page), 0, 'the open tab\'s work is not taken over');
    await uploadPhoto(b.page, TOP);
    await autosaveSettled(b.page);
    const bImage = await readCanvas(b.page);
    const [slotA, slotB] = [await a.page.getAttribute('body', 'data-slot'), await b.page.getAttribute('body', 'data-slot')];
    assert.ok(slotA && slotB && slotA !== slotB, `slots ${slotA} / ${slotB}`);
    // Each tab's reload brings back its own photo, not the tab saved last.
    for (const [page, image, what] of [[a.page, aImage, 'first tab'], [b.page, bImage, 'second tab']]) {
      await page.reload();
      assert.equal(await restoredCount(page), 1, what);
      await page.waitForFunction(() => Number(document.querySelector('#preview-canvas')?.dataset.frames || 0) > 0 && !document.querySelector('#busy'));
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      sameImage(await readCanvas(page), image, `${what} after its reload`);
    }
    // The first tab is closed; a new tab continues its consultation (the second is still open).
    await a.page.close();
    const c = await openApp(browser.context, server.url, null, { keepSaved: true });
    assert.equal(await restoredCount(c.page), 1);
    assert.equal(await c.page.getAttribute('body', 'data-slot'), slotA);
    await c.page.waitForFunction(() => Number(document.querySelector('#preview-canvas')?.dataset.frames || 0) > 0 && !document.querySelector('#busy'));
    await c.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    sameImage(await readCanvas(c.page), aImage, 'the closed tab\'s consultation in a new tab');
    // The second tab's photo is still stored (the first's clean-up kept it).
    await b.page.reload();
    assert.equal(await restoredCount(b.page), 1);
    assert.deepEqual([...a.problems, ...b.problems, ...c.problems], []);
  } finally {
    await browser.close();
  }
});

test('a photo chosen while the last consultation is still being restored opens after it, next to the restored work', async () => {
  const browser = await launch();
  // Holds the start-up restore back for 1.5 s (it asks which saved consultations other tabs
  // hold before reading any), so the photo is surely chosen during it.
  const slowRestore = () => {
    const locks = navigator.locks;
    if (!locks) return;
    const query = locks.query.bind(locks);
    locks.query = () => new Promise((resolve) => setTimeout(() => resolve(query()), 1500));
  };
  // The page as a user meets it: a photo can be chosen as soon as the input is there.
  const openEarly = async (fresh) => {
    const page = await browser.context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    await page.addInitScript(slowRestore);
    if (fresh) await page.addInitScript(() => indexedDB.deleteDatabase('smp-tryon'));
    await page.goto(server.url);
    await page.waitForSelector('#photo-input', { state: 'attached' });
    return { page, problems };
  };
  try {
    // Nothing saved: the photo simply opens once the (empty) restore is done.
    const first = await openEarly(true);
    assert.equal(await first.page.getAttribute('body', 'data-restored'), null, 'still restoring');
    await uploadPhoto(first.page, FRONT);
    assert.equal(await first.page.$('#notice.error'), null);
    assert.equal((await tabs(first.page)).length, 1);
    await autosaveSettled(first.page);
    await first.page.close();
    // Saved work comes back: a photo chosen meanwhile joins it as another angle.
    const second = await openEarly(false);
    assert.equal(await second.page.getAttribute('body', 'data-restored'), null, 'still restoring');
    await second.page.setInputFiles('#photo-input', TOP);
    await second.page.waitForFunction(() => document.querySelectorAll('.angle-tab').length === 2 && !document.querySelector('#busy')
      && document.body.dataset.detectedPhoto === document.querySelector('#preview-canvas')?.dataset.photoId, null, { timeout: 60_000 });
    assert.equal(await second.page.getAttribute('body', 'data-restored'), '1');
    assert.equal(await second.page.$('#notice.error'), null);
    assert.deepEqual([...first.problems, ...second.problems], []);
  } finally {
    await browser.close();
  }
});

test('a consultation file opens in another browser with every angle as it was', async () => {
  const first = await launch();
  const second = await launch();
  try {
    const { page } = await openApp(first.context, server.url);
    const { front, top } = await buildConsultation(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-consultation')]);
    assert.match(download.suggestedFilename(), /^consultation-\d{4}-\d\d-\d\d\.smptryon$/);
    const file = fs.readFileSync(await download.path());
    assert.equal(file.subarray(0, 8).toString('latin1'), 'SMPTRYON');
    assert.ok(file.length > fs.statSync(FRONT).size + fs.statSync(TOP).size, 'the photos are inside');

    const other = await openApp(second.context, server.url);
    await other.page.setInputFiles('#open-consultation-input', { name: 'c.smptryon', mimeType: 'application/octet-stream', buffer: file });
    await other.page.waitForFunction(() => document.querySelectorAll('.angle-tab').length === 2 && !document.querySelector('#busy'), null, { timeout: 60_000 });
    await other.page.waitForFunction(() => Number(document.querySelector('#preview-canvas')?.dataset.frames || 0) > 0);
    await other.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    assert.match(await other.page.textContent('#notice'), /Opened c\.smptryon: 2 photos/);
    // The file was saved with the second angle showing.
    sameImage(await readCanvas(other.page), top, 'second angle from the file');
    await selectTab(other.page, 0);
    sameImage(await readCanvas(other.page), front, 'front from the file');
    assert.equal(await other.page.inputValue('#density'), '55');
    assert.deepEqual(other.problems, []);
  } finally {
    await first.close();
    await second.close();
  }
});

test('a foreign, damaged, older or newer consultation file says why and changes nothing', async () => {
  const browser = await launch();
  try {
    const { page, problems } = await openApp(browser.context, server.url);
    await buildConsultation(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-consultation')]);
    const good = fs.readFileSync(await download.path());
    const shown = await readCanvas(page);
    const tabsBefore = await tabs(page);
    const withVersion = (v) => { const b = Buffer.from(good); b.writeUInt32LE(v, 8); return b; };
    const flipped = Buffer.from(good); flipped[flipped.length - 100] ^= 0x55;
    const cases = [
      ['photo.jpg', fs.readFileSync(FRONT), /not an SMP Try-On consultation file/],
      ['cut.smptryon', good.subarray(0, Math.floor(good.length / 2)), /damaged \(photo \d of 2 is cut short\); nothing was changed/],
      ['flipped.smptryon', flipped, /damaged \(photo 2 of 2 does not match its checksum\)/],
      ['old.smptryon', withVersion(0), /early version of SMP Try-On \(format 0\)/],
      ['new.smptryon', withVersion(9), /newer version of SMP Try-On \(format 9/],
      ['empty.smptryon', Buffer.alloc(0), /not an SMP Try-On consultation file/],
    ];
    for (const [name, buffer, message] of cases) {
      await page.setInputFiles('#open-consultation-input', { name, mimeType: 'application/octet-stream', buffer });
      await page.waitForSelector('#notice.error', { timeout: 30_000 });
      assert.match(await page.textContent('#notice.error span'), message, name);
      await page.click('#notice button');
      assert.deepEqual(await tabs(page), tabsBefore, `${name}: the angles stay`);
      sameImage(await readCanvas(page), shown, `${name}: the work on screen stays`);
    }
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

test('at most six angles; removing one keeps the others', async () => {
  const browser = await launch();
  try {
    const { page, problems } = await openApp(browser.context, server.url);
    await uploadPhoto(page, FRONT);
    for (let i = 1; i < 6; i++) await uploadPhoto(page, TOP, { input: '#add-angle-input' });
    assert.equal((await tabs(page)).length, 6);
    assert.equal(await page.isDisabled('#add-angle-input'), true, 'the sixth angle is the last');
    // A pasted photo would be a seventh: refused with a message, nothing changes.
    await page.evaluate(async (b64) => {
      const file = new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'pasted.jpg', { type: 'image/jpeg' });
      const dt = new DataTransfer();
      dt.items.add(file);
      document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, fs.readFileSync(FRONT).toString('base64'));
    await page.waitForSelector('#notice.error');
    assert.match(await page.textContent('#notice.error span'), /up to 6 photos/);
    assert.equal((await tabs(page)).length, 6);
    const current = (await tabs(page)).find((t) => t.on).id;
    await afterFrame(page, () => page.click('#remove-angle'));
    const left = await tabs(page);
    assert.equal(left.length, 5);
    assert.ok(!left.some((t) => t.id === current));
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
