//! Runs the export the user asked for ([`ExportPlan`]): the worker renders (one job at a time),
//! the canvas adds the text and encodes, the browser downloads. Browser only.

use wasm_bindgen::JsValue;
use yew::Callback;

use crate::engine::{Offload, WorkError};
use crate::export::{ExportKind, ExportOptions, ExportPlan, SheetLayout};
use crate::platform::download::{encode_marked_image_data, encode_sheet, save_blob, Encoding, MARK};
use crate::platform::js_error_text;
use crate::platform::worker::WorkerClient;
use crate::state::Action;

/// What an export did, for the page to say.
pub struct Exported {
    pub files: usize,
    /// The composed sheet's layout (read by the end-to-end tests).
    pub layout: Option<SheetLayout>,
}

/// Run `plan`; `dispatch` hears the busy messages. `Err(None)`: cancelled by newer work.
pub async fn run(
    work: &WorkerClient,
    plan: ExportPlan,
    options: &ExportOptions,
    date: &str,
    dispatch: &Callback<Action>,
) -> Result<Exported, Option<String>> {
    let byline = options.byline(date);
    let encoding = Encoding { format: options.format, jpeg_quality: options.jpeg_quality };
    let failed = |e: WorkError| match e {
        WorkError::Cancelled => None,
        e => Some(e.to_string()),
    };
    let saved =
        |r: Result<(), JsValue>| r.map_err(|e| Some(format!("The image could not be saved: {}", js_error_text(&e))));
    match plan {
        ExportPlan::Images(images) => {
            let n = images.len();
            for (i, image) in images.into_iter().enumerate() {
                if n > 1 {
                    dispatch.emit(Action::BusyStarted(format!("Preparing angle {} of {n} at full size…", i + 1)));
                }
                let img = work.export(image.file, image.job).await.map_err(failed)?;
                let blob = encode_marked_image_data(&img, MARK, &byline, encoding).await;
                drop(img);
                saved(blob.and_then(|b| save_blob(&b, &image.file_name)))?;
            }
            Ok(Exported { files: n, layout: None })
        }
        ExportPlan::Sheet { file_name, files, job } => {
            let layout = job.layout.clone();
            let img = work.export_sheet(files, job).await.map_err(failed)?;
            let blob = encode_sheet(&img, &layout, &byline, encoding).await;
            drop(img);
            saved(blob.and_then(|b| save_blob(&b, &file_name)))?;
            Ok(Exported { files: 1, layout: Some(layout) })
        }
    }
}

/// The busy message while `kind` is prepared.
pub fn busy_message(kind: ExportKind) -> &'static str {
    match kind {
        ExportKind::Angle => "Preparing the full-resolution image…",
        ExportKind::Pair => "Preparing the before / after pair…",
        ExportKind::Sequence => "Preparing the sequence…",
        ExportKind::ContactSheet => "Preparing the contact sheet…",
        ExportKind::AllAngles => "Preparing every angle…",
    }
}

/// The download button's words for `kind`.
pub fn button_label(options: &ExportOptions) -> String {
    let format = match options.format {
        crate::export::ExportFormat::Png => "PNG",
        crate::export::ExportFormat::Jpeg => "JPEG",
    };
    match options.kind {
        ExportKind::Angle => format!("Download full-size {format}"),
        ExportKind::Pair => format!("Download the pair ({format})"),
        ExportKind::Sequence => format!("Download the sequence ({format})"),
        ExportKind::ContactSheet => format!("Download the contact sheet ({format})"),
        ExportKind::AllAngles => format!("Download every angle ({format})"),
    }
}
