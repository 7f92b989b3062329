//! Telling this tab's saved work from other tabs' (see `saving::Slot`): a Web Lock per slot,
//! held while the tab is open, and the slot's id in the tab's sessionStorage, which survives a
//! reload of the tab but not a new tab. Browsers without Web Locks (before Safari 15.4) get
//! `None` from both lock calls: the page then cannot tell tabs apart and takes its own or the
//! newest slot, as a single tab would.

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::window;

const SESSION_KEY: &str = "smp-tryon-slot";

fn lock_name(slot: &str) -> String {
    format!("smp-tryon-slot:{slot}")
}

/// The slot this tab used before a reload.
pub fn own_slot() -> Option<String> {
    window().session_storage().ok().flatten()?.get_item(SESSION_KEY).ok().flatten()
}

/// Remember the tab's slot for its next reload.
pub fn remember_slot(slot: &str) {
    if let Some(storage) = window().session_storage().ok().flatten() {
        let _ = storage.set_item(SESSION_KEY, slot);
    }
}

fn lock_manager() -> Option<JsValue> {
    let locks = Reflect::get(&window().navigator(), &JsValue::from_str("locks")).ok()?;
    (!locks.is_undefined() && !locks.is_null()).then_some(locks)
}

/// The slots whose locks open tabs hold now; `None` without Web Locks.
pub async fn held_slots() -> Option<Vec<String>> {
    let locks = lock_manager()?;
    let query: Function = Reflect::get(&locks, &JsValue::from_str("query")).ok()?.dyn_into().ok()?;
    let promise: Promise = query.call0(&locks).ok()?.dyn_into().ok()?;
    let snapshot = JsFuture::from(promise).await.ok()?;
    let held: Array = Reflect::get(&snapshot, &JsValue::from_str("held")).ok()?.dyn_into().ok()?;
    let prefix = lock_name("");
    Some(
        held.iter()
            .filter_map(|l| Reflect::get(&l, &JsValue::from_str("name")).ok()?.as_string())
            .filter_map(|name| name.strip_prefix(&prefix).map(str::to_string))
            .collect(),
    )
}

/// Take the slot's lock for as long as the page lives: `Some(true)` taken, `Some(false)` another
/// tab holds it, `None` without Web Locks.
pub async fn hold_slot(slot: &str) -> Option<bool> {
    let locks = lock_manager()?;
    let request: Function = Reflect::get(&locks, &JsValue::from_str("request")).ok()?.dyn_into().ok()?;
    let options = Object::new();
    Reflect::set(&options, &JsValue::from_str("ifAvailable"), &JsValue::TRUE).ok()?;
    let name = JsValue::from_str(&lock_name(slot));
    let mut failed = false;
    let taken = Promise::new(&mut |resolve, reject| {
        // Called with the lock, or with null when another tab holds it. Holding it means
        // returning a promise that never settles: the lock goes when the page goes.
        let on_lock = Closure::once_into_js(move |lock: JsValue| -> JsValue {
            let held = !lock.is_null();
            let _ = resolve.call1(&JsValue::NULL, &JsValue::from_bool(held));
            if held {
                Promise::new(&mut |_, _| {}).into()
            } else {
                JsValue::UNDEFINED
            }
        });
        match request.call3(&locks, &name, &options, &on_lock) {
            Ok(p) => {
                if let Ok(p) = p.dyn_into::<Promise>() {
                    let on_error = Closure::once(move |e: JsValue| {
                        let _ = reject.call1(&JsValue::NULL, &e);
                    });
                    let _ = p.catch(&on_error);
                    // Called at most once, while the page lives.
                    on_error.forget();
                }
            }
            Err(_) => failed = true,
        }
    });
    if failed {
        return None;
    }
    JsFuture::from(taken).await.ok()?.as_bool()
}
