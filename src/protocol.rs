//! The messages between the page and its Web Worker, serialised as JSON. Bulk bytes never go
//! in the JSON: the file travels beside a request and pixels beside a reply, as transferred
//! buffers (see `platform::worker`). Plain Rust, tested natively.

use serde::{Deserialize, Serialize};

use crate::engine::{ExportJob, PreparedPhoto};
use crate::export::SheetJob;

/// A fault a test can ask the worker to show, to prove the page survives it. Only sent when
/// the page was opened with the `smp-test-hooks` query flag (see `platform::test_hooks`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TestFault {
    /// Panic at the start of the job.
    Panic,
    /// Never answer (spin until terminated).
    Hang,
}

/// Page -> worker. Each request comes with the photo file's bytes beside it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    Prepare {
        job: u64,
        fault: Option<TestFault>,
    },
    Export {
        job: u64,
        export: ExportJob,
        fault: Option<TestFault>,
    },
    /// A composed sheet (pair, sequence, contact sheet). Its files travel one after the other
    /// in the bytes beside the request, `file_lengths` long each, in the order of `sheet.angles`.
    /// The result comes back as `Exported`.
    ExportSheet {
        job: u64,
        sheet: SheetJob,
        file_lengths: Vec<u64>,
        fault: Option<TestFault>,
    },
    /// Decode the photo at full resolution (for the preview at 1:1).
    Decode {
        job: u64,
        fault: Option<TestFault>,
    },
}

impl Request {
    pub fn job(&self) -> u64 {
        match self {
            Request::Prepare { job, .. }
            | Request::Export { job, .. }
            | Request::ExportSheet { job, .. }
            | Request::Decode { job, .. } => *job,
        }
    }

    pub fn fault(&self) -> Option<TestFault> {
        match self {
            Request::Prepare { fault, .. }
            | Request::Export { fault, .. }
            | Request::ExportSheet { fault, .. }
            | Request::Decode { fault, .. } => *fault,
        }
    }
}

/// Worker -> page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    /// A step of the job started (a short description, e.g. "decoding").
    Progress { job: u64, stage: String },
    /// The photo is ready; the working copy's pixels come beside this message.
    Prepared { job: u64, photo: PreparedPhoto },
    /// The full-resolution result is ready; its RGBA pixels come beside this message.
    Exported { job: u64, width: u32, height: u32 },
    /// The upright full-resolution photo is decoded; its RGBA pixels come beside this message.
    Decoded { job: u64, width: u32, height: u32 },
    /// The file could not be used: the user-facing message.
    Failed { job: u64, message: String },
    /// The worker panicked (the panic hook's last word before the instance aborts).
    Panicked { message: String },
}

impl Reply {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| {
            // Only non-finite numbers could fail here, and replies carry none; stay safe anyway.
            format!(r#"{{"Panicked":{{"message":"a reply could not be encoded: {e}"}}}}"#)
        })
    }
}

/// The files beside an `ExportSheet` request, `lengths` long each; `None` unless they add up
/// exactly to `bytes`.
pub fn split_files<'a>(bytes: &'a [u8], lengths: &[u64]) -> Option<Vec<&'a [u8]>> {
    let mut files = Vec::with_capacity(lengths.len());
    let mut at = 0usize;
    for &len in lengths {
        let end = at.checked_add(usize::try_from(len).ok()?)?;
        files.push(bytes.get(at..end)?);
        at = end;
    }
    (at == bytes.len()).then_some(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Detected;
    use smp_core::detect::{Advice, ScaleSource, View};
    use smp_core::hairline_design::FaceFrame;
    use smp_core::{AreaMask, Hairline, HairlineSide, Point, RgbaImage};

    #[test]
    fn messages_round_trip_through_json() {
        let replies = [
            Reply::Progress { job: 3, stage: "decoding".into() },
            Reply::Prepared {
                job: 3,
                photo: PreparedPhoto {
                    full_width: 4000,
                    full_height: 3000,
                    working: RgbaImage { width: 1632, height: 1224, data: Vec::new() },
                    detected: Detected {
                        area: Some(AreaMask {
                            width: 3,
                            height: 2,
                            full_width: 4000,
                            full_height: 3000,
                            data: vec![0, 9, 255, 3, 0, 1],
                        }),
                        hairline: Some(Hairline {
                            points: vec![Point::new(10.5, 20.25), Point::new(3000.0, 19.0)],
                            feather_mm: 6.0,
                            treated_side: HairlineSide::Left,
                            breakup: 1.0,
                        }),
                        face: Some(FaceFrame {
                            brow_mid: Point::new(2000.0, 1400.5),
                            up: Point::new(0.1, -0.995),
                            eye_distance_px: 233.0,
                        }),
                        px_per_mm: Some((3.7, ScaleSource::EyeDistance)),
                        view: Some(View::Front),
                        advice: vec![Advice::LightLongHair, Advice::NoHairLoss],
                        summary: "front view, face found".into(),
                        ms: 81.5,
                        hair_rgb: Some([31, 24, 20]),
                    },
                },
            },
            Reply::Exported { job: 4, width: 4000, height: 3000 },
            Reply::Decoded { job: 6, width: 4000, height: 3000 },
            Reply::Failed { job: 5, message: "This file is not a photo \"x\"".into() },
            Reply::Panicked { message: "boom".into() },
        ];
        for r in replies {
            assert_eq!(serde_json::from_str::<Reply>(&r.to_json()).unwrap(), r);
        }
        let req = Request::Prepare { job: 9, fault: Some(TestFault::Hang) };
        let back: Request = serde_json::from_str(&serde_json::to_string(&req).unwrap()).unwrap();
        assert_eq!((back.job(), back.fault()), (9, Some(TestFault::Hang)));
        let req = Request::Decode { job: 10, fault: None };
        let back: Request = serde_json::from_str(&serde_json::to_string(&req).unwrap()).unwrap();
        assert_eq!((back.job(), back.fault()), (10, None));
    }

    #[test]
    fn a_sheet_request_round_trips() {
        use crate::export::{pair_layout, PhotoSize, SheetAngle};
        let angle = SheetAngle {
            size: PhotoSize { width: 400, height: 300 },
            title: "Front".into(),
            params: smp_core::RenderParams::default(),
        };
        let export = ExportJob { base: None, strokes: Vec::new(), hairline: None, params: angle.params };
        let req = Request::ExportSheet {
            job: 7,
            sheet: SheetJob { layout: pair_layout(&angle), angles: vec![export] },
            file_lengths: vec![1234],
            fault: None,
        };
        let back: Request = serde_json::from_str(&serde_json::to_string(&req).unwrap()).unwrap();
        assert_eq!(back, req);
        assert_eq!((back.job(), back.fault()), (7, None));
    }

    /// Split the bytes beside a sheet request into its files.
    #[test]
    fn split_files_checks_the_lengths() {
        let bytes = [1u8, 2, 3, 4, 5];
        assert_eq!(split_files(&bytes, &[2, 3]).unwrap(), vec![&bytes[..2], &bytes[2..]]);
        assert!(split_files(&bytes, &[2, 2]).is_none(), "bytes left over");
        assert!(split_files(&bytes, &[4, 3]).is_none(), "too few bytes");
        assert!(split_files(&bytes, &[u64::MAX, 6]).is_none(), "no overflow");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for text in ["", "{", "null", r#"{"Prepare":{"job":-1}}"#, r#"{"Nope":{}}"#] {
            assert!(serde_json::from_str::<Request>(text).is_err(), "{text}");
        }
    }
}
