//! Saving and reopening consultations, between the pure format (`consultation`) and the page:
//! reopening a saved consultation's photos through the worker ([`reopen`], generic over the
//! [`Offload`] so native tests run it in-line) and the autosave's bookkeeping ([`Autosave`]:
//! what the browser's store already holds, so each photo is written once and an unchanged
//! consultation is not written again), and which saved consultation (slot) a starting tab takes.

use std::rc::Rc;

use crate::consultation::{write_manifest, Saved};
use crate::engine::{Engine, Offload, WorkError};
use crate::state::{Angle, Restored};

/// A saved consultation with its photos open again.
pub struct Reopened {
    pub engines: Vec<Engine>,
    pub restored: Restored,
    /// Photos that could not be opened (name and why); their angles are left out.
    pub failed: Vec<String>,
}

/// Open every angle's photo of `saved` on `work` (one at a time, `progress(i, n)` before each),
/// giving them the ids `next_id()` returns, and rebuild each angle's edits on it. `Cancelled`
/// when a newer job took the worker. With `strict`, one photo that fails fails it all (a file
/// the user chose: nothing changes); otherwise the others are kept (the autosave: keep what can
/// be kept).
pub async fn reopen<O: Offload>(
    work: &O,
    saved: &Saved,
    photos: Vec<Rc<[u8]>>,
    next_id: &mut dyn FnMut() -> u64,
    progress: &dyn Fn(usize, usize),
    strict: bool,
) -> Result<Reopened, WorkError> {
    let n = saved.angles.len();
    let mut engines = Vec::with_capacity(n);
    let mut angles: Vec<Angle> = Vec::with_capacity(n);
    let mut failed = Vec::new();
    let mut current = 0;
    for (i, (angle, bytes)) in saved.angles.iter().zip(photos).enumerate() {
        progress(i, n);
        match Engine::open(work, next_id(), &angle.photo.name, bytes.to_vec()).await {
            Ok(engine) => {
                if i == saved.current {
                    current = angles.len();
                }
                angles.push(angle.to_angle(engine.meta.clone()));
                engines.push(engine);
            }
            Err(WorkError::Cancelled) => return Err(WorkError::Cancelled),
            Err(e) if strict => {
                return Err(WorkError::Failed(format!(
                    "Photo {} of {n} ({}) could not be opened: {e}",
                    i + 1,
                    angle.photo.name
                )))
            }
            Err(e) => failed.push(format!("{}: {e}", angle.photo.name)),
        }
    }
    let restored = Restored {
        angles,
        current,
        params: saved.plan(),
        brush_mm: saved.brush_mm,
        export: saved.export.clone(),
        message: String::new(),
    };
    Ok(Reopened { engines, restored, failed })
}

/// What the browser's store holds, as far as this page knows.
#[derive(Default)]
pub struct Autosave {
    /// Saving is on (after the attempt to restore at start-up, and unless that found a
    /// consultation this page must not overwrite).
    pub enabled: bool,
    /// Hashes of the photos in the store.
    pub stored_photos: Vec<String>,
    /// The manifest last written (an identical one is not written again).
    pub last_manifest: Option<Vec<u8>>,
    /// Increases with every change; a delayed save runs only if no newer change came.
    pub generation: u64,
    pub saving: bool,
    /// A change came while saving: save again afterwards.
    pub again: bool,
    /// The user was told the store does not work (told once).
    pub warned: bool,
    /// Saves that wrote something (read by the end-to-end tests).
    pub saves: u64,
}

/// One save's work, decided without the browser: the manifest to write (if it changed) and the
/// photos the store lacks.
#[derive(Debug, PartialEq)]
pub struct SavePlan {
    pub manifest: Option<Vec<u8>>,
    pub new_photos: Vec<(String, Rc<[u8]>)>,
    /// Every photo hash the consultation uses (the store keeps only these).
    pub keep: Vec<String>,
    /// The consultation is empty: the saved one is removed.
    pub clear: bool,
}

impl Autosave {
    /// What to write for `saved`, given what the store holds.
    pub fn plan(&self, saved: &Saved, photos: &[Rc<[u8]>]) -> SavePlan {
        let keep: Vec<String> = saved.angles.iter().map(|a| a.photo.hash.clone()).collect();
        if saved.angles.is_empty() {
            let clear = self.last_manifest.is_some() || !self.stored_photos.is_empty();
            return SavePlan { manifest: None, new_photos: Vec::new(), keep, clear };
        }
        let manifest = write_manifest(saved);
        let manifest = (self.last_manifest.as_ref() != Some(&manifest)).then_some(manifest);
        let mut new_photos: Vec<(String, Rc<[u8]>)> = Vec::new();
        for (angle, bytes) in saved.angles.iter().zip(photos) {
            let hash = &angle.photo.hash;
            if !self.stored_photos.contains(hash) && !new_photos.iter().any(|(h, _)| h == hash) {
                new_photos.push((hash.clone(), bytes.clone()));
            }
        }
        SavePlan { manifest, new_photos, keep, clear: false }
    }

    /// Record a plan as written.
    pub fn written(&mut self, plan: SavePlan) {
        if plan.clear || plan.manifest.is_some() || !plan.new_photos.is_empty() {
            self.saves += 1;
        }
        if plan.clear {
            self.last_manifest = None;
            self.stored_photos.clear();
            return;
        }
        if let Some(m) = plan.manifest {
            self.last_manifest = Some(m);
        }
        self.stored_photos = plan.keep;
    }
}

/// One consultation saved in the browser's store. Each open tab of the page autosaves into a
/// slot of its own, which it holds (a Web Lock) while it is open, so two tabs never overwrite
/// each other's work.
#[derive(Clone, Debug, PartialEq)]
pub struct Slot {
    pub id: String,
    /// When its manifest was last written (ms since 1970; 0 if unknown, e.g. an older page's).
    pub saved_at_ms: f64,
}

/// How many saved consultations of closed tabs the store keeps (the newest).
pub const KEPT_SLOTS: usize = 8;

/// Newest saved first (ties by id, so the order is the same every time).
fn newest_first(a: &&Slot, b: &&Slot) -> std::cmp::Ordering {
    b.saved_at_ms.total_cmp(&a.saved_at_ms).then_with(|| a.id.cmp(&b.id))
}

/// The slots a starting page tries to take, in order: its own from before a reload first, then
/// the others newest first (a new tab continues the consultation last worked on). Slots that
/// an open tab holds are left out: that tab's work stays its own.
pub fn slot_preference(own: Option<&str>, slots: &[Slot], held: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut others: Vec<&Slot> = slots.iter().filter(|s| Some(s.id.as_str()) != own && !held(&s.id)).collect();
    others.sort_by(newest_first);
    own.filter(|o| !held(o)).map(str::to_string).into_iter().chain(others.into_iter().map(|s| s.id.clone())).collect()
}

/// Slots to remove: those no open tab holds beyond the newest [`KEPT_SLOTS`], never `mine`.
pub fn stale_slots(slots: &[Slot], mine: &str, held: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut free: Vec<&Slot> = slots.iter().filter(|s| s.id != mine && !held(&s.id)).collect();
    free.sort_by(newest_first);
    free.into_iter().skip(KEPT_SLOTS).map(|s| s.id.clone()).collect()
}

/// A new slot's id from a random number in [0, 1) and the time.
pub fn new_slot_id(random: f64, now_ms: f64) -> String {
    let r = (random.clamp(0.0, 1.0) * u32::MAX as f64) as u32;
    format!("tab-{:x}-{r:08x}", now_ms.max(0.0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consultation::{read_file, write_file};
    use crate::engine::Inline;
    use crate::state::{Action, State};
    use crate::test_support::now;
    use smp_core::{Point, RgbaImage};

    fn slot(id: &str, saved_at_ms: f64) -> Slot {
        Slot { id: id.into(), saved_at_ms }
    }

    #[test]
    fn a_reload_takes_its_own_slot_and_a_new_tab_the_newest_free_one() {
        let slots = [slot("a", 100.0), slot("b", 300.0), slot("c", 200.0), slot("current", 0.0)];
        let nobody = |_: &str| false;
        // A reload: its own slot first, then the rest newest first.
        assert_eq!(slot_preference(Some("c"), &slots, &nobody), ["c", "b", "a", "current"]);
        // A new tab while the tab of "b" is open: "b" is not touched.
        let b_open = |id: &str| id == "b";
        assert_eq!(slot_preference(None, &slots, &b_open), ["c", "a", "current"]);
        // A duplicated tab carries its original's slot id, which the original holds.
        assert_eq!(slot_preference(Some("b"), &slots, &b_open), ["c", "a", "current"]);
        // A reload whose slot was removed meanwhile still comes first (it starts empty there).
        assert_eq!(slot_preference(Some("gone"), &[], &nobody), ["gone"]);
        assert!(slot_preference(None, &[], &nobody).is_empty());
    }

    #[test]
    fn only_old_slots_of_closed_tabs_are_removed() {
        let slots: Vec<Slot> = (0..12).map(|i| slot(&format!("s{i}"), i as f64)).collect();
        // s0 is the oldest; s0 is this tab's, s1 is held by another tab.
        let held = |id: &str| id == "s1";
        let stale = stale_slots(&slots, "s0", &held);
        // Free and not mine: s2..s11 (10 slots); the newest 8 stay, s2 and s3 go.
        assert_eq!(stale, ["s3", "s2"]);
        assert!(stale_slots(&slots[..5], "s0", &held).is_empty());
    }

    #[test]
    fn new_slot_ids_differ_and_are_plain() {
        let a = new_slot_id(0.25, 1_764_000_000_000.0);
        let b = new_slot_id(0.75, 1_764_000_000_000.0);
        assert_ne!(a, b);
        assert!(a.starts_with("tab-") && a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'), "{a}");
        assert!(!new_slot_id(f64::NAN, f64::NAN).contains("#"));
    }

    fn jpeg(w: u32, h: u32, tint: u8) -> Vec<u8> {
        crate::test_support::jpeg(w, h, 75, |x, y| [tint, (x % 200) as u8, (y % 200) as u8])
    }

    fn open(state: State, id: u64, bytes: Vec<u8>, add: bool) -> (State, Engine) {
        let engine = now(Engine::open(&Inline, id, &format!("{id}.jpg"), bytes)).unwrap();
        let meta = engine.meta.clone();
        let state = state.apply(if add { Action::AngleAdded(meta) } else { Action::PhotoOpened(meta) });
        (state, engine)
    }

    fn paint(state: State, x: f32, y: f32) -> State {
        state
            .apply(Action::PointerDown { at: Point::new(x, y), hit_px: 4.0 })
            .apply(Action::PointerMove(Point::new(x + 30.0, y + 10.0)))
            .apply(Action::PointerUp)
    }

    fn photo_of(engines: &[Engine]) -> impl Fn(u64) -> Option<(Rc<[u8]>, String)> + '_ {
        |id| engines.iter().find(|e| e.meta.id == id).map(|e| (e.file().clone(), e.file_hash().to_string()))
    }

    fn rendered(engine: &mut Engine, state: &State) -> RgbaImage {
        engine.render(state);
        engine.preview.output().clone()
    }

    #[test]
    fn a_consultation_reopens_from_its_file_with_the_same_pixels() {
        let (s, e1) = open(State::default(), 1, jpeg(320, 240, 180), false);
        let s = paint(s.apply(Action::SetDensity(60.0)), 100.0, 100.0);
        let (s, e2) = open(s, 2, jpeg(200, 300, 120), true);
        let s = paint(s.apply(Action::SetBrushMm(40.0)), 50.0, 150.0).apply(Action::SelectAngle(1));
        let mut engines = vec![e1, e2];
        let (saved, photos) = Saved::from_state(&s, &photo_of(&engines));
        let file = write_file(&saved, &photos);
        let (saved, photos) = read_file(&file).unwrap();
        let mut ids = 10..;
        let steps = std::cell::RefCell::new(Vec::new());
        let reopened = now(reopen(
            &Inline,
            &saved,
            photos,
            &mut || ids.next().unwrap(),
            &|i, n| steps.borrow_mut().push((i, n)),
            true,
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(steps.into_inner(), [(0, 2), (1, 2)]);
        assert!(reopened.failed.is_empty());
        let back = State::default().apply(Action::Restore(reopened.restored));
        let mut new_engines = reopened.engines;
        assert_eq!(back.photo.as_ref().unwrap().id, 10, "the angle shown when saved");
        // Each angle renders exactly as before.
        for (old, new) in [(1, 10), (2, 11)] {
            let before =
                rendered(engines.iter_mut().find(|e| e.meta.id == old).unwrap(), &s.apply(Action::SelectAngle(old)));
            let after = rendered(
                new_engines.iter_mut().find(|e| e.meta.id == new).unwrap(),
                &back.apply(Action::SelectAngle(new)),
            );
            assert_eq!(before.data, after.data, "angle {old}");
            assert!(
                before.data != engines.iter().find(|e| e.meta.id == old).unwrap().preview.original().data,
                "dots drawn"
            );
        }
        // New strokes get ids above the restored ones.
        let more = paint(back, 5.0, 5.0);
        let ids: Vec<u64> = more.angles().iter().flat_map(|a| a.area.strokes.iter().map(|s| s.id)).collect();
        let last = more.area.strokes.last().unwrap().clone();
        assert_eq!(ids.iter().filter(|&&id| id == last.id).count(), 1);
    }

    #[test]
    fn a_photo_that_does_not_open_fails_a_file_but_not_the_autosave() {
        let (s, e1) = open(State::default(), 1, jpeg(100, 80, 90), false);
        let (s, e2) = open(s, 2, jpeg(90, 100, 60), true);
        let engines = [e1, e2];
        let (saved, mut photos) = Saved::from_state(&s, &photo_of(&engines));
        photos[1] = Rc::from(&b"not a photo at all"[..]);
        let mut ids = 1..;
        let strict = now(reopen(&Inline, &saved, photos.clone(), &mut || ids.next().unwrap(), &|_, _| {}, true));
        let Err(WorkError::Failed(message)) = strict else { panic!("must fail") };
        assert!(message.starts_with("Photo 2 of 2 (2.jpg) could not be opened"), "{message}");
        let lenient = now(reopen(&Inline, &saved, photos, &mut || ids.next().unwrap(), &|_, _| {}, false));
        let Ok(r) = lenient else { panic!("keeps what it can") };
        assert_eq!((r.engines.len(), r.restored.angles.len(), r.failed.len()), (1, 1, 1));
    }

    #[test]
    fn the_autosave_writes_each_photo_once_and_skips_unchanged_consultations() {
        let (s, e1) = open(State::default(), 1, jpeg(100, 80, 90), false);
        let engines = vec![e1];
        let mut autosave = Autosave::default();
        let (saved, photos) = Saved::from_state(&s, &photo_of(&engines));
        let first = autosave.plan(&saved, &photos);
        assert_eq!(first.new_photos.len(), 1);
        assert!(first.manifest.is_some());
        autosave.written(first);
        // Nothing changed: nothing to write.
        let again = autosave.plan(&saved, &photos);
        assert_eq!((again.manifest.is_none(), again.new_photos.len()), (true, 0));
        autosave.written(again);
        // An edit: the manifest only.
        let s = paint(s, 20.0, 20.0);
        let (saved, photos) = Saved::from_state(&s, &photo_of(&engines));
        let edit = autosave.plan(&saved, &photos);
        assert_eq!((edit.manifest.is_some(), edit.new_photos.len()), (true, 0));
        autosave.written(edit);
        // Everything removed: the saved consultation is cleared.
        let empty = s.apply(Action::NewConsultation);
        let (saved, photos) = Saved::from_state(&empty, &photo_of(&engines));
        let clear = autosave.plan(&saved, &photos);
        assert!(clear.clear && clear.keep.is_empty());
        autosave.written(clear);
        assert!(autosave.last_manifest.is_none() && autosave.stored_photos.is_empty());
        assert_eq!(autosave.saves, 3, "the first save, the edit and the clear wrote; the unchanged one did not");
    }
}
