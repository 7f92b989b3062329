//! The browser's own storage (IndexedDB) for the autosave: the consultation's manifest under one
//! key, each photo's file under its content hash (written once, however often the edits are
//! saved). Nothing leaves the device.

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

use super::{js_error_text, window};

const DB_NAME: &str = "smp-tryon";
const DB_VERSION: u32 = 1;
const PHOTOS: &str = "photos";
const CONSULTATION: &str = "consultation";
const CURRENT: &str = "current";

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

    pub async fn put_photo(&self, hash: &str, bytes: &[u8]) -> Result<(), String> {
        self.put(PHOTOS, hash, bytes).await
    }

    pub async fn get_photo(&self, hash: &str) -> Result<Option<Vec<u8>>, String> {
        self.get(PHOTOS, hash).await
    }

    pub async fn put_manifest(&self, bytes: &[u8]) -> Result<(), String> {
        self.put(CONSULTATION, CURRENT, bytes).await
    }

    pub async fn get_manifest(&self) -> Result<Option<Vec<u8>>, String> {
        self.get(CONSULTATION, CURRENT).await
    }

    /// Remove the saved consultation (the photos go with the next [`Store::keep_only`]).
    pub async fn delete_manifest(&self) -> Result<(), String> {
        let request = self
            .store(CONSULTATION, IdbTransactionMode::Readwrite)?
            .delete(&JsValue::from_str(CURRENT))
            .map_err(|e| js_error_text(&e))?;
        done(&request).await.map(|_| ())
    }

    /// Delete every stored photo but those with the given hashes.
    pub async fn keep_only(&self, hashes: &[String]) -> Result<(), String> {
        let request =
            self.store(PHOTOS, IdbTransactionMode::Readonly)?.get_all_keys().map_err(|e| js_error_text(&e))?;
        let keys: Array = done(&request).await?.unchecked_into();
        for key in keys.iter() {
            let Some(key) = key.as_string() else { continue };
            if !hashes.contains(&key) {
                let request = self
                    .store(PHOTOS, IdbTransactionMode::Readwrite)?
                    .delete(&JsValue::from_str(&key))
                    .map_err(|e| js_error_text(&e))?;
                done(&request).await?;
            }
        }
        Ok(())
    }
}
