//! The page's side of saving (see `saving` and `consultation` for the parts tested natively):
//! the autosave after each change (debounced, never during a drag or busy work), restoring the
//! last consultation when the page opens, and saving to / opening from a consultation file.
//! A consultation that cannot be read never replaces the work on screen.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Uint8Array};
use web_sys::{Blob, File};
use yew::Callback;

use crate::app::{add_thumbnail, Painter};
use crate::consultation::{file_name, read_file, read_manifest, write_file, ReadError, Saved, FILE_EXTENSION};
use crate::engine::WorkError;
use crate::platform::download::save_blob;
use crate::platform::files::read_all;
use crate::platform::store::{save_error, Store};
use crate::platform::tabs::{held_slots, hold_slot, own_slot, remember_slot};
use crate::platform::worker::WorkerClient;
use crate::platform::{after_ms, js_error_text, set_body_attribute, window};
use crate::saving::{new_slot_id, reopen, slot_preference, stale_slots, Autosave, Reopened};
use crate::state::{Action, State, MAX_ANGLES};

/// A consultation file larger than this is refused before reading (six photos of the largest
/// size that opens, and their edits).
const MAX_CONSULTATION_BYTES: f64 = (MAX_ANGLES as f64) * crate::platform::files::MAX_READ_BYTES + 64.0 * 1048576.0;
/// The autosave waits this long after the last change.
const AUTOSAVE_DELAY_MS: i32 = 400;

/// Everything saving needs, shared by the page's callbacks (all handles).
#[derive(Clone)]
pub struct Saver {
    pub painter: Rc<RefCell<Painter>>,
    pub autosave: Rc<RefCell<Autosave>>,
    pub store: Rc<RefCell<Option<Rc<Store>>>>,
    /// The start-up restore is under way: no photo may be opened meanwhile.
    pub restoring: Rc<Cell<bool>>,
    /// Photo ids (shared with opening photos, so they keep increasing).
    pub open_counter: Rc<RefCell<Cell<u64>>>,
    pub work: Rc<WorkerClient>,
    pub dispatch: Callback<Action>,
    /// Why the browser's store cannot be used, if it cannot (said once, at the first save).
    pub unavailable: Rc<RefCell<Option<String>>>,
    /// The state last given to [`Saver::schedule`].
    pub latest: Rc<RefCell<Option<State>>>,
    /// This tab's slot in the store (see `saving::Slot`), once taken.
    pub slot: Rc<RefCell<Option<String>>>,
}

impl Saver {
    fn next_id(&self) -> u64 {
        let c = self.open_counter.borrow();
        c.set(c.get() + 1);
        c.get()
    }

    /// [`reopen`] on the page's worker, with the busy step shown per photo, photo ids from the
    /// shared counter, and each photo's tab picture.
    async fn reopen(&self, saved: &Saved, photos: Vec<Rc<[u8]>>, strict: bool) -> Result<Reopened, WorkError> {
        let dispatch = self.dispatch.clone();
        let progress = move |i: usize, n: usize| dispatch.emit(Action::BusyProgress(format!("photo {} of {n}", i + 1)));
        let mut next_id = || self.next_id();
        let mut r = reopen(&*self.work, saved, photos, &mut next_id, &progress, strict).await?;
        // Engines and angles are in the same order.
        for (engine, angle) in r.engines.iter_mut().zip(r.restored.angles.iter_mut()) {
            add_thumbnail(engine);
            angle.meta.thumbnail = engine.meta.thumbnail.clone();
        }
        Ok(r)
    }

    /// The consultation in `state` with its photos (the engines keep the files).
    fn saved(&self, state: &State) -> crate::consultation::SavedWithPhotos {
        let painter = self.painter.borrow();
        Saved::from_state(state, &|id| painter.engine(id).map(|e| (e.file().clone(), e.file_hash().to_string())))
    }

    /// Restore the last consultation from the browser's store, then turn the autosave on.
    /// Returns how many photos came back.
    pub async fn restore_at_start(self) -> usize {
        let store = match Store::open().await {
            Ok(store) => Rc::new(store),
            Err(why) => {
                *self.unavailable.borrow_mut() = Some(why);
                self.restoring.set(false);
                set_body_attribute("data-restored", "0");
                return 0;
            }
        };
        *self.store.borrow_mut() = Some(store.clone());
        let slot = self.take_slot(&store).await;
        *self.slot.borrow_mut() = Some(slot.clone());
        let restored = self.restore_from(&store, &slot).await;
        self.restoring.set(false);
        set_body_attribute("data-restored", &restored.to_string());
        restored
    }

    /// This tab's slot: its own from before a reload, else the newest consultation no open tab
    /// holds, else a new one. Old slots of closed tabs beyond the newest few are removed.
    async fn take_slot(&self, store: &Store) -> String {
        let slots = store.slots().await.unwrap_or_default();
        let held = held_slots().await;
        let is_held = |id: &str| held.as_ref().is_some_and(|h| h.iter().any(|x| x == id));
        let mut chosen = None;
        for id in slot_preference(own_slot().as_deref(), &slots, &is_held) {
            // Taken, or no Web Locks (nothing to coordinate with): this one.
            if hold_slot(&id).await != Some(false) {
                chosen = Some(id);
                break;
            }
        }
        let slot = match chosen {
            Some(id) => id,
            None => {
                let id = new_slot_id(js_sys::Math::random(), js_sys::Date::now());
                let _ = hold_slot(&id).await;
                id
            }
        };
        remember_slot(&slot);
        set_body_attribute("data-slot", &slot);
        for stale in stale_slots(&slots, &slot, &is_held) {
            let _ = store.delete_manifest(&stale).await;
        }
        slot
    }

    /// Returns how many photos came back.
    async fn restore_from(&self, store: &Store, slot: &str) -> usize {
        let enable = |on: bool| self.autosave.borrow_mut().enabled = on;
        let manifest = match store.get_manifest(slot).await {
            Ok(Some(m)) => m,
            Ok(None) => {
                enable(true);
                return 0;
            }
            Err(why) => {
                // Unreadable store: do not overwrite what may be in it.
                self.dispatch.emit(Action::PhotoFailed(format!(
                    "Your last consultation could not be read from this browser ({why}). Autosave is off for now: save to a file to keep your work."
                )));
                return 0;
            }
        };
        let saved = match read_manifest(&manifest) {
            Ok(saved) => saved,
            Err(e @ ReadError::Newer(_)) => {
                // Saved by a newer page (this one came from a cache): keep it for that page.
                self.dispatch.emit(Action::PhotoFailed(format!("{e} Autosave is off so it is not overwritten.")));
                return 0;
            }
            Err(e) => {
                enable(true);
                self.dispatch.emit(Action::PhotoFailed(format!("Your last consultation could not be restored. {e}")));
                return 0;
            }
        };
        // The photos, by hash; an angle whose photo is missing is left out.
        let mut kept = saved.clone();
        kept.angles.clear();
        let mut photos = Vec::new();
        let mut missing = Vec::new();
        for (i, angle) in saved.angles.iter().enumerate() {
            match store.get_photo(&angle.photo.hash).await {
                Ok(Some(bytes)) => {
                    if i == saved.current {
                        kept.current = kept.angles.len();
                    }
                    kept.angles.push(angle.clone());
                    photos.push(Rc::from(bytes));
                }
                _ => missing.push(angle.photo.name.clone()),
            }
        }
        if kept.angles.is_empty() {
            enable(true);
            return 0;
        }
        self.dispatch.emit(Action::BusyStarted("Restoring your last consultation…".into()));
        let reopened = self.reopen(&kept, photos, false).await;
        enable(true);
        match reopened {
            Ok(mut r) if !r.restored.angles.is_empty() => {
                let n = r.restored.angles.len();
                missing.append(&mut r.failed);
                r.restored.message = format!(
                    "Your consultation was restored as you left it ({n} photo{}).{}",
                    if n == 1 { "" } else { "s" },
                    if missing.is_empty() {
                        String::new()
                    } else {
                        format!(" Could not restore: {}.", missing.join(", "))
                    }
                );
                self.autosave.borrow_mut().stored_photos = kept.angles.iter().map(|a| a.photo.hash.clone()).collect();
                self.painter.borrow_mut().add_engines(r.engines);
                self.dispatch.emit(Action::Restore(r.restored));
                n
            }
            Ok(_) => {
                self.dispatch.emit(Action::BusyFinished);
                self.dispatch
                    .emit(Action::PhotoFailed("Your last consultation's photos could not be opened again.".into()));
                0
            }
            Err(e) => {
                self.dispatch.emit(Action::BusyFinished);
                if e != WorkError::Cancelled {
                    self.dispatch
                        .emit(Action::PhotoFailed(format!("Your last consultation could not be restored: {e}")));
                }
                0
            }
        }
    }

    /// After a change: save `state` once changes have paused (not during a drag or busy work).
    pub fn schedule(&self, state: State) {
        *self.latest.borrow_mut() = Some(state.clone());
        if self.restoring.get() || state.drag.is_some() || state.busy.is_some() {
            return;
        }
        let generation = {
            let mut a = self.autosave.borrow_mut();
            if !a.enabled {
                drop(a);
                return self.warn_unavailable(&state);
            }
            a.generation += 1;
            a.generation
        };
        let saver = self.clone();
        after_ms(AUTOSAVE_DELAY_MS, move || {
            if saver.autosave.borrow().generation == generation {
                wasm_bindgen_futures::spawn_local(saver.save(state));
            }
        });
    }

    fn warn_unavailable(&self, state: &State) {
        if state.photo.is_none() {
            return;
        }
        if let Some(why) = self.unavailable.borrow_mut().take() {
            self.dispatch.emit(Action::PhotoFailed(format!(
                "This browser will not keep your work after a reload ({why}). Use “Save consultation file” to keep it."
            )));
        }
    }

    async fn save(self, state: State) {
        let Some(store) = self.store.borrow().clone() else { return };
        let Some(slot) = self.slot.borrow().clone() else { return };
        {
            let mut a = self.autosave.borrow_mut();
            if a.saving {
                a.again = true;
                return;
            }
            a.saving = true;
        }
        let (saved, photos) = self.saved(&state);
        let plan = self.autosave.borrow().plan(&saved, &photos);
        let outcome: Result<(), String> = async {
            for (hash, bytes) in &plan.new_photos {
                store.put_photo(hash, bytes).await?;
            }
            if let Some(manifest) = &plan.manifest {
                store.put_manifest(&slot, manifest, js_sys::Date::now()).await?;
            }
            if plan.clear {
                store.delete_manifest(&slot).await?;
            }
            let stored = self.autosave.borrow().stored_photos.clone();
            if plan.clear || stored.iter().any(|h| !plan.keep.contains(h)) {
                // Photos other tabs' consultations use stay; if one of those cannot be read
                // (a newer page's), nothing is removed.
                if let Some(others) = other_slots_photos(&store, &slot).await {
                    let keep: Vec<String> = plan.keep.iter().chain(&others).cloned().collect();
                    store.keep_only(&keep).await?;
                }
            }
            Ok(())
        }
        .await;
        let again = {
            let mut a = self.autosave.borrow_mut();
            a.saving = false;
            match outcome {
                Ok(()) => {
                    a.written(plan);
                    set_body_attribute("data-autosaved", &a.saves.to_string());
                }
                Err(why) if !a.warned => {
                    a.warned = true;
                    self.dispatch.emit(Action::PhotoFailed(save_error(&why)));
                }
                Err(_) => {}
            }
            std::mem::take(&mut a.again)
        };
        if again {
            // A change came while this save ran (its timer found the save busy): save it now.
            let latest = self.latest.borrow().clone();
            if let Some(latest) = latest {
                self.schedule(latest);
            }
        }
    }

    /// Download the consultation as one file.
    pub fn save_file(&self, state: &State) -> Result<(), String> {
        let (saved, photos) = self.saved(state);
        if saved.angles.is_empty() {
            return Err("Open a photo first.".into());
        }
        let bytes = write_file(&saved, &photos);
        let parts = Array::of1(&Uint8Array::from(&bytes[..]));
        let blob = Blob::new_with_u8_array_sequence(&parts).map_err(|e| js_error_text(&e))?;
        let date = String::from(js_sys::Date::new_0().to_iso_string());
        save_blob(&blob, &file_name(&date)).map_err(|e| js_error_text(&e))
    }

    /// Open a consultation file: it replaces the consultation only once every photo in it opened.
    pub async fn open_file(self, file: File, has_work: bool) {
        if self.restoring.get() {
            return self
                .dispatch
                .emit(Action::PhotoFailed("One moment: your last consultation is still being restored.".into()));
        }
        if file.size() > MAX_CONSULTATION_BYTES {
            return self.dispatch.emit(Action::PhotoFailed(format!(
                "That file is {:.0} MB: too large for a consultation file.",
                file.size() / 1_048_576.0
            )));
        }
        let bytes = match read_all(&file).await {
            Ok(b) => b,
            Err(message) => return self.dispatch.emit(Action::PhotoFailed(message)),
        };
        let (saved, photos) = match read_file(&bytes) {
            Ok(v) => v,
            Err(e) => return self.dispatch.emit(Action::PhotoFailed(e.to_string())),
        };
        drop(bytes);
        if has_work
            && !window()
                .confirm_with_message("Open this consultation? It replaces the photos open now (they stay only if you saved them to a file).")
                .unwrap_or(false)
        {
            return;
        }
        let name = file.name();
        self.dispatch.emit(Action::BusyStarted(format!("Opening {name}…")));
        match self.reopen(&saved, photos, true).await {
            Ok(mut r) => {
                let n = r.restored.angles.len();
                r.restored.message = format!(
                    "Opened {name}: {n} photo{} with the plan and edits saved in it.",
                    if n == 1 { "" } else { "s" }
                );
                self.painter.borrow_mut().add_engines(r.engines);
                self.dispatch.emit(Action::Restore(r.restored));
            }
            Err(WorkError::Cancelled) => {}
            Err(e) => {
                self.dispatch.emit(Action::BusyFinished);
                self.dispatch.emit(Action::PhotoFailed(format!("{e} Nothing was changed.")));
            }
        }
    }
}

/// The photo hashes the other slots' consultations use; `None` if one cannot be read.
async fn other_slots_photos(store: &Store, mine: &str) -> Option<Vec<String>> {
    let mut hashes = Vec::new();
    for slot in store.slots().await.ok()? {
        if slot.id == mine {
            continue;
        }
        let Some(bytes) = store.get_manifest(&slot.id).await.ok()? else { continue };
        hashes.extend(read_manifest(&bytes).ok()?.angles.into_iter().map(|a| a.photo.hash));
    }
    Some(hashes)
}

/// The accept attribute of the consultation file input.
pub fn accept() -> String {
    format!(".{FILE_EXTENSION},application/octet-stream")
}
