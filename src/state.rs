//! The app's state, every change to it as an [`Action`], and a pure reducer (`State::apply`),
//! in the style of yew's function_todomvc. Nothing here touches the browser: it is unit-tested
//! natively. Geometry is in full-image pixels (see `smp_core`).

use std::rc::Rc;

use serde::{Deserialize, Serialize};
use smp_core::detect::{Advice, ScaleSource, View};
use smp_core::hairline_design::{FaceFrame, HairlineEdge, HairlineShape};
use smp_core::photo_stats::ShadeSuggestion;
use smp_core::region::HairlineSide;
use smp_core::render::default_px_per_mm;
use smp_core::{AreaMask, BrushMode, Hairline, Point, RenderParams, Shade, Stroke, TimeState, Treatment};
use yew::Reducible;

use crate::export::ExportOptions;
pub use crate::hairline_tools::HairlineDesign;
use crate::zoom::{ViewZoom, ZoomAction};

/// What is known about the loaded photo (its pixels live in the engine, not in the state).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct PhotoMeta {
    /// Increases with every photo opened, so views can tell photos apart.
    pub id: u64,
    pub name: String,
    pub full_width: u32,
    pub full_height: u32,
    pub work_width: u32,
    pub work_height: u32,
    /// A small picture of the photo for the angle tabs (a `data:` URL), once made.
    pub thumbnail: Option<Rc<str>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Paint,
    Erase,
    Hairline,
    Measure,
}

/// The treatment area: the detected scalp (if any), the brush strokes painted and erased on top
/// of it, and the hairline. Snapshots of it make the undo history.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Area {
    pub base: Option<Rc<AreaMask>>,
    pub strokes: Vec<Rc<Stroke>>,
    pub hairline: Option<Hairline>,
}

impl Area {
    pub fn is_empty(&self) -> bool {
        self.strokes.is_empty() && self.base.is_none()
    }
}

/// Automatic detection's result for a photo (see `smp_core::detect`), as it travels from the
/// worker (`engine::prepare_photo`, which computes it): everything the state is prefilled with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Detected {
    pub area: Option<AreaMask>,
    pub hairline: Option<Hairline>,
    pub px_per_mm: Option<(f32, ScaleSource)>,
    pub view: Option<View>,
    pub advice: Vec<Advice>,
    /// The eyes and brows, when a face was found (front views).
    #[serde(default)]
    pub face: Option<FaceFrame>,
    /// e.g. "top-down view, scale from the head's width".
    pub summary: String,
    /// How long detection took, ms (read by the benchmark).
    pub ms: f64,
    /// The mean colour of the hair found on the photo (sRGB), for the shade suggestion.
    #[serde(default)]
    pub hair_rgb: Option<[u8; 3]>,
}

/// What detection found on a photo, ready to prefill the state.
#[derive(Clone, Debug, PartialEq)]
pub struct Prefill {
    /// The photo it was found on (`PhotoMeta::id`).
    pub photo_id: u64,
    pub detected: Detected,
}

/// What the page tells the user about the detection (also saved with each angle).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DetectionInfo {
    pub summary: String,
    pub view: Option<View>,
    pub advice: Vec<Advice>,
    pub area_found: bool,
    pub scale_source: Option<ScaleSource>,
    /// The face's brows and mid-line (full-image px), when one was found.
    #[serde(default)]
    pub face: Option<FaceFrame>,
    /// The mean colour of the hair found on the photo (sRGB): the shade suggestion follows it.
    #[serde(default)]
    pub hair_rgb: Option<[u8; 3]>,
}

/// One photo of the consultation (an angle: front, top, side, back) with everything drawn on it.
/// The treatment plan (`RenderParams` but the scale and the curvature) is shared by all angles.
#[derive(Clone, Debug, PartialEq)]
pub struct Angle {
    pub meta: PhotoMeta,
    pub area: Area,
    pub undo: Vec<Area>,
    pub redo: Vec<Area>,
    pub measure: Option<(Point, Point)>,
    /// This photo's scale (`RenderParams::px_per_mm` while it is the current one).
    pub px_per_mm: f32,
    pub follow_curve: bool,
    pub detection: Option<DetectionInfo>,
    pub suggestion: Option<ShadeSuggestion>,
    /// What the user calls this angle (detection's view until they change it).
    pub view: Option<View>,
}

impl Angle {
    /// A freshly opened photo: nothing drawn, the default scale.
    pub fn new(meta: PhotoMeta) -> Angle {
        Angle {
            px_per_mm: default_px_per_mm(meta.full_width, meta.full_height),
            meta,
            area: Area::default(),
            undo: Vec::new(),
            redo: Vec::new(),
            measure: None,
            follow_curve: false,
            detection: None,
            suggestion: None,
            view: None,
        }
    }
}

/// A saved consultation, its photos reopened, ready to replace the state (see
/// `consultation::Saved`).
#[derive(Clone, Debug, PartialEq)]
pub struct Restored {
    pub angles: Vec<Angle>,
    /// Index into `angles` of the one to show.
    pub current: usize,
    pub params: RenderParams,
    pub brush_mm: f32,
    pub export: ExportOptions,
    /// Said to the user, e.g. "Your consultation was restored (2 photos)."
    pub message: String,
}

/// A consultation holds at most this many photos (each keeps a ~2 MP working copy in memory).
pub const MAX_ANGLES: usize = 6;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Drag {
    Stroke,
    Handle(usize),
    Measure,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Compare {
    /// Split view on: the original is shown left of `split` (0..=1 of the width).
    pub split_on: bool,
    pub split: f32,
    /// Press-and-hold shows the whole original.
    pub holding_original: bool,
    /// Before and after side by side, at the same zoom and pan.
    pub side_by_side: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeKind {
    Error,
    Info,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// The current photo. Its angle's edits live in the fields below (`area`, `undo`, `redo`,
    /// `measure`, `detection`, `suggestion`, `view`, `params.px_per_mm`, `params.follow_curve`);
    /// the other photos' are parked in `angles`.
    pub photo: Option<PhotoMeta>,
    /// Every photo of the consultation in the order added. The current photo's entry is only
    /// brought up to date when another photo is selected: read them through [`State::angles`].
    pub angles: Vec<Angle>,
    /// What the user calls the current angle.
    pub view: Option<View>,
    pub params: RenderParams,
    pub area: Area,
    pub undo: Vec<Area>,
    pub redo: Vec<Area>,
    pub tool: Tool,
    /// Brush diameter on the scalp, mm.
    pub brush_mm: f32,
    pub drag: Option<Drag>,
    /// The measuring line (full-image px) and the real length the user says it has.
    pub measure: Option<(Point, Point)>,
    pub measure_mm: f32,
    pub compare: Compare,
    pub notice: Option<Notice>,
    /// Long work under way (its description), e.g. opening or exporting.
    pub busy: Option<String>,
    /// The step of the busy work under way (e.g. "decoding"), as the worker reports it.
    pub busy_step: Option<String>,
    pub next_stroke_id: u64,
    /// A shade suggested from the photo for the current area.
    pub suggestion: Option<ShadeSuggestion>,
    /// What detection found on the current photo.
    pub detection: Option<DetectionInfo>,
    /// Hairline presets, symmetry and the millimetre guide (see `hairline_tools`).
    pub design: HairlineDesign,
    /// The export panel's choices (kind, format, clinic, date).
    pub export: ExportOptions,
    /// The stage's zoom and pan on the current photo (fit when a photo opens).
    pub zoom: ViewZoom,
}

impl Default for State {
    fn default() -> Self {
        Self {
            photo: None,
            angles: Vec::new(),
            view: None,
            params: RenderParams::default(),
            area: Area::default(),
            undo: Vec::new(),
            redo: Vec::new(),
            tool: Tool::Paint,
            brush_mm: 25.0,
            drag: None,
            measure: None,
            measure_mm: 63.0,
            compare: Compare { split_on: false, split: 0.5, holding_original: false, side_by_side: false },
            notice: None,
            busy: None,
            busy_step: None,
            next_stroke_id: 1,
            suggestion: None,
            detection: None,
            design: HairlineDesign::default(),
            export: ExportOptions::default(),
            zoom: ViewZoom::fit(1, 1),
        }
    }
}

pub const BRUSH_MM: (f32, f32) = (2.0, 120.0);
pub const FEATHER_MM: (f32, f32) = (0.5, 15.0);
/// Soft hairline by default: a sharp line of dots is the classic failure.
pub const DEFAULT_FEATHER_MM: f32 = 6.0;
pub const UNDO_LIMIT: usize = 100;

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A file was chosen and is being read.
    PhotoOpening {
        name: String,
    },
    /// A new photo is ready and replaces the current one (its angle's edits are dropped; the
    /// treatment plan and the other angles stay). With no photo yet it becomes the first angle.
    PhotoOpened(PhotoMeta),
    /// A new photo is ready and joins the consultation as another angle, which becomes current.
    AngleAdded(PhotoMeta),
    /// Show another angle (by photo id); the current one's edits are kept.
    SelectAngle(u64),
    /// Remove an angle (by photo id) and its edits.
    RemoveAngle(u64),
    /// Name the current angle (front, top, side, back).
    SetAngleView(Option<View>),
    /// A saved consultation was reopened (autosave or file): it replaces the whole consultation.
    Restore(Restored),
    /// Start afresh: no photo, the default plan.
    NewConsultation,
    /// The file could not be used: say why, keep the current photo and work.
    PhotoFailed(String),
    DismissNotice,
    SetTreatment(Treatment),
    SetShade(Shade),
    SetDotDiameter(f32),
    SetDensity(f32),
    SetBrushMm(f32),
    SetTool(Tool),
    SetFeather(f32),
    FlipHairlineSide,
    RemoveHairline,
    RemoveHandle(usize),
    /// Pointer pressed on the photo at a point in full-image px. `hit_px` is how close (full px)
    /// a hairline handle must be to be grabbed.
    PointerDown {
        at: Point,
        hit_px: f32,
    },
    PointerMove(Point),
    PointerUp,
    Undo,
    Redo,
    ClearArea,
    SetMeasureMm(f32),
    /// Set the scale from the measuring line and `measure_mm`.
    ApplyMeasure,
    SetSplitOn(bool),
    SetSplit(f32),
    HoldOriginal(bool),
    BusyStarted(String),
    /// The busy work reached a new step (shown beside the busy message).
    BusyProgress(String),
    BusyFinished,
    /// The export panel changed (stored sanitized).
    SetExport(ExportOptions),
    /// Tell the user something that is not an error (e.g. an export was made smaller).
    ShowInfo(String),
    SetSessions(u8),
    SetFresh(bool),
    SetYears(f32),
    SetTooDeep(bool),
    SetFollowCurve(bool),
    SetSuggestion(Option<ShadeSuggestion>),
    /// Detection finished for a photo: prefill its area, hairline and scale (ignored if another
    /// photo has been opened since).
    Prefill(Prefill),
    /// Reshape the hairline to a preset (placed in mm from the brows when a face was found).
    ApplyHairlinePreset(HairlineShape),
    /// Give the hairline a sharp, soft or broken edge.
    SetHairlineEdge(HairlineEdge),
    /// Move the hairline so its mid-frontal point is this many mm above the brows.
    SetMfpAboveBrows(f32),
    SetHairlineSymmetric(bool),
    SetHairlineGuide(bool),
    /// Zoom or pan the stage.
    Zoom(ZoomAction),
    SetSideBySide(bool),
    /// Take back the gesture under way as if it never started (a second finger turned it into
    /// a pinch): the stroke or handle drag it began is undone.
    AbortDrag,
}

fn finite_clamp(v: f32, (lo, hi): (f32, f32), fallback: f32) -> f32 {
    if v.is_finite() {
        v.clamp(lo, hi)
    } else {
        fallback
    }
}

impl State {
    /// The pure reducer.
    pub fn apply(&self, action: Action) -> State {
        let mut s = self.clone();
        match action {
            Action::PhotoOpening { name } => {
                s.busy = Some(format!("Opening {name}…"));
                s.busy_step = None;
            }
            Action::PhotoOpened(meta) => {
                let replaced = s.photo.as_ref().map(|m| m.id);
                s.load_angle(Angle::new(meta.clone()));
                match replaced.and_then(|id| s.angles.iter().position(|a| a.meta.id == id)) {
                    Some(i) => s.angles[i] = Angle::new(meta),
                    None => s.angles.push(Angle::new(meta)),
                }
                s.after_photo_change();
            }
            Action::AngleAdded(meta) => {
                if s.angles.len() >= MAX_ANGLES && s.photo.is_some() {
                    s.notice = Some(Notice { kind: NoticeKind::Error, text: too_many_angles() });
                    s.busy = None;
                    s.busy_step = None;
                } else {
                    s.park_current();
                    s.angles.push(Angle::new(meta.clone()));
                    s.load_angle(Angle::new(meta));
                    s.after_photo_change();
                }
            }
            Action::SelectAngle(id) => {
                if s.photo.as_ref().map(|m| m.id) != Some(id) {
                    if let Some(angle) = s.angles.iter().find(|a| a.meta.id == id).cloned() {
                        s.park_current();
                        s.load_angle(angle);
                        s.drag = None;
                        s.compare.holding_original = false;
                    }
                }
            }
            Action::RemoveAngle(id) => {
                if let Some(i) = s.angles.iter().position(|a| a.meta.id == id) {
                    s.angles.remove(i);
                    if s.photo.as_ref().map(|m| m.id) == Some(id) {
                        match s.angles.get(i.min(s.angles.len().saturating_sub(1))).cloned() {
                            Some(next) => s.load_angle(next),
                            None => {
                                let plan = RenderParams { px_per_mm: RenderParams::default().px_per_mm, ..s.params };
                                s.load_angle(Angle::new(PhotoMeta::default()));
                                s.photo = None;
                                s.params = plan;
                                s.tool = Tool::Paint;
                            }
                        }
                        s.drag = None;
                        s.compare.holding_original = false;
                    }
                }
            }
            Action::Restore(r) => {
                if let Some(current) = r.angles.get(r.current.min(r.angles.len().saturating_sub(1))).cloned() {
                    let next_stroke_id = r
                        .angles
                        .iter()
                        .flat_map(|a| a.area.strokes.iter().map(|s| s.id))
                        .max()
                        .map_or(1, |id| id.saturating_add(1))
                        .max(s.next_stroke_id);
                    s = State {
                        params: r.params.sanitized(),
                        brush_mm: finite_clamp(r.brush_mm, BRUSH_MM, s.brush_mm),
                        export: r.export.sanitized(),
                        angles: r.angles,
                        next_stroke_id,
                        ..State::default()
                    };
                    s.load_angle(current);
                    s.notice = Some(Notice { kind: NoticeKind::Info, text: r.message });
                }
            }
            Action::NewConsultation => {
                // The clinic's export choices and the designer's settings carry over.
                s = State {
                    next_stroke_id: s.next_stroke_id,
                    export: s.export.clone(),
                    design: s.design.clone(),
                    ..State::default()
                };
            }
            Action::SetAngleView(view) => {
                if s.photo.is_some() {
                    s.view = view;
                }
            }
            Action::PhotoFailed(text) => {
                s.busy = None;
                s.busy_step = None;
                s.notice = Some(Notice { kind: NoticeKind::Error, text });
            }
            Action::DismissNotice => s.notice = None,
            Action::SetTreatment(t) => s.params.treatment = t,
            Action::SetShade(shade) => s.params.shade = Shade::new(shade.strength),
            Action::SetDotDiameter(v) => {
                s.params.dot_diameter_mm = finite_clamp(v, RenderParams::DOT_DIAMETER_MM, s.params.dot_diameter_mm)
            }
            Action::SetDensity(v) => {
                s.params.density_per_cm2 = finite_clamp(v, RenderParams::DENSITY_PER_CM2, s.params.density_per_cm2)
            }
            Action::SetBrushMm(v) => s.brush_mm = finite_clamp(v, BRUSH_MM, s.brush_mm),
            Action::SetTool(tool) => {
                s.tool = tool;
                s.drag = None;
                if tool == Tool::Hairline && s.area.hairline.is_none() {
                    if let Some(line) = s.photo.as_ref().map(default_hairline) {
                        s.push_undo();
                        s.area.hairline = Some(line);
                    }
                }
            }
            Action::SetFeather(v) => {
                if let Some(h) = &mut s.area.hairline {
                    h.feather_mm = finite_clamp(v, FEATHER_MM, h.feather_mm);
                }
            }
            Action::FlipHairlineSide => {
                if s.area.hairline.is_some() {
                    s.push_undo();
                    let h = s.area.hairline.as_mut().expect("checked");
                    h.treated_side = match h.treated_side {
                        HairlineSide::Left => HairlineSide::Right,
                        HairlineSide::Right => HairlineSide::Left,
                    };
                }
            }
            Action::RemoveHairline => {
                if s.area.hairline.is_some() {
                    s.push_undo();
                    s.area.hairline = None;
                    if s.tool == Tool::Hairline {
                        s.tool = Tool::Paint;
                    }
                }
            }
            Action::RemoveHandle(i) => s.remove_hairline_handle(i),
            Action::PointerDown { at, hit_px } => s.pointer_down(at, hit_px),
            Action::PointerMove(at) => s.pointer_move(at),
            Action::PointerUp => s.drag = None,
            Action::Undo => {
                if let Some(prev) = s.undo.pop() {
                    let current = std::mem::replace(&mut s.area, prev);
                    s.redo.push(current);
                    s.drag = None;
                }
            }
            Action::Redo => {
                if let Some(next) = s.redo.pop() {
                    let current = std::mem::replace(&mut s.area, next);
                    s.undo.push(current);
                    s.drag = None;
                }
            }
            Action::ClearArea => {
                if !s.area.is_empty() {
                    s.push_undo();
                    s.area.strokes.clear();
                    s.area.base = None;
                }
            }
            Action::Prefill(p) => {
                if s.photo.as_ref().map(|m| m.id) == Some(p.photo_id) {
                    s.apply_prefill(p);
                }
            }
            Action::ApplyHairlinePreset(shape) => s.apply_hairline_preset(shape),
            Action::SetHairlineEdge(edge) => s.set_hairline_edge(edge),
            Action::SetMfpAboveBrows(mm) => s.set_mfp_above_brows(mm),
            Action::SetHairlineSymmetric(on) => s.set_hairline_symmetric(on),
            Action::SetHairlineGuide(on) => s.design.guide = on,
            Action::SetMeasureMm(v) => s.measure_mm = finite_clamp(v, (1.0, 1000.0), s.measure_mm),
            Action::ApplyMeasure => {
                if let Some((a, b)) = s.measure {
                    let len = a.distance(b);
                    if len >= 5.0 {
                        s.params.px_per_mm =
                            finite_clamp(len / s.measure_mm, RenderParams::PX_PER_MM, s.params.px_per_mm);
                        s.notice = Some(Notice {
                            kind: NoticeKind::Info,
                            text: format!("Scale set: {:.1} photo pixels per mm.", s.params.px_per_mm),
                        });
                    }
                }
            }
            Action::SetSplitOn(on) => s.compare.split_on = on,
            Action::SetSplit(v) => s.compare.split = finite_clamp(v, (0.0, 1.0), 0.5),
            Action::HoldOriginal(on) => s.compare.holding_original = on,
            Action::SetSideBySide(on) => s.compare.side_by_side = on,
            Action::Zoom(z) => {
                if let Some(m) = &s.photo {
                    s.zoom = s.zoom.apply(z, m.full_width, m.full_height);
                }
            }
            Action::AbortDrag => {
                if matches!(s.drag, Some(Drag::Stroke | Drag::Handle(_))) {
                    // The pointer-down that started it saved the area just before.
                    if let Some(prev) = s.undo.pop() {
                        s.area = prev;
                    }
                }
                s.drag = None;
            }
            Action::SetSessions(n) => s.params.time.sessions = n.clamp(1, 3),
            Action::SetFresh(on) => s.params.time.fresh = on,
            Action::SetYears(y) => {
                s.params.time.years = finite_clamp(y, (0.0, TimeState::MAX_YEARS), s.params.time.years)
            }
            Action::SetTooDeep(on) => s.params.time.too_deep = on,
            Action::SetFollowCurve(on) => s.params.follow_curve = on,
            Action::SetSuggestion(sug) => s.suggestion = sug,
            Action::BusyStarted(what) => {
                s.busy = Some(what);
                s.busy_step = None;
            }
            Action::BusyProgress(step) => {
                if s.busy.is_some() {
                    s.busy_step = Some(step);
                }
            }
            Action::BusyFinished => {
                s.busy = None;
                s.busy_step = None;
            }
            Action::SetExport(options) => s.export = options.sanitized(),
            Action::ShowInfo(text) => s.notice = Some(Notice { kind: NoticeKind::Info, text }),
        }
        s
    }

    /// The current photo's edits as an [`Angle`].
    pub fn current_angle(&self) -> Option<Angle> {
        let meta = self.photo.clone()?;
        Some(Angle {
            meta,
            area: self.area.clone(),
            undo: self.undo.clone(),
            redo: self.redo.clone(),
            measure: self.measure,
            px_per_mm: self.params.px_per_mm,
            follow_curve: self.params.follow_curve,
            detection: self.detection.clone(),
            suggestion: self.suggestion.clone(),
            view: self.view,
        })
    }

    /// Every angle of the consultation, in order, the current one up to date.
    pub fn angles(&self) -> Vec<Angle> {
        let current = self.current_angle();
        self.angles
            .iter()
            .map(|a| match &current {
                Some(c) if c.meta.id == a.meta.id => c.clone(),
                _ => a.clone(),
            })
            .collect()
    }

    /// The render parameters of an angle: the shared plan with that photo's scale and curvature.
    pub fn params_for(&self, angle: &Angle) -> RenderParams {
        RenderParams { px_per_mm: angle.px_per_mm, follow_curve: angle.follow_curve, ..self.params }
    }

    /// Bring the current photo's entry in `angles` up to date.
    fn park_current(&mut self) {
        if let Some(current) = self.current_angle() {
            if let Some(slot) = self.angles.iter_mut().find(|a| a.meta.id == current.meta.id) {
                *slot = current;
            }
        }
    }

    /// Make `angle` the current photo (its edits into the live fields).
    fn load_angle(&mut self, angle: Angle) {
        let Angle { meta, area, undo, redo, measure, px_per_mm, follow_curve, detection, suggestion, view } = angle;
        // Each photo opens fitted (its 1:1 factor is the stage's, kept until the stage says).
        self.zoom = ViewZoom { one_to_one: self.zoom.one_to_one, ..ViewZoom::fit(meta.full_width, meta.full_height) };
        self.photo = Some(meta);
        self.area = area;
        self.undo = undo;
        self.redo = redo;
        self.measure = measure;
        self.params.px_per_mm = px_per_mm;
        self.params.follow_curve = follow_curve;
        self.detection = detection;
        self.suggestion = suggestion;
        self.view = view;
    }

    /// What opening a photo resets besides its angle.
    fn after_photo_change(&mut self) {
        self.drag = None;
        self.busy = None;
        self.busy_step = None;
        self.notice = None;
        self.tool = Tool::Paint;
        self.compare.holding_original = false;
    }

    /// Prefill from detection. Work the user already did on this photo is kept: the detected
    /// area goes under their strokes, a hairline they drew stays, a scale they measured stays.
    fn apply_prefill(&mut self, Prefill { detected: p, .. }: Prefill) {
        let area_found = p.area.is_some();
        self.area.base = p.area.map(Rc::new);
        if self.area.hairline.is_none() {
            self.area.hairline = p.hairline;
        }
        if let (Some((ppm, _)), None) = (p.px_per_mm, self.measure) {
            self.params.px_per_mm = finite_clamp(ppm, RenderParams::PX_PER_MM, self.params.px_per_mm);
        }
        // Curvature suits a scalp seen from above, painted up to the head's outline.
        self.params.follow_curve = p.view == Some(View::Top);
        if self.view.is_none() {
            self.view = p.view;
        }
        self.detection = Some(DetectionInfo {
            summary: p.summary,
            view: p.view,
            advice: p.advice,
            area_found,
            scale_source: p.px_per_mm.map(|(_, s)| s),
            face: p.face,
            hair_rgb: p.hair_rgb,
        });
    }

    pub(crate) fn push_undo(&mut self) {
        self.undo.push(self.area.clone());
        if self.undo.len() > UNDO_LIMIT {
            self.undo.remove(0);
        }
        self.redo.clear();
    }

    /// Brush radius in full-image px.
    pub fn brush_radius_px(&self) -> f32 {
        0.5 * self.brush_mm * self.params.px_per_mm
    }

    fn pointer_down(&mut self, at: Point, hit_px: f32) {
        if self.photo.is_none() || !at.is_finite() {
            return;
        }
        match self.tool {
            Tool::Paint | Tool::Erase => {
                self.push_undo();
                let mode = if self.tool == Tool::Paint { BrushMode::Paint } else { BrushMode::Erase };
                self.area.strokes.push(Rc::new(Stroke {
                    id: self.next_stroke_id,
                    mode,
                    radius_px: self.brush_radius_px(),
                    points: vec![at],
                }));
                self.next_stroke_id += 1;
                self.drag = Some(Drag::Stroke);
            }
            Tool::Hairline => {
                if let Some(index) = self.hairline_pointer_down(at, hit_px) {
                    self.drag = Some(Drag::Handle(index));
                }
            }
            Tool::Measure => {
                self.measure = Some((at, at));
                self.drag = Some(Drag::Measure);
            }
        }
    }

    fn pointer_move(&mut self, at: Point) {
        if !at.is_finite() {
            return;
        }
        match self.drag {
            Some(Drag::Stroke) => {
                if let Some(last) = self.area.strokes.last_mut() {
                    let stroke = Rc::make_mut(last);
                    // Skip sub-pixel moves: they add points without changing the area.
                    if stroke.points.last().is_none_or(|p| p.distance(at) >= 0.5) {
                        stroke.points.push(at);
                    }
                }
            }
            Some(Drag::Handle(i)) => self.hairline_drag(i, at),
            Some(Drag::Measure) => {
                if let Some((_, b)) = &mut self.measure {
                    *b = at;
                }
            }
            None => {}
        }
    }
}

/// The message for one angle too many.
pub fn too_many_angles() -> String {
    format!("A consultation holds up to {MAX_ANGLES} photos: remove one to add another.")
}

/// Insert a handle where it lengthens the curve least; returns its index.
pub(crate) fn insert_handle(points: &mut Vec<Point>, at: Point) -> usize {
    if points.len() < 2 {
        points.push(at);
        points.sort_by(|a, b| a.x.total_cmp(&b.x));
        return points.iter().position(|p| *p == at).unwrap_or(0);
    }
    let cost = |i: usize| -> f32 {
        // Inserting before index i (0 = before the first, len = after the last).
        match i {
            0 => at.distance(points[0]),
            i if i == points.len() => at.distance(points[i - 1]),
            i => at.distance(points[i - 1]) + at.distance(points[i]) - points[i - 1].distance(points[i]),
        }
    };
    let best = (0..=points.len()).min_by(|&a, &b| cost(a).total_cmp(&cost(b))).unwrap_or(0);
    points.insert(best, at);
    best
}

/// The time the preview shows, in words, e.g. "Session 2 · healed · 3 years later".
pub fn time_caption(time: &TimeState) -> String {
    let mut parts = vec![format!("Session {}", time.sessions.clamp(1, 3))];
    parts.push(if time.fresh { "just done".into() } else { "healed".into() });
    let years = if time.years.is_finite() { time.years.clamp(0.0, TimeState::MAX_YEARS) } else { 0.0 };
    if years > 0.0 {
        let months = (years * 12.0).round() as u32;
        parts.push(match months {
            m if m < 12 => format!("{m} months later"),
            12 => "1 year later".into(),
            m if m % 12 == 0 => format!("{} years later", m / 12),
            _ => format!("{years:.1} years later"),
        });
    }
    if time.too_deep {
        parts.push("placed too deep".into());
    }
    parts.join(" · ")
}

/// A starting hairline for the user to reshape: a gentle arc across the upper part of the photo,
/// drawn left to right so the treated side is above it.
pub fn default_hairline(photo: &PhotoMeta) -> Hairline {
    let (w, h) = (photo.full_width as f32, photo.full_height as f32);
    let pts = [(0.2, 0.42), (0.35, 0.36), (0.5, 0.34), (0.65, 0.36), (0.8, 0.42)];
    Hairline {
        points: pts.iter().map(|&(x, y)| Point::new(x * w, y * h)).collect(),
        feather_mm: DEFAULT_FEATHER_MM,
        treated_side: HairlineSide::Left,
        breakup: 0.0,
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let next = self.apply(action);
        if next == *self {
            self
        } else {
            Rc::new(next)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_photo() -> State {
        State::default().apply(Action::PhotoOpened(PhotoMeta {
            id: 1,
            name: "a.jpg".into(),
            full_width: 1000,
            full_height: 800,
            work_width: 500,
            work_height: 400,
            thumbnail: None,
        }))
    }

    fn drag(s: State, pts: &[(f32, f32)]) -> State {
        let mut s = s.apply(Action::PointerDown { at: Point::new(pts[0].0, pts[0].1), hit_px: 10.0 });
        for &(x, y) in &pts[1..] {
            s = s.apply(Action::PointerMove(Point::new(x, y)));
        }
        s.apply(Action::PointerUp)
    }

    #[test]
    fn opening_a_photo_sets_a_default_scale_and_clears_work() {
        let s = with_photo();
        assert_eq!(s.params.px_per_mm, 4.0); // 800 px / 200 mm
        let s = drag(s, &[(10.0, 10.0), (50.0, 50.0)]);
        assert_eq!(s.area.strokes.len(), 1);
        let s = s.apply(Action::PhotoOpened(PhotoMeta { id: 2, ..s.photo.clone().unwrap() }));
        assert!(s.area.strokes.is_empty() && s.undo.is_empty());
    }

    #[test]
    fn a_failed_photo_keeps_the_current_photo_and_work() {
        let s = drag(with_photo(), &[(10.0, 10.0), (50.0, 50.0)]);
        let failed =
            s.apply(Action::PhotoOpening { name: "x.jpg".into() }).apply(Action::PhotoFailed("not a photo".into()));
        assert_eq!(failed.photo, s.photo);
        assert_eq!(failed.area, s.area);
        assert_eq!(failed.busy, None);
        assert_eq!(failed.notice.as_ref().unwrap().kind, NoticeKind::Error);
    }

    #[test]
    fn export_options_are_kept_sanitized_and_survive_a_photo_change() {
        use crate::export::{ExportFormat, ExportKind};
        let s = with_photo().apply(Action::SetExport(ExportOptions {
            kind: ExportKind::ContactSheet,
            format: ExportFormat::Jpeg,
            jpeg_quality: 3.0,
            clinic: "Studio\u{7}".into(),
            include_date: false,
        }));
        assert_eq!(s.export.jpeg_quality, 1.0);
        assert_eq!(s.export.clinic, "Studio");
        assert_eq!(
            (s.export.kind, s.export.format, s.export.include_date),
            (ExportKind::ContactSheet, ExportFormat::Jpeg, false)
        );
        let s = s.apply(Action::PhotoOpening { name: "b.jpg".into() });
        assert_eq!(s.export.kind, ExportKind::ContactSheet);
    }

    #[test]
    fn progress_shows_only_while_busy_and_goes_with_it() {
        let s = with_photo().apply(Action::BusyProgress("decoding".into()));
        assert_eq!(s.busy_step, None, "no step without busy work");
        let s = s.apply(Action::PhotoOpening { name: "b.jpg".into() }).apply(Action::BusyProgress("decoding".into()));
        assert_eq!(s.busy_step.as_deref(), Some("decoding"));
        let failed = s.apply(Action::PhotoFailed("stopped".into()));
        assert_eq!((failed.busy.as_deref(), failed.busy_step.as_deref()), (None, None));
        let s = s.apply(Action::BusyStarted("Exporting".into()));
        assert_eq!(s.busy_step, None, "a new busy work starts without the old step");
        let s = s.apply(Action::BusyProgress("rendering".into())).apply(Action::BusyFinished);
        assert_eq!((s.busy, s.busy_step), (None, None));
    }

    #[test]
    fn strokes_use_the_brush_size_in_mm_and_undo_redo_whole_strokes() {
        let s = with_photo().apply(Action::SetBrushMm(10.0));
        let s = drag(s, &[(10.0, 10.0), (20.0, 10.0), (30.0, 10.0)]);
        let s = s.apply(Action::SetTool(Tool::Erase));
        let s = drag(s, &[(15.0, 10.0), (16.0, 10.0)]);
        assert_eq!(s.area.strokes.len(), 2);
        assert_eq!(s.area.strokes[0].radius_px, 20.0); // 5 mm × 4 px/mm
        assert_eq!(s.area.strokes[0].points.len(), 3);
        assert_eq!(s.area.strokes[1].mode, BrushMode::Erase);
        assert_ne!(s.area.strokes[0].id, s.area.strokes[1].id);
        let u = s.apply(Action::Undo);
        assert_eq!(u.area.strokes.len(), 1);
        let u = u.apply(Action::Undo).apply(Action::Undo);
        assert!(u.area.strokes.is_empty());
        let r = u.apply(Action::Redo).apply(Action::Redo);
        assert_eq!(r.area, s.area);
        // A new edit clears the redo stack.
        let n = u.apply(Action::Redo);
        let n = drag(n, &[(5.0, 5.0)]);
        assert!(n.redo.is_empty());
    }

    #[test]
    fn no_drawing_without_a_photo_and_moves_without_a_drag_do_nothing() {
        let s = drag(State::default(), &[(1.0, 1.0), (2.0, 2.0)]);
        assert!(s.area.strokes.is_empty());
        let p = with_photo();
        assert_eq!(p.apply(Action::PointerMove(Point::new(3.0, 3.0))), p);
        assert_eq!(p.apply(Action::PointerDown { at: Point::new(f32::NAN, 1.0), hit_px: 1.0 }), p);
    }

    #[test]
    fn hairline_tool_starts_with_a_default_curve_whose_handles_drag_and_insert() {
        let s = with_photo().apply(Action::SetTool(Tool::Hairline));
        let h = s.area.hairline.clone().unwrap();
        assert_eq!(h.points.len(), 5);
        assert_eq!(h.feather_mm, DEFAULT_FEATHER_MM);
        // Drag the middle handle down by 50 px.
        let mid = h.points[2];
        let s = drag(s, &[(mid.x + 3.0, mid.y), (mid.x, mid.y + 50.0)]);
        assert_eq!(s.area.hairline.as_ref().unwrap().points[2], Point::new(mid.x, mid.y + 50.0));
        // Clicking away from handles inserts one between its neighbours.
        let s = drag(s, &[(425.0, 300.0)]);
        let pts = &s.area.hairline.as_ref().unwrap().points;
        assert_eq!(pts.len(), 6);
        assert_eq!(pts[2], Point::new(425.0, 300.0));
        // Undo takes the insertion back, then the drag.
        let u = s.apply(Action::Undo);
        assert_eq!(u.area.hairline.as_ref().unwrap().points.len(), 5);
        let s = s.apply(Action::FlipHairlineSide).apply(Action::SetFeather(100.0));
        assert_eq!(s.area.hairline.as_ref().unwrap().treated_side, HairlineSide::Right);
        assert_eq!(s.area.hairline.as_ref().unwrap().feather_mm, FEATHER_MM.1);
        let s = s.apply(Action::RemoveHandle(0)).apply(Action::RemoveHairline);
        assert!(s.area.hairline.is_none());
        assert_eq!(s.tool, Tool::Paint);
    }

    #[test]
    fn measuring_a_known_distance_sets_the_scale() {
        let s = with_photo().apply(Action::SetTool(Tool::Measure));
        let s = drag(s, &[(100.0, 100.0), (352.0, 100.0)]);
        let s = s.apply(Action::SetMeasureMm(63.0)).apply(Action::ApplyMeasure);
        assert!((s.params.px_per_mm - 4.0).abs() < 1e-4);
        // Too short a line is ignored.
        let t = drag(s.clone(), &[(10.0, 10.0), (11.0, 10.0)]).apply(Action::ApplyMeasure);
        assert_eq!(t.params.px_per_mm, s.params.px_per_mm);
    }

    #[test]
    fn slider_values_are_clamped_and_non_finite_ignored() {
        let s = with_photo()
            .apply(Action::SetDensity(1e9))
            .apply(Action::SetDotDiameter(f32::NAN))
            .apply(Action::SetSplit(-3.0))
            .apply(Action::SetShade(Shade { strength: 7.0 }));
        assert_eq!(s.params.density_per_cm2, RenderParams::DENSITY_PER_CM2.1);
        assert_eq!(s.params.dot_diameter_mm, RenderParams::default().dot_diameter_mm);
        assert_eq!(s.compare.split, 0.0);
        assert_eq!(s.params.shade.strength, Shade::MAX_STRENGTH);
    }

    #[test]
    fn time_controls_are_clamped() {
        let s = with_photo().apply(Action::SetSessions(9)).apply(Action::SetYears(12.0)).apply(Action::SetFresh(true));
        assert_eq!(s.params.time.sessions, 3);
        assert_eq!(s.params.time.years, TimeState::MAX_YEARS);
        assert!(s.params.time.fresh);
        assert_eq!(s.apply(Action::SetSessions(0)).params.time.sessions, 1);
        assert_eq!(s.apply(Action::SetYears(f32::NAN)).params.time.years, TimeState::MAX_YEARS);
    }

    fn prefill(photo_id: u64) -> Prefill {
        let mut mask = AreaMask::empty(10, 8, 1000, 800);
        mask.data[20] = 255;
        Prefill {
            photo_id,
            detected: Detected {
                area: Some(mask),
                hairline: Some(Hairline {
                    points: vec![Point::new(100.0, 300.0), Point::new(900.0, 300.0)],
                    feather_mm: 6.0,
                    treated_side: HairlineSide::Left,
                    breakup: 0.0,
                }),
                px_per_mm: Some((3.0, ScaleSource::EyeDistance)),
                face: None,
                view: Some(View::Top),
                advice: vec![],
                summary: "top-down view".into(),
                ms: 1.0,
                hair_rgb: Some([40, 30, 25]),
            },
        }
    }

    #[test]
    fn detection_prefills_area_hairline_and_scale_and_keeps_user_work() {
        let s = with_photo().apply(Action::Prefill(prefill(1)));
        assert!(s.area.base.is_some());
        assert_eq!(s.area.hairline.as_ref().unwrap().points.len(), 2);
        assert_eq!(s.params.px_per_mm, 3.0);
        assert!(s.params.follow_curve);
        assert_eq!(s.detection.as_ref().unwrap().scale_source, Some(ScaleSource::EyeDistance));
        // A result for another photo is ignored.
        let other = with_photo().apply(Action::Prefill(prefill(7)));
        assert!(other.area.base.is_none() && other.detection.is_none());
        // A user's hairline and measured scale stay; strokes stay on top of the base.
        let mut user = with_photo().apply(Action::SetTool(Tool::Hairline));
        user =
            drag(user.apply(Action::SetTool(Tool::Measure)), &[(0.0, 0.0), (126.0, 0.0)]).apply(Action::ApplyMeasure);
        let user = drag(user.apply(Action::SetTool(Tool::Paint)), &[(500.0, 400.0), (520.0, 400.0)]);
        let after = user.apply(Action::Prefill(prefill(1)));
        assert_eq!(after.area.hairline, user.area.hairline);
        assert_eq!(after.params.px_per_mm, user.params.px_per_mm);
        assert_eq!(after.area.strokes, user.area.strokes);
        assert!(after.area.base.is_some());
        // Clear removes the detected area too, and undo brings it back.
        let cleared = after.apply(Action::ClearArea);
        assert!(cleared.area.is_empty());
        assert!(cleared.apply(Action::Undo).area.base.is_some());
        // A new photo drops the detection.
        let next = after.apply(Action::PhotoOpened(PhotoMeta { id: 2, ..after.photo.clone().unwrap() }));
        assert!(next.detection.is_none() && next.area.base.is_none());
    }

    fn meta(id: u64, w: u32, h: u32) -> PhotoMeta {
        PhotoMeta {
            id,
            name: format!("{id}.jpg"),
            full_width: w,
            full_height: h,
            work_width: w / 2,
            work_height: h / 2,
            thumbnail: None,
        }
    }

    #[test]
    fn angles_keep_their_own_edits_and_share_the_plan() {
        // Front: painted, measured, detected.
        let front = drag(with_photo(), &[(10.0, 10.0), (50.0, 50.0)]).apply(Action::Prefill(prefill(1)));
        let front = front.apply(Action::SetDensity(60.0)).apply(Action::SetSessions(2));
        // Top: a second photo joins; the plan stays, the area is its own.
        let both = front.apply(Action::AngleAdded(meta(2, 2000, 1600)));
        assert_eq!(both.photo.as_ref().unwrap().id, 2);
        assert!(both.area.is_empty() && both.undo.is_empty() && both.detection.is_none());
        assert_eq!((both.params.density_per_cm2, both.params.time.sessions), (60.0, 2));
        assert_eq!(both.params.px_per_mm, 8.0, "the new photo's own default scale");
        assert!(!both.params.follow_curve);
        let both = drag(both, &[(100.0, 100.0), (200.0, 100.0)]);
        let angles = both.angles();
        assert_eq!(angles.len(), 2);
        assert_eq!(angles[0].area, front.area);
        assert_eq!(angles[0].px_per_mm, 3.0);
        assert_eq!(angles[1].area, both.area, "the current angle is read live");
        assert_eq!(both.params_for(&angles[0]).px_per_mm, 3.0);
        assert_eq!(both.params_for(&angles[0]).density_per_cm2, 60.0);
        // Back to the front: its area, undo history, scale, curvature and detection return.
        let back = both.apply(Action::SelectAngle(1));
        assert_eq!(back.area, front.area);
        assert_eq!(back.undo, front.undo);
        assert_eq!(back.params.px_per_mm, 3.0);
        assert!(back.params.follow_curve);
        assert_eq!(back.detection, front.detection);
        assert_eq!(back.view, Some(View::Top));
        assert_eq!(back.apply(Action::Undo).area.strokes.len(), 0, "undo works on the front's own history");
        // And the top's work is kept while the front is shown.
        assert_eq!(back.apply(Action::SelectAngle(2)).area, both.area);
        // Selecting an unknown or the current angle changes nothing.
        assert_eq!(back.apply(Action::SelectAngle(99)), back);
        assert_eq!(back.apply(Action::SelectAngle(1)), back);
    }

    #[test]
    fn replacing_removing_and_the_angle_limit() {
        let s = drag(with_photo(), &[(10.0, 10.0), (50.0, 50.0)]).apply(Action::AngleAdded(meta(2, 1000, 800)));
        let s = drag(s, &[(1.0, 1.0), (9.0, 9.0)]);
        // Replacing the current photo keeps the other angle and the angle's place.
        let r = s.apply(Action::PhotoOpened(meta(3, 1000, 800)));
        let ids: Vec<u64> = r.angles().iter().map(|a| a.meta.id).collect();
        assert_eq!(ids, [1, 3]);
        assert!(r.area.is_empty());
        assert_eq!(r.angles()[0].area.strokes.len(), 1);
        // Removing the current angle shows its neighbour; removing the last leaves no photo.
        let r = r.apply(Action::RemoveAngle(3));
        assert_eq!(r.photo.as_ref().unwrap().id, 1);
        assert_eq!(r.area.strokes.len(), 1);
        let none = r.apply(Action::RemoveAngle(1));
        assert!(none.photo.is_none() && none.angles.is_empty() && none.area.is_empty());
        assert_eq!(none.params.density_per_cm2, r.params.density_per_cm2, "the plan stays");
        // At most MAX_ANGLES: one more is refused with a message and nothing changes.
        let mut full = with_photo();
        for id in 2..=MAX_ANGLES as u64 {
            full = full.apply(Action::AngleAdded(meta(id, 1000, 800)));
        }
        assert_eq!(full.angles().len(), MAX_ANGLES);
        let refused = full.apply(Action::AngleAdded(meta(50, 1000, 800)));
        assert_eq!(refused.angles().len(), MAX_ANGLES);
        assert_eq!(refused.photo, full.photo);
        assert_eq!(refused.notice.as_ref().unwrap().text, too_many_angles());
        // Naming the angle.
        let named = full.apply(Action::SetAngleView(Some(View::Back)));
        assert_eq!(named.angles().last().unwrap().view, Some(View::Back));
    }

    #[test]
    fn restore_replaces_the_consultation_and_new_keeps_the_clinic() {
        let s = drag(with_photo(), &[(10.0, 10.0), (50.0, 50.0)])
            .apply(Action::SetExport(ExportOptions { clinic: "Studio".into(), ..ExportOptions::default() }));
        // A restored consultation: its angles, plan and message replace everything.
        let mut angle = Angle::new(meta(40, 600, 400));
        angle.area.strokes.push(Rc::new(Stroke {
            id: 77,
            mode: BrushMode::Paint,
            radius_px: 5.0,
            points: vec![Point::new(1.0, 1.0)],
        }));
        angle.px_per_mm = 2.5;
        let restored = Restored {
            angles: vec![Angle::new(meta(39, 600, 400)), angle.clone()],
            current: 1,
            params: RenderParams { density_per_cm2: 44.0, ..RenderParams::default() },
            brush_mm: 12.0,
            export: ExportOptions { clinic: "Other".into(), ..ExportOptions::default() },
            message: "Opened.".into(),
        };
        let r = s.apply(Action::Restore(restored));
        assert_eq!(r.photo.as_ref().unwrap().id, 40);
        assert_eq!(r.area, angle.area);
        assert!(r.undo.is_empty());
        assert_eq!((r.params.px_per_mm, r.params.density_per_cm2, r.brush_mm), (2.5, 44.0, 12.0));
        assert_eq!(r.export.clinic, "Other");
        assert_eq!(r.notice.as_ref().unwrap().text, "Opened.");
        assert_eq!(r.angles().len(), 2);
        assert!(r.next_stroke_id > 77, "new strokes never reuse a restored id");
        // Nothing to restore: nothing changes.
        let empty = Restored {
            angles: vec![],
            current: 0,
            params: RenderParams::default(),
            brush_mm: 1.0,
            export: ExportOptions::default(),
            message: String::new(),
        };
        assert_eq!(s.apply(Action::Restore(empty)), s);
        // A new consultation: no photo, the default plan, the clinic's export choices kept.
        let n = r.apply(Action::NewConsultation);
        assert!(n.photo.is_none() && n.angles.is_empty() && n.area.is_empty());
        assert_eq!(n.params, RenderParams::default());
        assert_eq!(n.export.clinic, "Other");
    }

    #[test]
    fn the_time_caption_says_what_the_controls_say() {
        let mut t = TimeState { sessions: 2, fresh: false, years: 3.0, too_deep: false };
        assert_eq!(time_caption(&t), "Session 2 · healed · 3 years later");
        t.years = 0.0;
        t.fresh = true;
        assert_eq!(time_caption(&t), "Session 2 · just done");
        t = TimeState { sessions: 9, fresh: false, years: 0.5, too_deep: true };
        assert_eq!(time_caption(&t), "Session 3 · healed · 6 months later · placed too deep");
        t.years = 1.0;
        assert!(time_caption(&t).contains("· 1 year later"));
        t.years = 2.5;
        assert!(time_caption(&t).contains("· 2.5 years later"));
        t.years = f32::NAN;
        assert!(!time_caption(&t).contains("later"));
    }

    #[test]
    fn zoom_is_per_photo_and_needs_one() {
        let none = State::default().apply(Action::Zoom(ZoomAction::By { factor: 2.0, at: (0.5, 0.5) }));
        assert_eq!(none.zoom, State::default().zoom);
        let s = with_photo()
            .apply(Action::Zoom(ZoomAction::Measured { one_to_one: 2.5 }))
            .apply(Action::Zoom(ZoomAction::By { factor: 2.0, at: (0.0, 0.0) }));
        assert_eq!(s.zoom.zoom, 2.0);
        assert_eq!(s.zoom.visible(1000, 800), (0.0, 0.0, 500.0, 400.0));
        // Painting while zoomed: the points come in full-image px already (see view.rs).
        let s = drag(s, &[(100.0, 100.0), (120.0, 100.0)]);
        assert_eq!(s.area.strokes[0].points[0], Point::new(100.0, 100.0));
        // A new photo opens fitted (the measured 1:1 stays until measured again).
        let next = s.apply(Action::PhotoOpened(PhotoMeta { id: 2, ..s.photo.clone().unwrap() }));
        assert_eq!(next.zoom.zoom, 1.0);
        assert_eq!(next.zoom.one_to_one, 2.5);
        assert_eq!(next.zoom.centre, Point::new(500.0, 400.0));
        assert!(s.apply(Action::SetSideBySide(true)).compare.side_by_side);
    }

    #[test]
    fn a_second_finger_takes_back_the_stroke_or_handle_drag_it_interrupted() {
        let s = drag(with_photo(), &[(10.0, 10.0), (50.0, 50.0)]);
        let started = s
            .apply(Action::PointerDown { at: Point::new(300.0, 300.0), hit_px: 1.0 })
            .apply(Action::PointerMove(Point::new(310.0, 300.0)));
        assert_eq!(started.area.strokes.len(), 2);
        let aborted = started.apply(Action::AbortDrag);
        assert_eq!(aborted.area, s.area);
        assert_eq!(aborted.undo, s.undo);
        assert_eq!(aborted.drag, None);
        // Moves afterwards draw nothing; without a drag the abort changes nothing.
        assert_eq!(aborted.apply(Action::PointerMove(Point::new(400.0, 300.0))), aborted);
        assert_eq!(aborted.apply(Action::AbortDrag), aborted);
        let h = with_photo().apply(Action::SetTool(Tool::Hairline));
        let grabbed = h.apply(Action::PointerDown { at: h.area.hairline.as_ref().unwrap().points[0], hit_px: 5.0 });
        let moved = grabbed.apply(Action::PointerMove(Point::new(1.0, 1.0)));
        assert_eq!(moved.apply(Action::AbortDrag).area, h.area);
    }

    #[test]
    fn reducer_returns_the_same_rc_when_nothing_changes() {
        let s = Rc::new(with_photo());
        let same = s.clone().reduce(Action::PointerUp);
        assert!(Rc::ptr_eq(&s, &same));
        let changed = s.clone().reduce(Action::SetDensity(95.0));
        assert!(!Rc::ptr_eq(&s, &changed));
    }
}
