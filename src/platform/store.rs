//! The browser's own storage (IndexedDB) for the autosave: each tab's consultation manifest under
//! its slot's id (and the time it was written under `<id>#at`), each photo's file under its
//! content hash (written once, however often the edits are saved, shared by the slots). Nothing
//! leaves the device.

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

use super::{js_error_text, window};
use crate::saving::Slot;

const DB_NAME: &str = "smp-tryon";
const DB_VERSION: u32 = 1;
const PHOTOS: &str = "photos";
const CONSULTATION: &str = "consultation";
/// The key suffix of a slot's save time (8 bytes, f64 little-endian ms since 1970).
const SAVED_AT: &str = "#at";

/// The autosave's database.
pub struct Store {
    db: IdbDatabase,
}

/// The result of an IndexedDB request, awaited.
async fn done(request: &IdbRequest) -> Result<JsValue, String> {
    let promise = Promise::new(&mut |resolve, reject| {
        let ok = request.clone();
        let on_success = Closure::once_into_js(move |_: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &ok.result().unwrap_or(JsValue::UNDEFINED));
        });
        let failed = request.clone();
        let on_error = Closure::once_into_js(move |_: JsValue| {
            let why = failed.error().ok().flatten().map(|e| e.message()).unwrap_or_else(|| "unknown error".into());
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&why));
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
    });
    JsFuture::from(promise).await.map_err(|e| js_error_text(&e))
}

/// A failed save, in words (`why` is the browser's reason).
pub fn save_error(why: &str) -> String {
    let what = "The work could not be saved in this browser";
    if why.contains("closing") || why.contains("closed") {
        format!("{what}: another tab of this page took over its storage. Reload to go on saving here, or save the consultation to a file.")
    } else if why.to_lowercase().contains("quota") {
        format!("{what}: this device's browser storage is full. Save the consultation to a file to keep it.")
    } else {
        format!("{what}: {why}")
    }
}

impl Store {
    /// Open (or create) the database. Fails in browsers without IndexedDB (some private modes).
    pub async fn open() -> Result<Store, String> {
        let factory = window()
            .indexed_db()
            .map_err(|e| js_error_text(&e))?
            .ok_or_else(|| "this browser offers no storage for web pages".to_string())?;
        let request: IdbOpenDbRequest = factory.open_with_u32(DB_NAME, DB_VERSION).map_err(|e| js_error_text(&e))?;
        let upgrade_request = request.clone();
        let on_upgrade = Closure::once_into_js(move |_: JsValue| {
            if let Ok(db) = upgrade_request.result().and_then(|r| r.dyn_into::<IdbDatabase>()) {
                let names = db.object_store_names();
                for store in [PHOTOS, CONSULTATION] {
                    if !names.contains(store) {
                        let _ = db.create_object_store(store);
                    }
                }
            }
        });
        request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
        let db = done(&request).await?;
        let db: IdbDatabase = db.dyn_into().map_err(|_| "the browser's storage did not open".to_string())?;
        // Another tab deleting or upgrading the database waits for this connection: let it go
        // (this page's later saves then fail and say so once).
        let closing = db.clone();
        let on_version_change = Closure::<dyn Fn(JsValue)>::new(move |_: JsValue| closing.close());
        db.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
        on_version_change.forget();
        Ok(Store { db })
    }

    fn store(&self, name: &str, mode: IdbTransactionMode) -> Result<web_sys::IdbObjectStore, String> {
        self.db
            .transaction_with_str_and_mode(name, mode)
            .and_then(|t| t.object_store(name))
            .map_err(|e| js_error_text(&e))
    }

    async fn put(&self, store: &str, key: &str, bytes: &[u8]) -> Result<(), String> {
        let value = Uint8Array::from(bytes);
        let request = self
            .store(store, IdbTransactionMode::Readwrite)?
            .put_with_key(&value, &JsValue::from_str(key))
            .map_err(|e| js_error_text(&e))?;
        done(&request).await.map(|_| ())
    }

    async fn get(&self, store: &str, key: &str) -> Result<Option<Vec<u8>>, String> {
        let request = self
            .store(store, IdbTransactionMode::Readonly)?
            .get(&JsValue::from_str(key))
            .map_err(|e| js_error_text(&e))?;
        let value = done(&request).await?;
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        Ok(Some(Uint8Array::new(&value).to_vec()))
    }

    async fn delete(&self, store: &str, key: &str) -> Result<(), String> {
        let request = self
            .store(store, IdbTransactionMode::Readwrite)?
            .delete(&JsValue::from_str(key))
            .map_err(|e| js_error_text(&e))?;
        done(&request).await.map(|_| ())
    }

    /// Every key of a store (the keys here are all strings).
    async fn keys(&self, store: &str) -> Result<Vec<String>, String> {
        let request = self.store(store, IdbTransactionMode::Readonly)?.get_all_keys().map_err(|e| js_error_text(&e))?;
        let keys: Array = done(&request).await?.unchecked_into();
        Ok(keys.iter().filter_map(|k| k.as_string()).collect())
    }

    pub async fn put_photo(&self, hash: &str, bytes: &[u8]) -> Result<(), String> {
        self.put(PHOTOS, hash, bytes).await
    }

    pub async fn get_photo(&self, hash: &str) -> Result<Option<Vec<u8>>, String> {
        self.get(PHOTOS, hash).await
    }

    /// Write a slot's manifest and the time it was written.
    pub async fn put_manifest(&self, slot: &str, bytes: &[u8], now_ms: f64) -> Result<(), String> {
        self.put(CONSULTATION, slot, bytes).await?;
        self.put(CONSULTATION, &format!("{slot}{SAVED_AT}"), &now_ms.to_le_bytes()).await
    }

    pub async fn get_manifest(&self, slot: &str) -> Result<Option<Vec<u8>>, String> {
        self.get(CONSULTATION, slot).await
    }

    /// Every saved slot with the time it was written.
    pub async fn slots(&self) -> Result<Vec<Slot>, String> {
        let mut slots = Vec::new();
        for key in self.keys(CONSULTATION).await? {
            if key.ends_with(SAVED_AT) {
                continue;
            }
            let at = self.get(CONSULTATION, &format!("{key}{SAVED_AT}")).await?;
            let saved_at_ms = at
                .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
                .map(f64::from_le_bytes)
                .filter(|t| t.is_finite())
                .unwrap_or(0.0);
            slots.push(Slot { id: key, saved_at_ms });
        }
        Ok(slots)
    }

    /// Remove a slot's consultation (its photos go with the next [`Store::keep_only`]).
    pub async fn delete_manifest(&self, slot: &str) -> Result<(), String> {
        self.delete(CONSULTATION, slot).await?;
        self.delete(CONSULTATION, &format!("{slot}{SAVED_AT}")).await
    }

    /// Delete every stored photo but those with the given hashes.
    pub async fn keep_only(&self, hashes: &[String]) -> Result<(), String> {
        for key in self.keys(PHOTOS).await? {
            if !hashes.contains(&key) {
                self.delete(PHOTOS, &key).await?;
            }
        }
        Ok(())
    }
}
