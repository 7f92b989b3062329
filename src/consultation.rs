//! A consultation saved as data: the treatment plan and every angle's edits (serde, versioned),
//! with the photos' files beside it. The same [`Saved`] manifest is kept by the browser's autosave
//! (photos stored apart, by content hash) and written into a single consultation file another
//! browser can open ([`write_file`], [`read_file`]).
//!
//! The file: `SMPTRYON` (8 bytes), the format version (u32 LE), the manifest's length (u32 LE),
//! the manifest (JSON), then each angle's photo file, in the manifest's order (its length and
//! hash are in the manifest). Pure Rust: unit-tested natively.

use std::fmt;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use smp_core::detect::View;
use smp_core::{AreaMask, Hairline, Point, RenderParams, Stroke};

use crate::export::ExportOptions;
use crate::state::{Angle, Area, DetectionInfo, PhotoMeta, State};

pub const MAGIC: &[u8; 8] = b"SMPTRYON";
/// The version this build writes. Bump it when the manifest changes in a way older builds would
/// misread, and convert older versions in [`read_manifest`].
pub const FORMAT_VERSION: u32 = 1;
/// The file name extension of consultation files.
pub const FILE_EXTENSION: &str = "smptryon";
/// A manifest larger than this is not ours (detected areas are ~100 KB each).
const MAX_MANIFEST_BYTES: usize = 32 << 20;

/// The treatment plan shared by all angles and each angle's edits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    pub format_version: u32,
    /// The shared plan (each angle's scale and curvature are its own, below).
    pub params: RenderParams,
    pub brush_mm: f32,
    /// Index of the angle shown when saved.
    pub current: usize,
    /// The export panel's choices (the clinic's name among them).
    #[serde(default)]
    pub export: ExportOptions,
    pub angles: Vec<SavedAngle>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedAngle {
    pub photo: PhotoRef,
    pub view: Option<View>,
    pub px_per_mm: f32,
    pub follow_curve: bool,
    pub measure: Option<(Point, Point)>,
    pub base: Option<AreaMask>,
    pub strokes: Vec<Stroke>,
    pub hairline: Option<Hairline>,
    pub detection: Option<DetectionInfo>,
}

/// A photo's file: its name, size and content hash (the key of its bytes in the autosave).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoRef {
    pub name: String,
    pub len: u64,
    /// FNV-1a 64 of the bytes, hex.
    pub hash: String,
}

/// A consultation and its photos' files, in the order of its angles.
pub type SavedWithPhotos = (Saved, Vec<Rc<[u8]>>);

/// Why a consultation could not be read. The current work is never touched by a failed read.
#[derive(Clone, Debug, PartialEq)]
pub enum ReadError {
    NotOurs,
    Newer(u32),
    Older(u32),
    Damaged(String),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotOurs => write!(f, "This is not an SMP Try-On consultation file (they end in .{FILE_EXTENSION})."),
            ReadError::Newer(v) => write!(
                f,
                "This consultation was saved by a newer version of SMP Try-On (format {v}; this page reads up to {FORMAT_VERSION}). Reload the page to update it, then open the file again."
            ),
            ReadError::Older(v) => write!(
                f,
                "This consultation was saved by an early version of SMP Try-On (format {v}) that this page can no longer read. Open the photos themselves instead."
            ),
            ReadError::Damaged(why) => write!(f, "This consultation file is damaged ({why}); nothing was changed."),
        }
    }
}

/// FNV-1a, 64 bit, as 16 hex digits: a content key and a check against damage (not a defence
/// against tampering: the file is opened on the user's own device).
pub fn content_hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

impl Saved {
    /// The state's consultation; `photo_of(id)` gives each photo's file bytes and their
    /// [`content_hash`] (its engine keeps both). Angles whose bytes are unknown are left out.
    pub fn from_state(state: &State, photo_of: &dyn Fn(u64) -> Option<(Rc<[u8]>, String)>) -> SavedWithPhotos {
        let mut angles = Vec::new();
        let mut photos = Vec::new();
        let mut current = 0;
        for angle in state.angles() {
            let Some((bytes, hash)) = photo_of(angle.meta.id) else { continue };
            if state.photo.as_ref().map(|m| m.id) == Some(angle.meta.id) {
                current = angles.len();
            }
            angles.push(SavedAngle::from_angle(&angle, bytes.len(), hash));
            photos.push(bytes);
        }
        let saved = Saved {
            format_version: FORMAT_VERSION,
            params: RenderParams { px_per_mm: RenderParams::default().px_per_mm, follow_curve: false, ..state.params }
                .sanitized(),
            brush_mm: if state.brush_mm.is_finite() { state.brush_mm } else { 25.0 },
            export: state.export.clone().sanitized(),
            current,
            angles,
        };
        (saved, photos)
    }

    /// The plan, sanitized (a file may hold anything).
    pub fn plan(&self) -> RenderParams {
        self.params.sanitized()
    }
}

impl SavedAngle {
    fn from_angle(angle: &Angle, len: usize, hash: String) -> SavedAngle {
        SavedAngle {
            photo: PhotoRef { name: angle.meta.name.clone(), len: len as u64, hash },
            view: angle.view,
            // JSON has no NaN or infinity: anything non-finite is left out (the reducer keeps
            // such values out of the state; this is a second line).
            px_per_mm: if angle.px_per_mm.is_finite() { angle.px_per_mm } else { RenderParams::default().px_per_mm },
            follow_curve: angle.follow_curve,
            measure: angle.measure.filter(|(a, b)| a.is_finite() && b.is_finite()),
            base: angle.area.base.as_deref().cloned(),
            strokes: angle.area.strokes.iter().filter(|s| stroke_is_sane(s)).map(|s| (**s).clone()).collect(),
            hairline: angle
                .area
                .hairline
                .clone()
                .filter(|h| h.points.iter().all(|p| p.is_finite()) && h.feather_mm.is_finite()),
            detection: angle.detection.clone().map(finite_detection),
        }
    }

    /// This angle's edits on the photo reopened as `meta` (no undo history: it starts afresh).
    pub fn to_angle(&self, meta: PhotoMeta) -> Angle {
        let mut angle = Angle::new(meta);
        let full = (angle.meta.full_width, angle.meta.full_height);
        // An area made for another photo size would land in the wrong place: leave it out.
        angle.area = Area {
            base: self
                .base
                .clone()
                .filter(|b| (b.full_width, b.full_height) == full && area_is_consistent(b))
                .map(Rc::new),
            strokes: self.strokes.iter().filter(|s| stroke_is_sane(s)).cloned().map(Rc::new).collect(),
            hairline: self.hairline.clone().filter(|h| h.points.iter().all(|p| p.is_finite())),
        };
        if self.px_per_mm.is_finite() {
            angle.px_per_mm = self.px_per_mm.clamp(RenderParams::PX_PER_MM.0, RenderParams::PX_PER_MM.1);
        }
        angle.follow_curve = self.follow_curve;
        angle.measure = self.measure.filter(|(a, b)| a.is_finite() && b.is_finite());
        angle.view = self.view;
        angle.detection = self.detection.clone().map(finite_detection);
        angle
    }
}

fn area_is_consistent(mask: &AreaMask) -> bool {
    mask.width > 0 && mask.height > 0 && mask.data.len() as u64 == mask.width as u64 * mask.height as u64
}

/// Detection's summary with a non-finite face frame left out (JSON has no NaN).
fn finite_detection(mut d: DetectionInfo) -> DetectionInfo {
    d.face = d.face.filter(|f| f.brow_mid.is_finite() && f.up.is_finite() && f.eye_distance_px.is_finite());
    d
}

fn stroke_is_sane(stroke: &Stroke) -> bool {
    stroke.radius_px.is_finite() && stroke.radius_px > 0.0 && stroke.points.iter().all(|p| p.is_finite())
}

/// The manifest as bytes (JSON).
pub fn write_manifest(saved: &Saved) -> Vec<u8> {
    serde_json::to_vec(saved).expect("the manifest has only serialisable values")
}

/// A manifest read back: its version is checked before the rest is parsed.
pub fn read_manifest(bytes: &[u8]) -> Result<Saved, ReadError> {
    #[derive(Deserialize)]
    struct Version {
        format_version: u32,
    }
    let version: Version =
        serde_json::from_slice(bytes).map_err(|e| ReadError::Damaged(format!("its contents do not parse: {e}")))?;
    match version.format_version {
        v if v > FORMAT_VERSION => return Err(ReadError::Newer(v)),
        v if v < FORMAT_VERSION => return Err(ReadError::Older(v)),
        _ => {}
    }
    let saved: Saved =
        serde_json::from_slice(bytes).map_err(|e| ReadError::Damaged(format!("its contents do not parse: {e}")))?;
    if saved.angles.is_empty() {
        return Err(ReadError::Damaged("it holds no photo".into()));
    }
    if saved.angles.len() > crate::state::MAX_ANGLES {
        return Err(ReadError::Damaged(format!(
            "it holds {} photos, more than {}",
            saved.angles.len(),
            crate::state::MAX_ANGLES
        )));
    }
    Ok(saved)
}

/// The single consultation file: header, manifest, then the photos in the manifest's order.
pub fn write_file(saved: &Saved, photos: &[Rc<[u8]>]) -> Vec<u8> {
    let manifest = write_manifest(saved);
    let total = 16 + manifest.len() + photos.iter().map(|p| p.len()).sum::<usize>();
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(manifest.len() as u32).to_le_bytes());
    out.extend_from_slice(&manifest);
    for p in photos {
        out.extend_from_slice(p);
    }
    out
}

/// A consultation file read back: the manifest and each angle's photo bytes, every length and
/// hash checked.
pub fn read_file(bytes: &[u8]) -> Result<SavedWithPhotos, ReadError> {
    if bytes.len() < 8 || &bytes[..8] != MAGIC {
        return Err(ReadError::NotOurs);
    }
    if bytes.len() < 16 {
        return Err(ReadError::Damaged("it is cut short".into()));
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if version > FORMAT_VERSION {
        return Err(ReadError::Newer(version));
    }
    if version < FORMAT_VERSION {
        return Err(ReadError::Older(version));
    }
    let manifest_len = u32::from_le_bytes(bytes[12..16].try_into().expect("4 bytes")) as usize;
    if manifest_len > MAX_MANIFEST_BYTES || 16 + manifest_len > bytes.len() {
        return Err(ReadError::Damaged("it is cut short".into()));
    }
    let saved = read_manifest(&bytes[16..16 + manifest_len])?;
    if saved.format_version != version {
        return Err(ReadError::Damaged("its two version numbers differ".into()));
    }
    let mut at = 16 + manifest_len;
    let mut photos = Vec::with_capacity(saved.angles.len());
    for (i, angle) in saved.angles.iter().enumerate() {
        let len = usize::try_from(angle.photo.len).unwrap_or(usize::MAX);
        let end = at.checked_add(len).filter(|&e| e <= bytes.len());
        let Some(end) = end else {
            return Err(ReadError::Damaged(format!("photo {} of {} is cut short", i + 1, saved.angles.len())));
        };
        let photo = &bytes[at..end];
        if content_hash(photo) != angle.photo.hash {
            return Err(ReadError::Damaged(format!(
                "photo {} of {} does not match its checksum",
                i + 1,
                saved.angles.len()
            )));
        }
        photos.push(Rc::from(photo));
        at = end;
    }
    if at != bytes.len() {
        return Err(ReadError::Damaged("it has unexpected bytes at its end".into()));
    }
    Ok((saved, photos))
}

/// A file name for the consultation saved on `date` (YYYY-MM-DD).
pub fn file_name(date: &str) -> String {
    let date: String = date.chars().filter(|c| c.is_ascii_digit() || *c == '-').take(10).collect();
    if date.is_empty() {
        format!("consultation.{FILE_EXTENSION}")
    } else {
        format!("consultation-{date}.{FILE_EXTENSION}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Action, Prefill};
    use smp_core::detect::{Advice, ScaleSource};
    use smp_core::hairline_design::FaceFrame;
    use smp_core::BrushMode;

    fn meta(id: u64) -> PhotoMeta {
        PhotoMeta {
            id,
            name: format!("{id}.jpg"),
            full_width: 1000,
            full_height: 800,
            work_width: 500,
            work_height: 400,
            thumbnail: None,
        }
    }

    fn bytes_of(id: u64) -> Option<(Rc<[u8]>, String)> {
        let bytes: Rc<[u8]> = Rc::from(vec![id as u8; 100 + id as usize]);
        let hash = content_hash(&bytes);
        Some((bytes, hash))
    }

    /// Two angles with strokes, a hairline, a detected base, a measured scale and a plan.
    fn consultation() -> State {
        let mut base = AreaMask::empty(10, 8, 1000, 800);
        base.data[12] = 200;
        let s = State::default().apply(Action::PhotoOpened(meta(1))).apply(Action::Prefill(Prefill {
            photo_id: 1,
            detected: crate::state::Detected {
                area: Some(base),
                hairline: None,
                px_per_mm: Some((3.5, ScaleSource::EyeDistance)),
                view: Some(View::Front),
                advice: vec![Advice::LightLongHair],
                face: Some(FaceFrame {
                    brow_mid: Point::new(500.0, 300.0),
                    up: Point::new(0.0, -1.0),
                    eye_distance_px: 220.0,
                }),
                summary: "front view".into(),
                ms: 1.0,
                hair_rgb: Some([90, 70, 50]),
            },
        }));
        let s = s
            .apply(Action::PointerDown { at: Point::new(10.0, 10.0), hit_px: 5.0 })
            .apply(Action::PointerMove(Point::new(60.0, 20.0)))
            .apply(Action::PointerUp)
            .apply(Action::SetTool(crate::state::Tool::Hairline))
            .apply(Action::SetDensity(55.0))
            .apply(Action::SetSessions(3))
            .apply(Action::SetYears(2.5))
            .apply(Action::SetExport(ExportOptions { clinic: "Ink & Follicle".into(), ..ExportOptions::default() }));
        s.apply(Action::AngleAdded(meta(2)))
            .apply(Action::SetTool(crate::state::Tool::Erase))
            .apply(Action::PointerDown { at: Point::new(400.0, 300.0), hit_px: 5.0 })
            .apply(Action::PointerUp)
            .apply(Action::SetAngleView(Some(View::Top)))
            .apply(Action::SelectAngle(1))
    }

    #[test]
    fn a_consultation_survives_the_file_round_trip() {
        let state = consultation();
        let (saved, photos) = Saved::from_state(&state, &bytes_of);
        assert_eq!(saved.angles.len(), 2);
        assert_eq!(saved.current, 0);
        let file = write_file(&saved, &photos);
        let (back, back_photos) = read_file(&file).expect("reads");
        assert_eq!(back, saved);
        assert_eq!(back_photos, photos);
        // Reopened (new photo ids), each angle has its own edits again.
        let originals = state.angles();
        for (i, a) in back.angles.iter().enumerate() {
            let angle = a.to_angle(meta(10 + i as u64));
            let was = &originals[i];
            assert_eq!(angle.area, was.area, "angle {i}");
            assert_eq!(angle.px_per_mm, was.px_per_mm);
            assert_eq!(angle.follow_curve, was.follow_curve);
            assert_eq!(angle.view, was.view);
            assert_eq!(angle.detection, was.detection);
            assert_eq!(angle.measure, was.measure);
        }
        assert_eq!(back.angles[1].strokes[0].mode, BrushMode::Erase);
        let plan = back.plan();
        assert_eq!((plan.density_per_cm2, plan.time.sessions, plan.time.years), (55.0, 3, 2.5));
        assert_eq!(back.export.clinic, "Ink & Follicle");
    }

    #[test]
    fn damaged_foreign_and_other_version_files_say_why() {
        let state = consultation();
        let (saved, photos) = Saved::from_state(&state, &bytes_of);
        let file = write_file(&saved, &photos);
        assert_eq!(read_file(b"\x89PNG\r\n\x1a\n...."), Err(ReadError::NotOurs));
        assert_eq!(read_file(b""), Err(ReadError::NotOurs));
        assert!(matches!(read_file(&file[..12]), Err(ReadError::Damaged(_))));
        // Cut anywhere after the header: damaged, never a panic.
        for cut in (12..file.len()).step_by(7) {
            assert!(matches!(read_file(&file[..cut]), Err(ReadError::Damaged(_))), "cut at {cut}");
        }
        // A flipped byte in a photo fails its checksum.
        let mut flipped = file.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x40;
        assert_eq!(read_file(&flipped), Err(ReadError::Damaged("photo 2 of 2 does not match its checksum".into())));
        // A flipped byte in the manifest.
        let mut bad_json = file.clone();
        bad_json[17] = b'!';
        assert!(matches!(read_file(&bad_json), Err(ReadError::Damaged(_))));
        // Trailing bytes.
        let mut longer = file.clone();
        longer.push(0);
        assert!(matches!(read_file(&longer), Err(ReadError::Damaged(_))));
        // Versions: newer and older, in the header and in the manifest.
        let mut newer = file.clone();
        newer[8..12].copy_from_slice(&2u32.to_le_bytes());
        assert_eq!(read_file(&newer), Err(ReadError::Newer(2)));
        let mut older = file.clone();
        older[8..12].copy_from_slice(&0u32.to_le_bytes());
        assert_eq!(read_file(&older), Err(ReadError::Older(0)));
        let manifest =
            String::from_utf8(write_manifest(&saved)).unwrap().replace("\"format_version\":1", "\"format_version\":7");
        assert_eq!(read_manifest(manifest.as_bytes()), Err(ReadError::Newer(7)));
        // The messages say what happened and that nothing changed.
        assert!(ReadError::Damaged("x".into()).to_string().contains("nothing was changed"));
        assert!(ReadError::Newer(2).to_string().contains("newer version"));
    }

    #[test]
    fn odd_values_in_a_file_are_made_safe() {
        let state = consultation();
        let (mut saved, photos) = Saved::from_state(&state, &bytes_of);
        saved.params.density_per_cm2 = 1e9;
        saved.angles[0].px_per_mm = 1e30;
        saved.angles[0].strokes[0].radius_px = -3.0;
        // An area made for another photo size is dropped rather than misplaced.
        saved.angles[0].base.as_mut().unwrap().full_width = 4000;
        let (back, _) = read_file(&write_file(&saved, &photos)).unwrap();
        assert_eq!(back.plan().density_per_cm2, RenderParams::DENSITY_PER_CM2.1);
        let angle = back.angles[0].to_angle(meta(5));
        assert!(angle.area.base.is_none());
        assert!(angle.area.strokes.is_empty(), "a stroke with a negative radius is dropped");
        assert_eq!(angle.px_per_mm, RenderParams::PX_PER_MM.1);
        // JSON has no NaN: a state holding one still writes a file that reads back (the odd
        // value is left out), and a manifest with a null number is reported as damaged.
        let mut odd = consultation();
        odd.params.px_per_mm = f32::NAN;
        Rc::make_mut(&mut odd.area.strokes[0]).points.push(Point::new(f32::NAN, 0.0));
        let (saved, photos) = Saved::from_state(&odd, &bytes_of);
        let (back, _) = read_file(&write_file(&saved, &photos)).expect("readable");
        assert_eq!(back.angles[0].px_per_mm, RenderParams::default().px_per_mm);
        assert!(back.angles[0].strokes.is_empty());
        let nulled = String::from_utf8(write_manifest(&saved))
            .unwrap()
            .replace("\"density_per_cm2\":", "\"density_per_cm2\":null,\"x\":");
        assert!(matches!(read_manifest(nulled.as_bytes()), Err(ReadError::Damaged(_))));
    }

    #[test]
    fn names_and_hashes() {
        assert_eq!(file_name("2026-11-24T10:00:00Z"), "consultation-2026-11-24.smptryon");
        assert_eq!(file_name(""), "consultation.smptryon");
        assert_eq!(content_hash(b""), "cbf29ce484222325");
        assert_ne!(content_hash(b"a"), content_hash(b"b"));
    }
}
