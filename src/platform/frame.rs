//! Animation frames: coalescing redraws, and yielding so a busy message can paint before
//! long synchronous work.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::window;

/// Run `f` on the next animation frame.
pub fn request_animation_frame(f: impl FnOnce() + 'static) {
    let closure = Closure::once_into_js(f);
    let _ = window().request_animation_frame(closure.unchecked_ref());
}

/// Resolves after the browser has painted at least one frame (rAF, then a macrotask).
pub async fn after_next_paint() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let resolve2 = resolve.clone();
        request_animation_frame(move || {
            let cb = Closure::once_into_js(move || {
                let _ = resolve2.call0(&JsValue::NULL);
            });
            let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), 0);
        });
        let _ = resolve;
    });
    let _ = JsFuture::from(promise).await;
}
