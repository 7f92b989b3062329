//! The page and its Web Worker run this same wasm module: `main` starts the app on the page
//! and does nothing in the worker, whose loader calls [`smp_worker_main`] instead.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::*;

fn main() {
    #[cfg(target_arch = "wasm32")]
    if smp_tryon::on_page() {
        smp_tryon::start();
    }
}

/// Hands the face detector's weights (`crates/smp-core/models/blazeface.bin`) to smp-core; the
/// worker's loader calls it before [`smp_worker_main`]. False if the bytes are not a model
/// (detection then runs without the face detector).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn smp_install_face_model(bytes: &[u8]) -> bool {
    smp_core::face::install_model(bytes).is_ok()
}

/// Hands the person mask's weights (`crates/smp-core/models/selfie.bin`) to smp-core, likewise.
/// False if the bytes are not a model (detection then runs without the person mask).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn smp_install_selfie_model(bytes: &[u8]) -> bool {
    smp_core::segment::install_model(bytes).is_ok()
}

/// Hands the face mesh's weights (`crates/smp-core/models/face_landmark.bin`) to smp-core,
/// likewise. False if the bytes are not a model (detection then runs without the mesh: the
/// detector's eyes, the brow search and the box-shaped face zone).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn smp_install_landmark_model(bytes: &[u8]) -> bool {
    smp_core::landmarks::install_model(bytes).is_ok()
}

/// Runs detection once on a small made-up photo ([`smp_tryon::engine::warm_up`]), so that the
/// page's first real detection runs optimised code; the loader calls it in the page's first
/// worker, after the models are installed.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn smp_warm_up() {
    smp_tryon::engine::warm_up();
}

/// The worker's entry point (called by the loader in `web/boot.js`).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn smp_worker_main() {
    smp_tryon::platform::in_worker::run();
}
