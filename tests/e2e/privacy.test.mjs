// Privacy, proven: the page carries a Content-Security-Policy that forbids every connection
// and anything from another origin; the whole app (wasm loading, the Web Worker, open, edit,
// render, export) works under it without a single violation, and the server sees no request
// but the page's own static files. A second test shows the policy is active: the page and its
// worker cannot reach another origin (or even their own).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launch, uploadPhoto, afterFrame, dragInWorkPixels, photoPath, distDir } from './harness.mjs';

let server, other, browser;
before(async () => { server = await startServer(); other = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); await other?.close(); });

/** Open the page with CSP violations (document and worker) and CSP console messages recorded. */
async function openWatched(url) {
  const page = await browser.context.newPage();
  const report = { console: [], pageErrors: [], workers: [] };
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push(`${e.effectiveDirective} ${e.blockedURI}`);
    });
  });
  const onConsole = (m) => { if (m.type() === 'error' || /Content.Security.Policy|Refused/i.test(m.text())) report.console.push(m.text()); };
  page.on('console', onConsole);
  page.on('pageerror', (e) => report.pageErrors.push(e.message));
  page.on('worker', (w) => { report.workers.push(w); w.on('console', onConsole); });
  await page.goto(url);
  await page.waitForSelector('#photo-input', { state: 'attached' });
  return { page, report };
}

const policyOf = (html) => html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1];

test('under its policy the page opens, edits, renders and exports with no request but its own files', async () => {
  const html = fs.readFileSync(path.join(distDir, 'index.html'), 'utf8');
  const policy = policyOf(html);
  assert.ok(policy, 'the built page carries a Content-Security-Policy');
  for (const rule of ["connect-src 'none'", "default-src 'none'", "script-src 'self' 'wasm-unsafe-eval'"]) {
    assert.ok(policy.includes(rule), `the policy has ${rule}: ${policy}`);
  }
  assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/, 'no inline script');

  const before = server.requests.length;
  const { page, report } = await openWatched(server.url);
  await uploadPhoto(page, photoPath('hl22_top_L7_16-Top-Down.jpg'));
  await page.evaluate(() => { const e = document.querySelector('#brush-mm'); e.value = '40'; e.dispatchEvent(new Event('input', { bubbles: true })); });
  await afterFrame(page, () => dragInWorkPixels(page, [[200, 300], [320, 305], [440, 310]]));
  await afterFrame(page, () => page.click('[data-shade="3"]'));
  await afterFrame(page, () => page.click('[data-treatment=density]'));
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click('#download')]);
  assert.ok(fs.statSync(await download.path()).size > 10_000, 'a real PNG was saved');
  await uploadPhoto(page, photoPath('hl23_top_L6_18-Top-Down.jpg'));
  await page.waitForTimeout(300);

  assert.ok(report.workers.length > 0, 'the heavy work ran in a Web Worker');
  assert.deepEqual(await page.evaluate(() => window.__violations), [], 'no policy violation on the page');
  assert.deepEqual(report.console, [], 'no error and no policy message in the page or worker consoles');
  assert.deepEqual(report.pageErrors, []);
  const asked = server.requests.slice(before);
  const files = new Set(fs.readdirSync(distDir));
  for (const url of asked) {
    const name = url === '/' ? 'index.html' : decodeURIComponent(url.slice(1));
    assert.ok(files.has(name) && /\.(html|css|js)$/.test(name), `a request for a static file of the page: ${url}`);
  }
  assert.equal(asked.filter((u) => u === '/').length, 1, 'the page itself was loaded once');
  assert.equal(new Set(asked).size, asked.length, `each file once, nothing after the load: ${asked.join(' ')}`);
  assert.ok(!asked.some((u) => u.endsWith('.wasm')), 'the wasm is not fetched (connect-src none)');
  await page.close();
});

test('the policy is active: neither the page nor its worker can reach another origin, or its own', async () => {
  const { page, report } = await openWatched(server.url);
  await uploadPhoto(page, photoPath('hl22_top_L7_16-Top-Down.jpg'));
  const probe = `${other.url}probe`;
  const fromPage = await page.evaluate(async (url) => {
    const out = {};
    try { await fetch(url); out.fetchOther = 'reached'; } catch (e) { out.fetchOther = `blocked: ${e.name}`; }
    try { await fetch('/index.html'); out.fetchSelf = 'reached'; } catch (e) { out.fetchSelf = `blocked: ${e.name}`; }
    out.image = await new Promise((r) => { const i = new Image(); i.onload = () => r('loaded'); i.onerror = () => r('blocked'); i.src = `${url}.png`; });
    await new Promise((r) => setTimeout(r, 100));
    return out;
  }, probe);
  assert.deepEqual(fromPage, { fetchOther: 'blocked: TypeError', fetchSelf: 'blocked: TypeError', image: 'blocked' });
  const violations = await page.evaluate(() => window.__violations);
  assert.ok(violations.some((v) => v.startsWith('connect-src') && v.includes(other.url.slice(0, -1))), `connect-src reported: ${violations}`);
  assert.ok(violations.some((v) => v.startsWith('img-src')), `img-src reported: ${violations}`);

  await page.waitForFunction(() => true);
  const worker = page.workers().at(-1);
  assert.ok(worker, 'a worker is running');
  const fromWorker = await worker.evaluate(async (url) => {
    try { await fetch(url); return 'reached'; } catch (e) { return `blocked: ${e.name}`; }
  }, probe);
  assert.equal(fromWorker, 'blocked: TypeError', 'the worker keeps the page policy');
  assert.deepEqual(other.requests, [], 'the other origin never heard from the page');
  await page.close();
});
