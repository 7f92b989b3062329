//! The seam between the UI and the image work: everything that touches pixels goes through
//! [`Engine`]. It is plain Rust over `smp-core` (no browser API). The two heavy steps, opening a
//! photo ([`prepare_photo`]) and the full-resolution export ([`export_full_resolution`]), run
//! wherever an [`Offload`] puts them: in a Web Worker in the page
//! (`platform::worker::WorkerClient`), in-line in native tests ([`Inline`]). The interactive
//! preview ([`Engine::render`]) stays on the caller's thread.

use std::fmt;
use std::future::Future;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use smp_core::decode::{decode_photo, DecodeLimits, PhotoError};
use smp_core::detect::detect;
use smp_core::geometry::PixelRect;
use smp_core::hairline_design::FaceFrame;
use smp_core::resize::{downscale_area, working_size};
use smp_core::{
    render_full_resolution_over, AreaMask, FullResolution, Hairline, Preview, RenderParams, RgbaImage, Stroke,
};

use crate::export::{export_sheet, SheetJob};
pub use crate::state::Detected;
use crate::state::{Angle, PhotoMeta, Prefill, State};

/// The working copy that drives the interaction has at most this many pixels.
pub const WORKING_PIXELS: u64 = 2_000_000;

/// What opening a photo produces (everything here is computed off the page's main thread).
/// Serialised as the worker's reply; the working copy's pixels travel beside the message as a
/// transferred buffer (only its size is in the serialised form).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PreparedPhoto {
    /// The upright photo's size (EXIF orientation applied).
    pub full_width: u32,
    pub full_height: u32,
    /// The ~2 MP working copy (area-average downscale of the upright photo).
    #[serde(with = "size_only")]
    pub working: RgbaImage,
    /// What automatic detection found on the working copy.
    pub detected: Detected,
}

impl Detected {
    /// Run detection on a working copy of a `full_width` x `full_height` photo; `clock` gives ms.
    pub fn find(working: &RgbaImage, full_width: u32, full_height: u32, clock: &dyn Fn() -> f64) -> Detected {
        let t0 = clock();
        let d = detect(working, full_width, full_height);
        Detected {
            area: (!d.area.is_empty()).then(|| d.area.clone()),
            hairline: d.hairline.clone(),
            face: d.face.map(|f| FaceFrame {
                brow_mid: f.brow_mid,
                up: f.up,
                eye_distance_px: f.left_eye.distance(f.right_eye),
            }),
            px_per_mm: d.px_per_mm,
            view: d.view,
            summary: d.summary(),
            advice: d.advice,
            ms: clock() - t0,
            // The hair next to the marked area is what the dots must match; else all the hair.
            hair_rgb: d.hair_near_area_rgb.or(d.hair_rgb),
        }
    }
}

/// Serialise an image as its size only; its pixels are sent separately (see [`PreparedPhoto`]).
pub mod size_only {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use smp_core::RgbaImage;

    pub fn serialize<S: Serializer>(img: &RgbaImage, s: S) -> Result<S::Ok, S::Error> {
        (img.width, img.height).serialize(s)
    }

    /// An image of the right size with no pixel data yet (`data` is empty).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<RgbaImage, D::Error> {
        let (width, height) = <(u32, u32)>::deserialize(d)?;
        Ok(RgbaImage { width, height, data: Vec::new() })
    }
}

/// Decode a chosen file (limits checked on the header, orientation applied) and make the
/// working copy. `progress` hears a short user-facing description of each step as it starts.
/// This is all the work of opening a photo; it runs in the Web Worker.
pub fn prepare_photo(
    bytes: &[u8],
    progress: &mut dyn FnMut(&str),
    clock: &dyn Fn() -> f64,
) -> Result<PreparedPhoto, PhotoError> {
    progress("decoding");
    let full = decode_photo(bytes, &DecodeLimits::default())?;
    progress("making the working copy");
    let (w, h) = working_size(full.width, full.height, WORKING_PIXELS);
    let (full_width, full_height) = (full.width, full.height);
    let working = downscale_area(&full, w, h);
    drop(full);
    progress("finding the scalp");
    let detected = Detected::find(&working, full_width, full_height, clock);
    Ok(PreparedPhoto { full_width, full_height, working, detected })
}

/// A small made-up photo of a head seen from above (a skin disc inside a rim of busy dark hair,
/// on a blue-grey floor) that detection takes through all its steps, the downscale to its grid
/// included: [`warm_up`].
pub fn warm_up_photo() -> RgbaImage {
    let (w, h) = (320u32, 240u32);
    RgbaImage::from_fn(w, h, |x, y| {
        let d = ((x as f32 - 160.0).powi(2) + (y as f32 - 120.0).powi(2)).sqrt() / 2.0;
        // Strands: a fixed scramble of the position, 0..47.
        let strand = ((x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)) >> 7) as u8 % 48;
        if d < 22.0 {
            [205, 160, 140, 255]
        } else if d < 48.0 {
            [30 + strand, 26 + strand, 24 + strand, 255]
        } else {
            [70, 85, 110, 255]
        }
    })
}

/// Runs detection once on [`warm_up_photo`], so that the browser has optimised the code
/// detection runs before the first real photo: a wasm function runs on the browser's quick
/// first-tier code until it has run a while, and a page's first detection took about twice as
/// long as the next ones. The worker's loader calls it once per page, in the first worker, after
/// installing the models (a photo chosen meanwhile waits for it, ~0.1-0.3 s).
pub fn warm_up() {
    let photo = warm_up_photo();
    std::hint::black_box(detect(&photo, photo.width, photo.height));
}

/// Everything the full-resolution export needs besides the file: the edit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportJob {
    /// The detected area under the strokes.
    pub base: Option<AreaMask>,
    pub strokes: Vec<Stroke>,
    pub hairline: Option<Hairline>,
    pub params: RenderParams,
}

impl ExportJob {
    pub fn from_state(state: &State) -> ExportJob {
        ExportJob {
            base: state.area.base.as_deref().cloned(),
            strokes: state.area.strokes.iter().map(|s| Stroke::clone(s)).collect(),
            hairline: state.area.hairline.clone().filter(|_| state.params.treatment.uses_hairline()),
            params: state.params.sanitized(),
        }
    }

    /// The edit of any angle of `state` (its own area, hairline and scale: [`State::params_for`]).
    pub fn from_angle(state: &State, angle: &Angle) -> ExportJob {
        let params = state.params_for(angle).sanitized();
        ExportJob {
            base: angle.area.base.as_deref().cloned(),
            strokes: angle.area.strokes.iter().map(|s| Stroke::clone(s)).collect(),
            hairline: angle.area.hairline.clone().filter(|_| params.treatment.uses_hairline()),
            params,
        }
    }
}

/// Decode the file again at full resolution and render the edit on it at scale 1.
/// Runs in the Web Worker.
pub fn export_full_resolution(
    bytes: &[u8],
    job: &ExportJob,
    progress: &mut dyn FnMut(&str),
) -> Result<RgbaImage, PhotoError> {
    progress("decoding at full size");
    let mut full = decode_photo(bytes, &DecodeLimits::default())?;
    progress("drawing the dots at full size");
    render_full_resolution_over(&mut full, job.base.as_ref(), &job.strokes, job.hairline.as_ref(), &job.params);
    Ok(full)
}

/// Decode the file at full resolution (upright), for the preview zoomed in to 1:1. Runs in the
/// Web Worker.
pub fn decode_full_resolution(bytes: &[u8], progress: &mut dyn FnMut(&str)) -> Result<RgbaImage, PhotoError> {
    progress("decoding at full size");
    decode_photo(bytes, &DecodeLimits::default())
}

/// Why heavy work gave no result.
#[derive(Clone, Debug, PartialEq)]
pub enum WorkError {
    /// The file's own problem (not a photo, too large, damaged…): the user-facing message.
    Photo(String),
    /// A newer request took over (e.g. another photo was chosen): say nothing.
    Cancelled,
    /// The worker failed or stopped answering; it has been replaced. What happened, briefly.
    Failed(String),
}

impl fmt::Display for WorkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkError::Photo(message) => f.write_str(message),
            WorkError::Cancelled => f.write_str("Cancelled."),
            WorkError::Failed(what) => write!(
                f,
                "Something went wrong in the background ({what}). It has been restarted: your photo and edits are unchanged. Please try again."
            ),
        }
    }
}

/// Where the heavy steps run: [`prepare_photo`] and [`export_full_resolution`] behind an async
/// interface. At most one request is under way: a new one cancels the one before
/// ([`WorkError::Cancelled`]).
pub trait Offload {
    /// Full-resolution pixels as the platform hands them on (a JS `ImageData` from the worker,
    /// kept out of wasm memory; an [`RgbaImage`] in-line).
    type Image;
    fn prepare(&self, bytes: Rc<[u8]>) -> impl Future<Output = Result<PreparedPhoto, WorkError>>;
    fn export(&self, bytes: Rc<[u8]>, job: ExportJob) -> impl Future<Output = Result<Self::Image, WorkError>>;
    /// A composed sheet ([`crate::export::export_sheet`]); `files[i]` is `sheet.angles[i]`'s file.
    fn export_sheet(
        &self,
        files: Vec<Rc<[u8]>>,
        sheet: SheetJob,
    ) -> impl Future<Output = Result<Self::Image, WorkError>>;
    /// [`decode_full_resolution`]: the pixels end up in this thread's memory.
    fn decode(&self, bytes: Rc<[u8]>) -> impl Future<Output = Result<RgbaImage, WorkError>>;
}

/// Runs the heavy steps right away on the caller's thread (native tests, tools).
pub struct Inline;

impl Offload for Inline {
    type Image = RgbaImage;

    fn prepare(&self, bytes: Rc<[u8]>) -> impl Future<Output = Result<PreparedPhoto, WorkError>> {
        std::future::ready(prepare_photo(&bytes, &mut |_| {}, &|| 0.0).map_err(|e| WorkError::Photo(e.to_string())))
    }

    fn export(&self, bytes: Rc<[u8]>, job: ExportJob) -> impl Future<Output = Result<RgbaImage, WorkError>> {
        std::future::ready(
            export_full_resolution(&bytes, &job, &mut |_| {}).map_err(|e| WorkError::Photo(e.to_string())),
        )
    }

    fn export_sheet(
        &self,
        files: Vec<Rc<[u8]>>,
        sheet: SheetJob,
    ) -> impl Future<Output = Result<RgbaImage, WorkError>> {
        let files: Vec<&[u8]> = files.iter().map(|f| &f[..]).collect();
        std::future::ready(export_sheet(&files, &sheet, &mut |_| {}).map_err(WorkError::Photo))
    }

    fn decode(&self, bytes: Rc<[u8]>) -> impl Future<Output = Result<RgbaImage, WorkError>> {
        std::future::ready(decode_full_resolution(&bytes, &mut |_| {}).map_err(|e| WorkError::Photo(e.to_string())))
    }
}

/// The full-resolution photo for the preview at 1:1: decoded in the worker on demand (the
/// first time the zoom shows more detail than the working copy has), then kept.
pub enum FullRes {
    NotLoaded,
    Loading,
    Ready(Box<FullResolution>),
    /// It could not be had (the message); the zoomed preview stays the working copy's.
    Failed(String),
}

/// Decoding the photo at full resolution (see [`Engine::decode_full`]).
pub struct DecodeFull {
    bytes: Rc<[u8]>,
    pub photo_id: u64,
}

impl DecodeFull {
    pub async fn run<O: Offload>(self, work: &O) -> Result<RgbaImage, WorkError> {
        work.decode(self.bytes).await
    }
}

pub struct Engine {
    pub meta: PhotoMeta,
    /// The file as chosen: the full-resolution photo is decoded again from it for export, so
    /// only the ~2 MP working copy stays decoded in memory.
    bytes: Rc<[u8]>,
    pub preview: Preview,
    /// What detection found on the photo.
    pub detected: Detected,
    /// The file's content hash (computed on first use: see [`Engine::file_hash`]).
    file_hash: std::cell::OnceCell<String>,
    /// The full-resolution photo, once the zoom asked for it.
    pub full_res: FullRes,
}

/// A full-resolution export of the current edit, ready to run (see [`Engine::export`]).
pub struct Export {
    bytes: Rc<[u8]>,
    pub job: ExportJob,
    /// The photo's file name.
    pub name: String,
}

impl Export {
    pub async fn run<O: Offload>(self, work: &O) -> Result<O::Image, WorkError> {
        work.export(self.bytes, self.job).await
    }
}

impl Engine {
    /// Open a chosen file: the heavy part runs on `work`. On error nothing else changes.
    pub async fn open<O: Offload>(work: &O, id: u64, name: &str, bytes: Vec<u8>) -> Result<Engine, WorkError> {
        let bytes: Rc<[u8]> = bytes.into();
        let prepared = work.prepare(bytes.clone()).await?;
        Ok(Engine::from_prepared(id, name, bytes, prepared))
    }

    /// A new engine from a prepared photo and the file it came from.
    pub fn from_prepared(id: u64, name: &str, bytes: Rc<[u8]>, prepared: PreparedPhoto) -> Engine {
        let PreparedPhoto { full_width, full_height, working, detected } = prepared;
        let meta = PhotoMeta {
            id,
            name: name.to_string(),
            full_width,
            full_height,
            work_width: working.width,
            work_height: working.height,
            thumbnail: None,
        };
        let preview = Preview::new(working, full_width, RenderParams::default().seed);
        Engine { meta, bytes, preview, detected, file_hash: std::cell::OnceCell::new(), full_res: FullRes::NotLoaded }
    }

    /// The photo's file as chosen (kept for export and for saving the consultation).
    pub fn file(&self) -> &Rc<[u8]> {
        &self.bytes
    }

    /// The file's content hash (`consultation::content_hash`), computed once.
    pub fn file_hash(&self) -> &str {
        self.file_hash.get_or_init(|| crate::consultation::content_hash(&self.bytes))
    }

    /// What detection found, as the action that prefills the state for this photo.
    pub fn prefill(&self) -> Prefill {
        Prefill { photo_id: self.meta.id, detected: self.detected.clone() }
    }

    /// Render the working-size preview for the current state (into `preview.output()`).
    /// Returns the rectangle that may differ from the previous frame.
    pub fn render(&mut self, state: &State) -> PixelRect {
        self.preview.set_base(state.area.base.as_deref());
        let hairline = state.area.hairline.as_ref().filter(|_| state.params.treatment.uses_hairline());
        // While a stroke is being drawn only its surroundings are recomputed.
        self.preview.render_live(&state.area.strokes, hairline, &state.params, state.drag.is_some())
    }

    /// Decode the photo at full resolution (run it with [`DecodeFull::run`], then hand the
    /// result to [`Engine::set_full_res`]); marks it loading.
    pub fn decode_full(&mut self) -> DecodeFull {
        self.full_res = FullRes::Loading;
        DecodeFull { bytes: self.bytes.clone(), photo_id: self.meta.id }
    }

    /// Keep the decoded full-resolution photo (or why there is none). A cancelled decode (a
    /// newer job took the worker) is tried again later.
    pub fn set_full_res(&mut self, decoded: Result<RgbaImage, WorkError>) {
        self.full_res = match decoded {
            Ok(img) if (img.width, img.height) == (self.meta.full_width, self.meta.full_height) => {
                FullRes::Ready(Box::new(FullResolution::new(img)))
            }
            Ok(img) => FullRes::Failed(format!(
                "the photo decoded at {}x{} instead of {}x{}",
                img.width, img.height, self.meta.full_width, self.meta.full_height
            )),
            Err(WorkError::Cancelled) => FullRes::NotLoaded,
            Err(e) => FullRes::Failed(e.to_string()),
        };
    }

    /// `state`'s edit rendered on the full-resolution photo in `part` (full-image px), and the
    /// untouched photo there; `None` until the full-resolution photo is ready.
    pub fn render_part(&mut self, state: &State, part: PixelRect) -> Option<(RgbaImage, RgbaImage)> {
        let FullRes::Ready(full) = &mut self.full_res else { return None };
        let hairline = state.area.hairline.as_ref().filter(|_| state.params.treatment.uses_hairline());
        let after = full.render_part(state.area.base.as_deref(), &state.area.strokes, hairline, &state.params, part);
        Some((after, full.original_part(part)))
    }

    /// The full-resolution export of `state`'s edit (run it with [`Export::run`]; it holds no
    /// borrow of the engine, so the preview stays usable meanwhile).
    pub fn export(&self, state: &State) -> Export {
        Export { bytes: self.bytes.clone(), job: ExportJob::from_state(state), name: self.meta.name.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Action;
    use crate::test_support::now;
    use smp_core::Point;

    #[test]
    fn the_warm_up_photo_takes_detection_through_all_its_steps() {
        // Found as a head (no early "no head" exit) with a treatable area: the labelling, the
        // mixtures and the area steps all ran (and with the models, the face detector and the
        // person mask, which run on any photo).
        let photo = warm_up_photo();
        let d = detect(&photo, photo.width, photo.height);
        assert!(d.grid_width < photo.width, "the photo is downscaled to the grid");
        assert!(!d.advice.contains(&smp_core::detect::Advice::NoHead), "{:?}", d.advice);
        assert!(d.area.coverage() > 0.02, "{}", d.area.coverage());
        warm_up();
    }

    /// A lightly textured skin-coloured JPEG.
    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        crate::test_support::jpeg(w, h, 90, |x, y| [200, 150 + ((y * w + x) % 7) as u8, 130])
    }

    fn open(id: u64, bytes: Vec<u8>) -> Result<Engine, WorkError> {
        now(Engine::open(&Inline, id, "p.jpg", bytes))
    }

    #[test]
    fn open_render_export_round_trip() {
        let mut engine = open(1, jpeg(2000, 1500)).unwrap();
        assert_eq!((engine.meta.full_width, engine.meta.full_height), (2000, 1500));
        assert!(engine.meta.work_width as u64 * engine.meta.work_height as u64 <= WORKING_PIXELS);
        let state = State::default().apply(Action::PhotoOpened(engine.meta.clone()));
        let state = state
            .apply(Action::PointerDown { at: Point::new(1000.0, 700.0), hit_px: 1.0 })
            .apply(Action::PointerMove(Point::new(1200.0, 700.0)))
            .apply(Action::PointerUp);
        let original = engine.preview.original().clone();
        assert!(!engine.render(&state).is_empty());
        assert_ne!(engine.preview.output(), &original);
        let export = engine.export(&state);
        assert_eq!(export.name, "p.jpg");
        let full = now(export.run(&Inline)).unwrap();
        assert_eq!((full.width, full.height), (2000, 1500));
    }

    #[test]
    fn the_full_resolution_part_matches_the_export_there() {
        let mut engine = open(1, jpeg(2400, 1800)).unwrap();
        assert!(engine.meta.work_width < 2400, "the working copy is smaller than the photo");
        let state = State::default().apply(Action::PhotoOpened(engine.meta.clone()));
        let state = state
            .apply(Action::PointerDown { at: Point::new(1000.0, 700.0), hit_px: 1.0 })
            .apply(Action::PointerMove(Point::new(1500.0, 800.0)))
            .apply(Action::PointerUp);
        let part = PixelRect { x0: 900, y0: 500, x1: 1300, y1: 900 };
        assert!(engine.render_part(&state, part).is_none(), "nothing before the decode");
        let job = engine.decode_full();
        assert!(matches!(engine.full_res, FullRes::Loading));
        assert_eq!(job.photo_id, 1);
        engine.set_full_res(now(job.run(&Inline)));
        let (after, before) = engine.render_part(&state, part).expect("ready");
        let full = now(engine.export(&state).run(&Inline)).unwrap();
        let crop = |img: &RgbaImage| {
            RgbaImage::from_fn(part.width(), part.height(), |x, y| img.pixel(part.x0 + x, part.y0 + y))
        };
        let worst = after.data.iter().zip(&crop(&full).data).map(|(a, b)| a.abs_diff(*b)).max().unwrap();
        assert!(worst <= 1, "{worst}");
        assert_ne!(after, before, "dots in the part");
        assert_eq!(before, crop(&now(Inline.decode(engine.bytes.clone())).unwrap()));
        // A cancelled decode is tried again; a wrong size is refused.
        engine.set_full_res(Err(WorkError::Cancelled));
        assert!(matches!(engine.full_res, FullRes::NotLoaded));
        engine.set_full_res(Ok(RgbaImage::new(3, 3)));
        assert!(matches!(engine.full_res, FullRes::Failed(_)));
    }

    #[test]
    fn undo_in_the_middle_of_a_drag_and_a_new_photo_mid_drag_stay_consistent() {
        let mut engine = open(1, jpeg(800, 600)).unwrap();
        let original = engine.preview.original().clone();
        let s = State::default().apply(Action::PhotoOpened(engine.meta.clone()));
        let mut s = s.apply(Action::PointerDown { at: Point::new(300.0, 300.0), hit_px: 1.0 });
        for i in 0..10 {
            s = s.apply(Action::PointerMove(Point::new(300.0 + i as f32 * 20.0, 300.0)));
            engine.render(&s);
        }
        // Ctrl+Z while still dragging: the stroke goes, the photo comes back exactly.
        let s = s.apply(Action::Undo);
        assert!(s.drag.is_none() && s.area.strokes.is_empty());
        engine.render(&s);
        assert_eq!(engine.preview.output(), &original);
        // Moves after the undo do nothing; a new stroke renders as usual.
        let s = s.apply(Action::PointerMove(Point::new(10.0, 10.0)));
        engine.render(&s);
        assert_eq!(engine.preview.output(), &original);
    }

    #[test]
    fn the_detected_area_renders_in_the_preview_and_the_export() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/photos/hl22_top_L7_16-Top-Down.jpg");
        let bytes = std::fs::read(&path).expect("the tests read ../shared/photos");
        let mut engine = open(1, bytes).unwrap();
        let prefill = engine.prefill();
        assert!(prefill.detected.area.is_some(), "{prefill:?}");
        let state = State::default().apply(Action::PhotoOpened(engine.meta.clone())).apply(Action::Prefill(prefill));
        let original = engine.preview.original().clone();
        assert!(!engine.render(&state).is_empty());
        let changed = (0..original.data.len())
            .step_by(4)
            .filter(|&i| engine.preview.output().data[i..i + 3] != original.data[i..i + 3])
            .count();
        assert!(changed > original.pixel_count() / 20, "{changed}");
        // The corner (floor) stays the photo.
        assert_eq!(engine.preview.output().data[..4], original.data[..4]);
        let full = now(engine.export(&state).run(&Inline)).unwrap();
        let changed_full =
            (0..full.data.len()).step_by(4).filter(|&i| full.data[i..i + 3] != original.data[i..i + 3]).count();
        assert!(changed_full > full.pixel_count() / 20);
        // Clearing the area restores the photo.
        let cleared = state.apply(Action::ClearArea);
        engine.render(&cleared);
        assert_eq!(engine.preview.output(), &original);
    }

    #[test]
    fn a_bad_file_is_an_error_not_a_panic() {
        match open(1, b"not a photo at all".to_vec()) {
            Err(WorkError::Photo(message)) => assert!(message.contains("not a photo"), "{message}"),
            Err(other) => panic!("expected the file's own problem, got {other:?}"),
            Ok(_) => panic!("a text file opened"),
        }
    }

    #[test]
    fn prepare_reports_its_steps_and_the_working_copy_size_travels_in_the_json() {
        let mut steps = Vec::new();
        let prepared = prepare_photo(&jpeg(3000, 2000), &mut |s| steps.push(s.to_string()), &|| 0.0).unwrap();
        assert_eq!(steps, ["decoding", "making the working copy", "finding the scalp"]);
        let (w, h) = (prepared.working.width, prepared.working.height);
        assert_eq!(prepared.working.data.len(), w as usize * h as usize * 4);
        let json = serde_json::to_string(&prepared).unwrap();
        // A flat synthetic picture: detection finds no head, so no area travels either.
        assert_eq!(prepared.detected.advice, vec![smp_core::detect::Advice::NoHead]);
        assert!(json.len() < 4096, "pixels are not in the JSON: {} bytes", json.len());
        let back: PreparedPhoto = serde_json::from_str(&json).unwrap();
        assert_eq!((back.full_width, back.full_height), (3000, 2000));
        assert_eq!((back.working.width, back.working.height, back.working.data.len()), (w, h, 0));
    }

    #[test]
    fn the_export_job_round_trips_through_json_and_renders_the_same() {
        let engine = open(1, jpeg(900, 700)).unwrap();
        let s = State::default().apply(Action::PhotoOpened(engine.meta.clone()));
        let s = s
            .apply(Action::SetTool(crate::state::Tool::Hairline))
            .apply(Action::SetTool(crate::state::Tool::Paint))
            .apply(Action::PointerDown { at: Point::new(300.0, 300.0), hit_px: 1.0 })
            .apply(Action::PointerMove(Point::new(500.0, 320.0)))
            .apply(Action::PointerUp)
            .apply(Action::SetDensity(55.0));
        let job = engine.export(&s).job;
        assert!(job.hairline.is_some() && job.strokes.len() == 1);
        let back: ExportJob = serde_json::from_str(&serde_json::to_string(&job).unwrap()).unwrap();
        assert_eq!(back, job);
        let bytes = jpeg(900, 700);
        let a = export_full_resolution(&bytes, &job, &mut |_| {}).unwrap();
        let b = export_full_resolution(&bytes, &back, &mut |_| {}).unwrap();
        assert_eq!(a, b);
    }
}
