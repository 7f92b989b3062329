// The page's loader, in place of trunk's inline one (scripts/post-build.mjs fills in the file
// names). The page's Content-Security-Policy forbids every connection (connect-src 'none'),
// so the wasm is not fetched: its bytes come as a same-origin script module and are compiled
// here, once, for the page and for every Web Worker.
//
// Two builds of the app may ship: one with wasm SIMD (faster detection) and the baseline. A
// browser without wasm SIMD (iOS Safari before 16.4) cannot even compile the SIMD one, so the
// loader asks first (WebAssembly.validate on a tiny SIMD function) and imports only the
// matching glue and wasm; `?smp-no-simd` forces the baseline. Each variant is a pair: the
// wasm-bindgen glue module, and `<name>_bg.wasm.js` with the wasm bytes (wasmBase64) and the
// glue's text (glueSource) for the workers, so they run the same variant and request nothing.
const variants = {
  simd: { glue: '%GLUE_SIMD%', wasm: '%WASM_JS_SIMD%' }, // empty when built without it
  baseline: { glue: '%GLUE%', wasm: '%WASM_JS%' },
};

// (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt): valid only with wasm SIMD.
const simdProbe = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
function hasWasmSimd() {
  try { return WebAssembly.validate(simdProbe); } catch { return false; }
}
const noSimdFlag = location.search.replace(/^\?/, '').split('&').includes('smp-no-simd');

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

/** A variant's glue (its `init`), the glue's text and the compiled wasm module. */
async function load(variant) {
  const [{ default: init }, { wasmBase64, glueSource }] = await Promise.all([
    import(variants[variant].glue), import(variants[variant].wasm),
  ]);
  return { init, glueSource, module: await WebAssembly.compile(fromBase64(wasmBase64)) };
}

try {
  let variant = variants.simd.glue && !noSimdFlag && hasWasmSimd() ? 'simd' : 'baseline';
  let loaded;
  try {
    loaded = await load(variant);
  } catch (e) {
    // A browser that validates the probe yet cannot take the SIMD build still gets the page.
    if (variant !== 'simd') throw e;
    console.warn('the wasm SIMD build did not load; loading the one without SIMD', e);
    variant = 'baseline';
    loaded = await load(variant);
  }
  document.body.dataset.wasmVariant = variant;
  const { init, glueSource, module } = loaded;

  // The face detector's, the person mask's and the face mesh's weights
  // (crates/smp-core/models/blazeface.bin, selfie.bin, face_landmark.bin) are a script module of
  // their own, imported once, when the first worker starts (not for the first paint).
  let models = null;
  const loadModels = () => (models ??= import('%MODELS_JS%')
    .then((m) => ({
      face: fromBase64(m.faceModelBase64),
      selfie: fromBase64(m.selfieModelBase64),
      landmark: fromBase64(m.landmarkModelBase64),
    }))
    .catch((e) => { console.warn('models not loaded', e); return { face: null, selfie: null, landmark: null }; }));

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
      if (f.data.smpLandmarkModel) smp_install_landmark_model(f.data.smpLandmarkModel);
      if (f.data.smpWarmUp) smp_warm_up();
      self.onmessage = null;
      smp_worker_main();
      for (const q of queued) self.dispatchEvent(new MessageEvent('message', { data: q }));
    } else {
      queued.push(f.data);
    }
  };
};`;
  const workerUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  // The page's first worker first runs detection once on a made-up photo (smp_warm_up), so the
  // first real photo's detection runs optimised code (workers share the module's code).
  let warmUp = true;
  globalThis.__smpSpawnWorker = () => {
    const worker = new Worker(workerUrl, { type: 'module', name: 'smp-heavy-work' });
    worker.postMessage(module);
    const smpWarmUp = warmUp;
    warmUp = false;
    loadModels().then((m) => worker.postMessage({ smpFaceModel: m.face, smpSelfieModel: m.selfie, smpLandmarkModel: m.landmark, smpWarmUp }));
    return worker;
  };

  await init({ module_or_path: module });
} catch (e) {
  console.error(e);
  showFatal();
}
