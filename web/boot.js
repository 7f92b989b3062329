// The page's loader, in place of trunk's inline one (scripts/post-build.mjs fills in the file
// names). The page's Content-Security-Policy forbids every connection (connect-src 'none'),
// so the wasm is not fetched: its bytes come as a same-origin script module and are compiled
// here, once, for the page and for every Web Worker.
import init from '%GLUE%';
// wasmBase64: the wasm bytes; glueSource: the text of wasm-bindgen's glue module (the one
// imported above), for the workers, so they make no request of their own.
import { wasmBase64, glueSource } from '%WASM_JS%';

// Any trap of the instance (a panic, out of memory) leaves it dead: say so calmly instead of
// leaving a frozen page. The banner is plain HTML in index.html; this needs nothing from wasm.
function showFatal() {
  const banner = document.getElementById('fatal');
  if (banner && banner.hidden) { banner.hidden = false; banner.focus(); }
}
window.addEventListener('error', (e) => { if (e.error instanceof WebAssembly.RuntimeError) showFatal(); });
window.addEventListener('unhandledrejection', (e) => { if (e.reason instanceof WebAssembly.RuntimeError) showFatal(); });

function fromBase64(text) {
  if (Uint8Array.fromBase64) return Uint8Array.fromBase64(text);
  const s = atob(text);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

try {
  const module = await WebAssembly.compile(fromBase64(wasmBase64));

  // The face detector's and the person mask's weights (crates/smp-core/models/blazeface.bin,
  // selfie.bin) are a script module of their own, imported once, when the first worker starts
  // (not for the first paint).
  let models = null;
  const loadModels = () => (models ??= import('%FACE_JS%')
    .then((m) => ({ face: fromBase64(m.faceModelBase64), selfie: fromBase64(m.selfieModelBase64) }))
    .catch((e) => { console.warn('models not loaded', e); return { face: null, selfie: null }; }));

  // Workers run the same module: the glue's text plus a few lines to start it on the module
  // handed over in the first message, then install the models from the second (requests
  // arriving meanwhile wait in a queue). Made from a blob: URL, a worker keeps the page's policy.
  const source = `${glueSource}
self.onmessage = (e) => {
  initSync({ module: e.data });
  const queued = [];
  self.onmessage = (f) => {
    if (f.data && f.data.smpFaceModel !== undefined) {
      if (f.data.smpFaceModel) smp_install_face_model(f.data.smpFaceModel);
      if (f.data.smpSelfieModel) smp_install_selfie_model(f.data.smpSelfieModel);
      self.onmessage = null;
      smp_worker_main();
      for (const q of queued) self.dispatchEvent(new MessageEvent('message', { data: q }));
    } else {
      queued.push(f.data);
    }
  };
};`;
  const workerUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  globalThis.__smpSpawnWorker = () => {
    const worker = new Worker(workerUrl, { type: 'module', name: 'smp-heavy-work' });
    worker.postMessage(module);
    loadModels().then((m) => worker.postMessage({ smpFaceModel: m.face, smpSelfieModel: m.selfie }));
    return worker;
  };

  await init({ module_or_path: module });
} catch (e) {
  console.error(e);
  showFatal();
}
