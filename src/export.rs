//! Exports: what the user chose (kind, format, clinic, date), the sheet layouts (before/after
//! pair, sequence over time, contact sheet of every angle) and their composition from
//! full-resolution renders. Plain Rust over `smp-core`, tested natively; the worker runs
//! [`export_sheet`], the page draws the text (labels, the "Simulation" mark, clinic, date) in
//! the bands the layout leaves (`platform::download`).
//!
//! Units: every rectangle here is in sheet px (the exported file's pixels); a panel's source is
//! a full-resolution photo (full-image px).

use serde::{Deserialize, Serialize};
use smp_core::decode::{decode_photo, DecodeLimits};
use smp_core::resize::downscale_area;
use smp_core::{render_full_resolution_over, RenderParams, RgbaImage, TimeState};

use std::rc::Rc;

use crate::components::angle_tabs::view_title;
use crate::engine::ExportJob;
use crate::state::{Angle, State};

/// What to export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportKind {
    /// The current angle's result at full resolution.
    Angle,
    /// Before and after of the current angle, side by side, at full resolution.
    Pair,
    /// Before, after session 1, session 3 healed, 3 years later (the current angle).
    Sequence,
    /// Every angle: before and after per angle, one row each.
    ContactSheet,
    /// One full-resolution file per angle.
    AllAngles,
}

impl ExportKind {
    pub const ALL: [ExportKind; 5] =
        [ExportKind::Angle, ExportKind::Pair, ExportKind::Sequence, ExportKind::ContactSheet, ExportKind::AllAngles];

    pub fn label(self) -> &'static str {
        match self {
            ExportKind::Angle => "This angle",
            ExportKind::Pair => "Before / after pair",
            ExportKind::Sequence => "Sequence",
            ExportKind::ContactSheet => "Contact sheet",
            ExportKind::AllAngles => "All angles",
        }
    }

    /// A stable key (element ids, data attributes).
    pub fn key(self) -> &'static str {
        match self {
            ExportKind::Angle => "angle",
            ExportKind::Pair => "pair",
            ExportKind::Sequence => "sequence",
            ExportKind::ContactSheet => "contact-sheet",
            ExportKind::AllAngles => "all-angles",
        }
    }

    pub fn hint(self) -> &'static str {
        match self {
            ExportKind::Angle => "The result of this angle at the photo's full size.",
            ExportKind::Pair => "The original and the result of this angle side by side, full size.",
            ExportKind::Sequence => "This angle before, after session 1, after session 3 (healed) and 3 years later.",
            ExportKind::ContactSheet => "Every angle of the consultation on one sheet: before and after per angle.",
            ExportKind::AllAngles => "One full-size file per angle.",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportFormat {
    Png,
    Jpeg,
}

impl ExportFormat {
    pub fn mime(self) -> &'static str {
        match self {
            ExportFormat::Png => "image/png",
            ExportFormat::Jpeg => "image/jpeg",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Png => "png",
            ExportFormat::Jpeg => "jpg",
        }
    }
}

/// The export panel's choices (kept in `State::export`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportOptions {
    pub kind: ExportKind,
    pub format: ExportFormat,
    /// JPEG quality, 0.5..=1.
    pub jpeg_quality: f32,
    /// Printed on the sheet's footer (and beside the mark of a single image); may be empty.
    pub clinic: String,
    /// Print today's date too.
    pub include_date: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self {
            kind: ExportKind::Angle,
            format: ExportFormat::Png,
            jpeg_quality: 0.9,
            clinic: String::new(),
            include_date: true,
        }
    }
}

/// The longest clinic name kept (characters).
pub const CLINIC_MAX_CHARS: usize = 80;
pub const JPEG_QUALITY: (f32, f32) = (0.5, 1.0);

impl ExportOptions {
    /// Out-of-range values brought back in range (the reducer stores only sanitized options).
    pub fn sanitized(mut self) -> Self {
        self.jpeg_quality =
            if self.jpeg_quality.is_finite() { self.jpeg_quality.clamp(JPEG_QUALITY.0, JPEG_QUALITY.1) } else { 0.9 };
        self.clinic = self.clinic.chars().filter(|c| !c.is_control()).take(CLINIC_MAX_CHARS).collect();
        self
    }

    /// The footer's right-hand text: clinic and date, either may be absent.
    pub fn byline(&self, date: &str) -> String {
        let clinic = self.clinic.trim();
        match (clinic.is_empty(), self.include_date && !date.is_empty()) {
            (false, true) => format!("{clinic} · {date}"),
            (false, false) => clinic.to_string(),
            (true, true) => date.to_string(),
            (true, false) => String::new(),
        }
    }
}

/// Panels of sequences and contact sheets are at most this long on their long side (sheet px).
pub const PANEL_LONG_SIDE_PX: u32 = 2000;
/// A sheet has at most this many pixels: iOS Safari refuses canvases over 4096 x 4096 px
/// (16,777,216), and each pixel is 4 bytes in the worker, the transfer and the canvas. A pair of
/// 12 MP photos is scaled to about 0.69 (two 2,900 x 2,100 panels: still more than a print
/// needs); pairs of up to ~8 MP photos stay full size.
pub const MAX_SHEET_PIXELS: u64 = 16_777_216;
/// And at most this many px on a side (browsers' canvas limit).
pub const MAX_SHEET_SIDE_PX: u32 = 16_384;

/// A rectangle in sheet px.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

impl Rect {
    pub fn right(&self) -> u32 {
        self.x + self.w
    }
    pub fn bottom(&self) -> u32 {
        self.y + self.h
    }
}

/// What a panel shows: photo `angle` (an index into the files sent with the job), as it is
/// (`params: None`) or rendered with `params` and that angle's area.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PanelSource {
    pub angle: usize,
    pub params: Option<RenderParams>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Panel {
    pub source: PanelSource,
    /// Where the (downscaled) photo goes.
    pub image: Rect,
    /// The band above it for its label.
    pub label_band: Rect,
    pub label: String,
}

impl Panel {
    /// A rendered panel carries the "Simulation" mark.
    pub fn simulated(&self) -> bool {
        self.source.params.is_some()
    }
}

/// A composed sheet: its size, the panels, the footer band and the text sizes (sheet px).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SheetLayout {
    pub width: u32,
    pub height: u32,
    pub panels: Vec<Panel>,
    pub footer: Rect,
    pub label_font_px: u32,
    pub footer_font_px: u32,
    /// Panels were made smaller than their photo.
    pub downscaled: bool,
}

/// One photo as the layout sees it: its full size (full-image px).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PhotoSize {
    pub width: u32,
    pub height: u32,
}

/// A panel to place: its photo's size, what it shows, its label.
#[derive(Clone, Debug, PartialEq)]
pub struct PanelSpec {
    pub size: PhotoSize,
    pub source: PanelSource,
    pub label: String,
}

/// `w` x `h` scaled so the long side is at most `long_side_px` (never enlarged, at least 1 px).
pub fn fit_long_side(w: u32, h: u32, long_side_px: u32) -> (u32, u32) {
    let long = w.max(h);
    if long <= long_side_px || long == 0 {
        return (w, h);
    }
    let s = long_side_px as f64 / long as f64;
    let fit = |v: u32| ((v as f64 * s).round() as u32).clamp(1, v);
    (fit(w), fit(h))
}

/// Sizes of the text bands for a sheet `sheet_width` px wide: (label font, footer font) px.
/// Text scales with the sheet so it stays readable when the whole sheet is shown on a phone.
fn font_sizes(sheet_width: u32) -> (u32, u32) {
    // 1/40 of the width: ~10 px when a 2-panel sheet fills a phone's screen.
    let label = (sheet_width / 40).max(16);
    (label, (label as f32 * 1.2).round() as u32)
}

/// Place `specs` in a grid of `columns`, row by row, each panel scaled to at most
/// `long_side_px` (None: full size) and centred in its cell; a label band above each panel, a
/// footer band at the bottom. If the sheet would exceed [`MAX_SHEET_PIXELS`] or
/// [`MAX_SHEET_SIDE_PX`], the panels are made smaller until it fits.
pub fn grid_layout(specs: &[PanelSpec], columns: usize, long_side_px: Option<u32>) -> SheetLayout {
    let columns = columns.clamp(1, specs.len().max(1));
    let largest = specs.iter().map(|s| s.size.width.max(s.size.height)).max().unwrap_or(1).max(1);
    let mut bound = long_side_px.unwrap_or(largest).min(largest).max(1);
    loop {
        let layout = grid_at(specs, columns, bound);
        let pixels = layout.width as u64 * layout.height as u64;
        let fits =
            pixels <= MAX_SHEET_PIXELS && layout.width <= MAX_SHEET_SIDE_PX && layout.height <= MAX_SHEET_SIDE_PX;
        if fits || bound <= 64 {
            return layout;
        }
        let by_area = (MAX_SHEET_PIXELS as f64 / pixels as f64).sqrt();
        let by_side = MAX_SHEET_SIDE_PX as f64 / layout.width.max(layout.height) as f64;
        let shrink = by_area.min(by_side).min(0.99);
        bound = ((bound as f64 * shrink).floor() as u32).clamp(64, bound - 1);
    }
}

fn grid_at(specs: &[PanelSpec], columns: usize, bound: u32) -> SheetLayout {
    let sizes: Vec<(u32, u32)> = specs.iter().map(|s| fit_long_side(s.size.width, s.size.height, bound)).collect();
    let rows = sizes.len().div_ceil(columns).max(1);
    let col_w: Vec<u32> =
        (0..columns).map(|c| sizes.iter().skip(c).step_by(columns).map(|s| s.0).max().unwrap_or(0)).collect();
    let row_h: Vec<u32> =
        (0..rows).map(|r| sizes.iter().skip(r * columns).take(columns).map(|s| s.1).max().unwrap_or(0)).collect();
    // Text sizes follow the sheet width without text (a fixed point is not needed: gaps are small).
    let (label_font, footer_font) = font_sizes(col_w.iter().sum());
    let gap = (label_font * 2 / 3).max(8);
    let band = label_font * 17 / 10;
    let footer_h = footer_font * 5 / 2;
    let width = col_w.iter().sum::<u32>() + gap * (columns as u32 + 1);
    let mut panels = Vec::with_capacity(specs.len());
    let mut y = gap;
    for (r, &row_height) in row_h.iter().enumerate() {
        let mut x = gap;
        for (c, &col_width) in col_w.iter().enumerate() {
            let i = r * columns + c;
            if let Some(spec) = specs.get(i) {
                let (w, h) = sizes[i];
                let image = Rect { x: x + (col_width - w) / 2, y: y + band + (row_height - h) / 2, w, h };
                panels.push(Panel {
                    source: spec.source.clone(),
                    image,
                    label_band: Rect { x, y, w: col_width, h: band },
                    label: spec.label.clone(),
                });
            }
            x += col_width + gap;
        }
        y += band + row_height + gap;
    }
    let footer = Rect { x: 0, y, w: width, h: footer_h };
    let downscaled = specs.iter().zip(&sizes).any(|(s, &(w, h))| (w, h) != (s.size.width, s.size.height));
    SheetLayout {
        width,
        height: y + footer_h,
        panels,
        footer,
        label_font_px: label_font,
        footer_font_px: footer_font,
        downscaled,
    }
}

/// The times of a sequence's rendered panels, with their labels: the healed base layer of
/// session 1 (lighter: fewer, lighter dots), the healed result of session 3, and that result 3
/// years on (faded). Session 1 "just done" is not shown: fresh dots are larger and darker, so it
/// would look darker than the healed result and mislead.
pub fn sequence_times() -> [(TimeState, &'static str); 3] {
    [
        (TimeState { sessions: 1, fresh: false, years: 0.0, too_deep: false }, "After session 1, healed"),
        (TimeState { sessions: 3, fresh: false, years: 0.0, too_deep: false }, "After session 3, healed"),
        (TimeState { sessions: 3, fresh: false, years: 3.0, too_deep: false }, "3 years later"),
    ]
}

/// One angle of a sheet: its photo's size, what the page calls it, its render parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct SheetAngle {
    pub size: PhotoSize,
    pub title: String,
    pub params: RenderParams,
}

/// Before and after of one angle, side by side, at full size (unless too large for a canvas).
pub fn pair_layout(angle: &SheetAngle) -> SheetLayout {
    let specs = [
        PanelSpec { size: angle.size, source: PanelSource { angle: 0, params: None }, label: "Before".into() },
        PanelSpec {
            size: angle.size,
            source: PanelSource { angle: 0, params: Some(angle.params) },
            label: "After (simulation)".into(),
        },
    ];
    grid_layout(&specs, 2, None)
}

/// Before and three moments of one angle, 2 x 2, panels at most [`PANEL_LONG_SIDE_PX`].
pub fn sequence_layout(angle: &SheetAngle) -> SheetLayout {
    let mut specs =
        vec![PanelSpec { size: angle.size, source: PanelSource { angle: 0, params: None }, label: "Before".into() }];
    for (time, label) in sequence_times() {
        specs.push(PanelSpec {
            size: angle.size,
            source: PanelSource { angle: 0, params: Some(RenderParams { time, ..angle.params }) },
            label: label.into(),
        });
    }
    grid_layout(&specs, 2, Some(PANEL_LONG_SIDE_PX))
}

/// Every angle, one row each: before, after; panels at most [`PANEL_LONG_SIDE_PX`].
pub fn contact_sheet_layout(angles: &[SheetAngle]) -> SheetLayout {
    let specs: Vec<PanelSpec> = angles
        .iter()
        .enumerate()
        .flat_map(|(i, a)| {
            [
                PanelSpec {
                    size: a.size,
                    source: PanelSource { angle: i, params: None },
                    label: format!("{}: before", a.title),
                },
                PanelSpec {
                    size: a.size,
                    source: PanelSource { angle: i, params: Some(a.params) },
                    label: format!("{}: after", a.title),
                },
            ]
        })
        .collect();
    grid_layout(&specs, 2, Some(PANEL_LONG_SIDE_PX))
}

/// What the worker needs to compose a sheet besides the files: the layout and, per file, the
/// edit (area, strokes, hairline; its `params` are replaced by each panel's).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SheetJob {
    pub layout: SheetLayout,
    pub angles: Vec<ExportJob>,
}

/// Why a sheet job could not be run as sent (a user-facing message).
fn invalid(what: &str) -> String {
    format!("The export could not be made: its request was inconsistent ({what}).")
}

/// Sheet background (and label bands): white, as a printed sheet.
pub const SHEET_BACKGROUND: [u8; 4] = [255, 255, 255, 255];

/// Compose a sheet: for each angle, decode its file once at full resolution and fill its panels
/// (the original, or the same render as the full-resolution export with the panel's params),
/// area-downscaled to the panel's size. `files[i]` is angle `i`'s file. Runs in the worker.
/// Errors are user-facing messages.
pub fn export_sheet(files: &[&[u8]], job: &SheetJob, progress: &mut dyn FnMut(&str)) -> Result<RgbaImage, String> {
    let layout = &job.layout;
    if layout.width == 0
        || layout.height == 0
        || layout.width as u64 * layout.height as u64 > MAX_SHEET_PIXELS
        || layout.width > MAX_SHEET_SIDE_PX
        || layout.height > MAX_SHEET_SIDE_PX
    {
        return Err(invalid("sheet size"));
    }
    if files.len() != job.angles.len() {
        return Err(invalid("one file per angle"));
    }
    for p in &layout.panels {
        let r = p.image;
        if p.source.angle >= files.len()
            || r.w == 0
            || r.h == 0
            || r.right() > layout.width
            || r.bottom() > layout.height
        {
            return Err(invalid("panel outside the sheet"));
        }
    }
    let mut sheet = RgbaImage::new(layout.width, layout.height);
    for px in sheet.data.chunks_exact_mut(4) {
        px.copy_from_slice(&SHEET_BACKGROUND);
    }
    let used: Vec<usize> = (0..files.len()).filter(|&a| layout.panels.iter().any(|p| p.source.angle == a)).collect();
    for (n, &a) in used.iter().enumerate() {
        let of = if used.len() > 1 { format!("angle {} of {}: ", n + 1, used.len()) } else { String::new() };
        progress(&format!("{of}decoding at full size"));
        let mut full = decode_photo(files[a], &DecodeLimits::default()).map_err(|e| e.to_string())?;
        // Originals first; then renders, each on a copy but the last, which may use the photo itself.
        let mut panels: Vec<&Panel> = layout.panels.iter().filter(|p| p.source.angle == a).collect();
        panels.sort_by_key(|p| p.simulated());
        let renders = panels.iter().filter(|p| p.simulated()).count();
        let mut rendered = 0;
        for p in panels {
            if p.image.w > full.width || p.image.h > full.height {
                return Err(invalid("panel larger than its photo"));
            }
            let edit = &job.angles[a];
            match &p.source.params {
                None => put(&mut sheet, &downscale_area(&full, p.image.w, p.image.h), p.image),
                Some(params) => {
                    rendered += 1;
                    progress(&format!("{of}drawing “{}” ({rendered} of {renders})", p.label));
                    let params = params.sanitized();
                    let hairline = edit.hairline.as_ref().filter(|_| params.treatment.uses_hairline());
                    if rendered == renders {
                        render_full_resolution_over(&mut full, edit.base.as_ref(), &edit.strokes, hairline, &params);
                        put(&mut sheet, &downscale_area(&full, p.image.w, p.image.h), p.image);
                    } else {
                        let mut copy = full.clone();
                        render_full_resolution_over(&mut copy, edit.base.as_ref(), &edit.strokes, hairline, &params);
                        put(&mut sheet, &downscale_area(&copy, p.image.w, p.image.h), p.image);
                    }
                }
            }
        }
    }
    Ok(sheet)
}

/// Copy `img` (exactly `at`'s size) into `sheet` at `at`.
fn put(sheet: &mut RgbaImage, img: &RgbaImage, at: Rect) {
    debug_assert_eq!((img.width, img.height), (at.w, at.h));
    let row = at.w as usize * 4;
    for y in 0..at.h as usize {
        let dst = ((at.y as usize + y) * sheet.width as usize + at.x as usize) * 4;
        sheet.data[dst..dst + row].copy_from_slice(&img.data[y * row..(y + 1) * row]);
    }
}

/// An export ready to run: the worker jobs and the files they need, the download names.
#[derive(Clone, Debug, PartialEq)]
pub enum ExportPlan {
    /// One full-resolution image per entry (one for "This angle", every angle for "All angles").
    Images(Vec<ImageExport>),
    /// One composed sheet; `files[i]` is `job.angles[i]`'s file.
    Sheet { file_name: String, files: Vec<Rc<[u8]>>, job: SheetJob },
}

#[derive(Clone, Debug, PartialEq)]
pub struct ImageExport {
    pub file_name: String,
    pub file: Rc<[u8]>,
    pub job: ExportJob,
}

/// What the user calls each angle on a sheet: its view ("Front"), numbered when two share one.
pub fn angle_titles(angles: &[Angle]) -> Vec<String> {
    let names: Vec<&str> = angles.iter().map(|a| view_title(a.view)).collect();
    let mut seen: Vec<(&str, usize)> = Vec::new();
    names
        .iter()
        .map(|&n| {
            let count = names.iter().filter(|&&m| m == n).count();
            match seen.iter_mut().find(|s| s.0 == n) {
                Some(s) => s.1 += 1,
                None => seen.push((n, 1)),
            }
            let k = seen.iter().find(|s| s.0 == n).map_or(1, |s| s.1);
            if count > 1 {
                format!("{n} {k}")
            } else {
                n.to_string()
            }
        })
        .collect()
}

impl ExportPlan {
    /// The export `state.export` asks for. `file_of(photo id)` gives a photo's file as chosen;
    /// `date` (YYYY-MM-DD) names the contact sheet. Errors are user-facing messages.
    pub fn from_state(
        state: &State,
        file_of: impl Fn(u64) -> Option<Rc<[u8]>>,
        date: &str,
    ) -> Result<ExportPlan, String> {
        let options = &state.export;
        let current = state.current_angle().ok_or("Open a photo first.")?;
        let file =
            |a: &Angle| file_of(a.meta.id).ok_or_else(|| format!("The photo {} is not loaded yet.", a.meta.name));
        let sheet_angle = |a: &Angle, title: String| SheetAngle {
            size: PhotoSize { width: a.meta.full_width, height: a.meta.full_height },
            title,
            params: state.params_for(a).sanitized(),
        };
        let name = |kind| export_file_name(kind, options.format, &current.meta.name, date);
        Ok(match options.kind {
            ExportKind::Angle => ExportPlan::Images(vec![ImageExport {
                file_name: name(ExportKind::Angle),
                file: file(&current)?,
                job: ExportJob::from_angle(state, &current),
            }]),
            ExportKind::AllAngles => {
                let angles = state.angles();
                let mut names: Vec<String> = Vec::new();
                let mut images = Vec::new();
                for (a, title) in angles.iter().zip(angle_titles(&angles)) {
                    let mut file_name = export_file_name(ExportKind::Angle, options.format, &a.meta.name, date);
                    // Two photos with the same file name: the view tells them apart.
                    if names.contains(&file_name) {
                        let stem = format!("{}-{}", file_stem(&a.meta.name), file_stem(&title.to_lowercase()));
                        file_name = export_file_name(ExportKind::Angle, options.format, &stem, date);
                    }
                    names.push(file_name.clone());
                    images.push(ImageExport { file_name, file: file(a)?, job: ExportJob::from_angle(state, a) });
                }
                ExportPlan::Images(images)
            }
            ExportKind::Pair | ExportKind::Sequence => {
                let angle = sheet_angle(&current, String::new());
                let layout =
                    if options.kind == ExportKind::Pair { pair_layout(&angle) } else { sequence_layout(&angle) };
                ExportPlan::Sheet {
                    file_name: name(options.kind),
                    files: vec![file(&current)?],
                    job: SheetJob { layout, angles: vec![ExportJob::from_angle(state, &current)] },
                }
            }
            ExportKind::ContactSheet => {
                let angles = state.angles();
                let titles = angle_titles(&angles);
                let sheet: Vec<SheetAngle> = angles.iter().zip(titles).map(|(a, t)| sheet_angle(a, t)).collect();
                ExportPlan::Sheet {
                    file_name: name(ExportKind::ContactSheet),
                    files: angles.iter().map(file).collect::<Result<_, _>>()?,
                    job: SheetJob {
                        layout: contact_sheet_layout(&sheet),
                        angles: angles.iter().map(|a| ExportJob::from_angle(state, a)).collect(),
                    },
                }
            }
        })
    }
}

/// A file-name-safe stem of a photo's file name (`My photo.jpg` -> `Myphoto`).
pub fn file_stem(photo_name: &str) -> String {
    let stem = photo_name.rsplit_once('.').map_or(photo_name, |(s, _)| s);
    let stem: String = stem.chars().filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_')).take(60).collect();
    if stem.is_empty() {
        "photo".to_string()
    } else {
        stem
    }
}

/// The download's name: `<photo>-smp-preview.png` (one angle), `<photo>-smp-pair.jpg`,
/// `<photo>-smp-sequence.png`, `consultation-<date>-contact-sheet.png` (`date` as YYYY-MM-DD).
pub fn export_file_name(kind: ExportKind, format: ExportFormat, photo_name: &str, date: &str) -> String {
    let ext = format.extension();
    match kind {
        ExportKind::Angle | ExportKind::AllAngles => format!("{}-smp-preview.{ext}", file_stem(photo_name)),
        ExportKind::Pair => format!("{}-smp-pair.{ext}", file_stem(photo_name)),
        ExportKind::Sequence => format!("{}-smp-sequence.{ext}", file_stem(photo_name)),
        ExportKind::ContactSheet if date.is_empty() => format!("consultation-contact-sheet.{ext}"),
        ExportKind::ContactSheet => format!("consultation-{}-contact-sheet.{ext}", file_stem(date)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smp_core::{BrushMode, Point, Stroke};

    fn angle(w: u32, h: u32, title: &str) -> SheetAngle {
        SheetAngle { size: PhotoSize { width: w, height: h }, title: title.into(), params: RenderParams::default() }
    }

    fn no_overlap(layout: &SheetLayout) {
        let mut rects: Vec<Rect> = layout.panels.iter().flat_map(|p| [p.image, p.label_band]).collect();
        rects.push(layout.footer);
        for (i, a) in rects.iter().enumerate() {
            assert!(a.right() <= layout.width && a.bottom() <= layout.height, "{a:?} outside {layout:?}");
            for b in &rects[i + 1..] {
                let apart = a.right() <= b.x || b.right() <= a.x || a.bottom() <= b.y || b.bottom() <= a.y;
                assert!(apart, "{a:?} overlaps {b:?}");
            }
        }
    }

    #[test]
    fn a_4_mp_pair_is_full_size_side_by_side() {
        let l = pair_layout(&angle(2400, 1800, "Front"));
        assert!(!l.downscaled);
        let [before, after] = [&l.panels[0], &l.panels[1]];
        assert_eq!((before.image.w, before.image.h, after.image.w, after.image.h), (2400, 1800, 2400, 1800));
        assert_eq!(before.image.y, after.image.y, "side by side");
        assert!(after.image.x >= before.image.right());
        assert!(!before.simulated() && after.simulated());
        assert!(l.width as u64 * l.height as u64 <= MAX_SHEET_PIXELS);
        assert!(l.footer.y >= before.image.bottom() && l.footer.bottom() == l.height);
        no_overlap(&l);
    }

    #[test]
    fn a_pair_too_large_for_a_canvas_is_downscaled_and_says_so() {
        // A 12 MP pair would be 35 MP: over iOS Safari's canvas limit.
        let l = pair_layout(&angle(4000, 3000, "Front"));
        assert!(l.downscaled);
        assert!(l.width as u64 * l.height as u64 <= 4096 * 4096, "{}x{}", l.width, l.height);
        let l = pair_layout(&angle(8000, 6000, "Front"));
        assert!(l.downscaled);
        assert!(l.width as u64 * l.height as u64 <= MAX_SHEET_PIXELS, "{}x{}", l.width, l.height);
        assert!(l.width <= MAX_SHEET_SIDE_PX && l.height <= MAX_SHEET_SIDE_PX);
        let p = l.panels[0].image;
        // The aspect ratio is kept (to the pixel).
        assert!((p.w as f64 / p.h as f64 - 4.0 / 3.0).abs() < 0.002, "{p:?}");
        // Not needlessly small: over 80 % of the allowed area.
        assert!(l.width as u64 * l.height as u64 > MAX_SHEET_PIXELS * 8 / 10);
        no_overlap(&l);
        // A very wide panorama is bounded by the side limit.
        let l = pair_layout(&angle(12000, 1000, "Side"));
        assert!(l.downscaled && l.width <= MAX_SHEET_SIDE_PX, "{}", l.width);
    }

    #[test]
    fn a_sequence_is_two_by_two_with_its_times_and_bounded_panels() {
        let mut a = angle(4000, 3000, "Top");
        a.params.density_per_cm2 = 55.0;
        let l = sequence_layout(&a);
        assert_eq!(l.panels.len(), 4);
        assert!(l.downscaled);
        for p in &l.panels {
            assert_eq!((p.image.w, p.image.h), (2000, 1500));
        }
        let labels: Vec<&str> = l.panels.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["Before", "After session 1, healed", "After session 3, healed", "3 years later"]);
        // Reading order: two per row.
        assert_eq!(l.panels[0].image.y, l.panels[1].image.y);
        assert!(l.panels[2].image.y > l.panels[0].image.bottom());
        assert!(l.panels[0].source.params.is_none());
        let times: Vec<TimeState> = l.panels[1..].iter().map(|p| p.source.params.unwrap().time).collect();
        assert_eq!(times, sequence_times().map(|t| t.0));
        // The edit's own plan is kept in every panel.
        assert!(l.panels[1..].iter().all(|p| p.source.params.unwrap().density_per_cm2 == 55.0));
        no_overlap(&l);
        // A small photo is never enlarged.
        let l = sequence_layout(&angle(640, 480, "Top"));
        assert!(!l.downscaled && l.panels[3].image.w == 640);
    }

    #[test]
    fn a_contact_sheet_has_one_row_per_angle_and_fits_the_limit() {
        let angles: Vec<SheetAngle> =
            ["Front", "Top", "Side", "Back", "Side", "Top"].iter().map(|t| angle(4000, 3000, t)).collect();
        let l = contact_sheet_layout(&angles);
        assert_eq!(l.panels.len(), 12);
        assert!(l.width as u64 * l.height as u64 <= MAX_SHEET_PIXELS, "{}x{}", l.width, l.height);
        assert!(l.height <= MAX_SHEET_SIDE_PX);
        for (i, row) in l.panels.chunks(2).enumerate() {
            assert_eq!(row[0].image.y, row[1].image.y, "one row per angle");
            assert_eq!((row[0].source.angle, row[1].source.angle), (i, i));
            assert!(!row[0].simulated() && row[1].simulated());
            assert_eq!(row[0].label, format!("{}: before", angles[i].title));
            assert!(row[0].image.w <= PANEL_LONG_SIDE_PX);
        }
        no_overlap(&l);
        // Two angles of different shapes: each row as tall as its photo, panels centred.
        let l = contact_sheet_layout(&[angle(3000, 4000, "Front"), angle(4000, 3000, "Top")]);
        assert!(!l.downscaled || l.panels.iter().all(|p| p.image.w.max(p.image.h) <= PANEL_LONG_SIDE_PX));
        // At most 2000 px, and scaled alike only as far as the sheet's limit needs.
        let (p0, p2) = (l.panels[0].image, l.panels[2].image);
        assert!(p0.h <= 2000 && p0.h >= 1800 && p2.w == p0.h, "{p0:?} {p2:?}");
        assert!((p0.w as f64 / p0.h as f64 - 0.75).abs() < 0.002 && (p2.h as f64 / p2.w as f64 - 0.75).abs() < 0.002);
        assert!(l.panels[0].image.x > l.panels[2].image.x, "the narrow panel is centred in its column");
        no_overlap(&l);
    }

    #[test]
    fn fit_long_side_keeps_the_shape_and_never_enlarges() {
        assert_eq!(fit_long_side(4000, 3000, 2000), (2000, 1500));
        assert_eq!(fit_long_side(3000, 4000, 2000), (1500, 2000));
        assert_eq!(fit_long_side(640, 480, 2000), (640, 480));
        assert_eq!(fit_long_side(20000, 20, 100), (100, 1));
        assert_eq!(fit_long_side(0, 0, 100), (0, 0));
    }

    #[test]
    fn options_are_sanitized_and_the_byline_reads_well() {
        let o =
            ExportOptions { jpeg_quality: f32::NAN, clinic: "Ink\n&  Co".repeat(30), ..Default::default() }.sanitized();
        assert_eq!(o.jpeg_quality, 0.9);
        assert_eq!(o.clinic.chars().count(), CLINIC_MAX_CHARS);
        assert!(!o.clinic.contains('\n'));
        let o = ExportOptions { jpeg_quality: 7.0, clinic: " Scalp Studio ".into(), ..Default::default() }.sanitized();
        assert_eq!(o.jpeg_quality, 1.0);
        assert_eq!(o.byline("2026-11-24"), "Scalp Studio · 2026-11-24");
        assert_eq!(ExportOptions { include_date: false, ..o.clone() }.byline("2026-11-24"), "Scalp Studio");
        assert_eq!(ExportOptions { clinic: String::new(), ..o.clone() }.byline("2026-11-24"), "2026-11-24");
        assert_eq!(ExportOptions { clinic: String::new(), include_date: false, ..o }.byline("2026-11-24"), "");
    }

    #[test]
    fn file_names_say_what_is_inside() {
        use ExportFormat::*;
        assert_eq!(export_file_name(ExportKind::Angle, Png, "hl22 top.jpg", "2026-11-24"), "hl22top-smp-preview.png");
        assert_eq!(export_file_name(ExportKind::Pair, Jpeg, "a.b.jpeg", ""), "ab-smp-pair.jpg");
        assert_eq!(export_file_name(ExportKind::Sequence, Png, "../..", ""), "photo-smp-sequence.png");
        assert_eq!(
            export_file_name(ExportKind::ContactSheet, Jpeg, "x.jpg", "2026-11-24"),
            "consultation-2026-11-24-contact-sheet.jpg"
        );
    }

    fn jpeg(w: u32, h: u32, f: impl Fn(u32, u32) -> [u8; 3]) -> Vec<u8> {
        crate::test_support::jpeg(w, h, 95, f)
    }

    fn edit(w: u32, h: u32) -> ExportJob {
        let stroke = Stroke {
            id: 1,
            mode: BrushMode::Paint,
            radius_px: w as f32 * 0.15,
            points: vec![Point::new(w as f32 * 0.3, h as f32 * 0.5), Point::new(w as f32 * 0.7, h as f32 * 0.5)],
        };
        ExportJob {
            base: None,
            strokes: vec![stroke],
            hairline: None,
            params: RenderParams { px_per_mm: 4.0, ..Default::default() },
        }
    }

    fn panel_of(sheet: &RgbaImage, r: Rect) -> RgbaImage {
        RgbaImage::from_fn(r.w, r.h, |x, y| {
            let i = (((r.y + y) * sheet.width + r.x + x) * 4) as usize;
            [sheet.data[i], sheet.data[i + 1], sheet.data[i + 2], sheet.data[i + 3]]
        })
    }

    fn mean_luma(img: &RgbaImage, r: Rect) -> f64 {
        let mut sum = 0.0;
        for y in r.y..r.bottom() {
            for x in r.x..r.right() {
                let i = ((y * img.width + x) * 4) as usize;
                sum += 0.2126 * img.data[i] as f64 + 0.7152 * img.data[i + 1] as f64 + 0.0722 * img.data[i + 2] as f64;
            }
        }
        sum / (r.w * r.h) as f64
    }

    #[test]
    fn the_pair_is_the_photo_and_the_full_resolution_export() {
        let (w, h) = (900, 600);
        let file = jpeg(w, h, |x, y| [190 + (x % 9) as u8, 150 + (y % 5) as u8, 130]);
        let job = edit(w, h);
        let a = SheetAngle { size: PhotoSize { width: w, height: h }, title: "Front".into(), params: job.params };
        let layout = pair_layout(&a);
        let sheet_job = SheetJob { layout: layout.clone(), angles: vec![job.clone()] };
        let mut steps = Vec::new();
        let sheet = export_sheet(&[&file], &sheet_job, &mut |s| steps.push(s.to_string())).unwrap();
        assert_eq!((sheet.width, sheet.height), (layout.width, layout.height));
        assert_eq!(steps, ["decoding at full size", "drawing “After (simulation)” (1 of 1)"]);
        let original = decode_photo(&file, &DecodeLimits::default()).unwrap();
        assert_eq!(panel_of(&sheet, layout.panels[0].image), original);
        let exported = crate::engine::export_full_resolution(&file, &job, &mut |_| {}).unwrap();
        assert_eq!(panel_of(&sheet, layout.panels[1].image), exported, "the same render as 'This angle'");
        assert_ne!(exported, original);
        // Bands and footer are the background.
        let band = layout.panels[0].label_band;
        assert_eq!(panel_of(&sheet, band).data.chunks(4).filter(|p| p != &SHEET_BACKGROUND).count(), 0);
    }

    #[test]
    fn the_sequence_fades_and_layers_and_the_contact_sheet_takes_every_angle() {
        let (w, h) = (1200, 900);
        let file = jpeg(w, h, |x, y| [200 - (y % 7) as u8, 160 + (x % 3) as u8, 140]);
        let job = edit(w, h);
        let a = SheetAngle { size: PhotoSize { width: w, height: h }, title: "Top".into(), params: job.params };
        let layout = sequence_layout(&a);
        let sheet =
            export_sheet(&[&file], &SheetJob { layout: layout.clone(), angles: vec![job.clone()] }, &mut |_| {})
                .unwrap();
        let inside = |r: Rect| Rect { x: r.x + r.w * 2 / 5, y: r.y + r.h * 9 / 20, w: r.w / 5, h: r.h / 10 };
        let luma: Vec<f64> = layout.panels.iter().map(|p| mean_luma(&sheet, inside(p.image))).collect();
        assert!(luma[0] > luma[1] && luma[0] > luma[2] && luma[0] > luma[3], "dots darken: {luma:?}");
        assert!(luma[1] > luma[2], "session 1 is lighter than session 3 healed: {luma:?}");
        assert!(luma[3] > luma[2], "3 years later has faded: {luma:?}");
        // Outside the area every panel is the photo.
        let corner = |r: Rect| Rect { x: r.x, y: r.y, w: r.w / 10, h: r.h / 10 };
        let c0 = panel_of(&sheet, corner(layout.panels[0].image));
        for p in &layout.panels[1..] {
            assert_eq!(panel_of(&sheet, corner(p.image)), c0);
        }

        // Two angles: each row from its own file and edit.
        let file2 = jpeg(600, 800, |x, _| [120, 90 + (x % 11) as u8, 80]);
        let job2 = edit(600, 800);
        let angles = [
            a.clone(),
            SheetAngle { size: PhotoSize { width: 600, height: 800 }, title: "Side".into(), params: job2.params },
        ];
        let layout = contact_sheet_layout(&angles);
        let mut steps = Vec::new();
        let sheet =
            export_sheet(&[&file, &file2], &SheetJob { layout: layout.clone(), angles: vec![job, job2] }, &mut |s| {
                steps.push(s.to_string())
            })
            .unwrap();
        assert!(steps[0].starts_with("angle 1 of 2") && steps.last().unwrap().starts_with("angle 2 of 2"), "{steps:?}");
        let original2 = decode_photo(&file2, &DecodeLimits::default()).unwrap();
        assert_eq!(panel_of(&sheet, layout.panels[2].image), original2);
        let l2 = mean_luma(&sheet, inside(layout.panels[2].image));
        let l3 = mean_luma(&sheet, inside(layout.panels[3].image));
        assert!(l3 < l2 - 3.0, "the second angle's after is dotted: {l2} {l3}");
    }

    fn consultation() -> State {
        use crate::state::{Action, PhotoMeta};
        let meta = |id, name: &str, w, h| PhotoMeta {
            id,
            name: name.into(),
            full_width: w,
            full_height: h,
            work_width: w / 2,
            work_height: h / 2,
            thumbnail: None,
        };
        State::default()
            .apply(Action::PhotoOpened(meta(1, "front.jpg", 4000, 3000)))
            .apply(Action::SetAngleView(Some(smp_core::detect::View::Front)))
            .apply(Action::PointerDown { at: Point::new(1000.0, 1000.0), hit_px: 1.0 })
            .apply(Action::PointerUp)
            .apply(Action::AngleAdded(meta(2, "front.jpg", 3000, 4000)))
            .apply(Action::SetDensity(40.0))
    }

    fn files(id: u64) -> Option<Rc<[u8]>> {
        Some(vec![id as u8; 3].into())
    }

    #[test]
    fn plans_take_the_right_angles_files_and_names() {
        let mut s = consultation();
        assert_eq!(s.photo.as_ref().unwrap().id, 2, "the added angle is current");
        for (kind, expect) in [
            (ExportKind::Angle, "front-smp-preview.png"),
            (ExportKind::Pair, "front-smp-pair.png"),
            (ExportKind::Sequence, "front-smp-sequence.png"),
            (ExportKind::ContactSheet, "consultation-2026-11-24-contact-sheet.png"),
        ] {
            s.export.kind = kind;
            let plan = ExportPlan::from_state(&s, files, "2026-11-24").unwrap();
            let name = match &plan {
                ExportPlan::Images(images) => images[0].file_name.clone(),
                ExportPlan::Sheet { file_name, .. } => file_name.clone(),
            };
            assert_eq!(name, expect);
        }
        // The contact sheet: both angles, each with its own file, edit and scale.
        let ExportPlan::Sheet { files: f, job, .. } = ExportPlan::from_state(&s, files, "").unwrap() else {
            panic!("a sheet")
        };
        assert_eq!(f.iter().map(|f| f[0]).collect::<Vec<_>>(), [1, 2]);
        assert_eq!((job.angles[0].strokes.len(), job.angles[1].strokes.len()), (1, 0));
        assert!(job.angles.iter().all(|a| a.params.density_per_cm2 == 40.0), "the shared plan");
        let labels: Vec<&str> = job.layout.panels.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["Front: before", "Front: after", "Photo: before", "Photo: after"]);
        // All angles: two files, the same photo name told apart.
        s.export.kind = ExportKind::AllAngles;
        s.export.format = ExportFormat::Jpeg;
        let ExportPlan::Images(images) = ExportPlan::from_state(&s, files, "").unwrap() else { panic!("images") };
        let names: Vec<&str> = images.iter().map(|i| i.file_name.as_str()).collect();
        assert_eq!(names, ["front-smp-preview.jpg", "front-photo-smp-preview.jpg"]);
        // A photo whose file is missing, or no photo at all: a message.
        assert!(ExportPlan::from_state(&s, |_| None, "").is_err());
        assert!(ExportPlan::from_state(&State::default(), files, "").is_err());
    }

    #[test]
    fn titles_number_repeated_views() {
        let mut s = consultation();
        s = s.apply(crate::state::Action::SetAngleView(Some(smp_core::detect::View::Front)));
        assert_eq!(angle_titles(&s.angles()), ["Front 1", "Front 2"]);
    }

    #[test]
    fn an_inconsistent_job_is_an_error_not_a_panic() {
        let file = jpeg(100, 80, |_, _| [150, 120, 100]);
        let a = SheetAngle {
            size: PhotoSize { width: 100, height: 80 },
            title: "Top".into(),
            params: RenderParams::default(),
        };
        let good = SheetJob { layout: pair_layout(&a), angles: vec![edit(100, 80)] };
        assert!(export_sheet(&[&file], &good, &mut |_| {}).is_ok());
        assert!(export_sheet(&[], &good, &mut |_| {}).is_err());
        let mut bad = good.clone();
        bad.layout.panels[1].image.x = bad.layout.width;
        assert!(export_sheet(&[&file], &bad, &mut |_| {}).is_err());
        let mut bad = good.clone();
        bad.layout.panels[1].source.angle = 3;
        assert!(export_sheet(&[&file], &bad, &mut |_| {}).is_err());
        let mut bad = good.clone();
        bad.layout.width = 100_000;
        assert!(export_sheet(&[&file], &bad, &mut |_| {}).is_err());
        // A layout made for a larger photo than the file.
        let big = SheetAngle { size: PhotoSize { width: 400, height: 300 }, ..a };
        let bad = SheetJob { layout: pair_layout(&big), angles: vec![edit(100, 80)] };
        assert!(export_sheet(&[&file], &bad, &mut |_| {}).is_err());
        assert!(export_sheet(&[b"not a photo"], &good, &mut |_| {}).is_err());
    }
}
