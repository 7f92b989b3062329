//! The Web Worker's side: receives a request with the file's bytes, runs
//! [`prepare_photo`], [`export_full_resolution`] or [`export_sheet`], posts progress and the result (pixels as a
//! transferred buffer). A panic is reported to the page before the instance aborts.

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::engine::{decode_full_resolution, export_full_resolution, prepare_photo};
use crate::export::export_sheet;
use crate::protocol::{split_files, Reply, Request, TestFault};

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Set up the worker: panic hook and message handler. Called once by the loader after the
/// wasm instance is made.
pub fn run() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        // The message only (the location is in the worker's console).
        let payload = info.payload();
        let message = (payload.downcast_ref::<&str>().copied())
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("an unknown panic")
            .to_string();
        post(&Reply::Panicked { message }, None);
    }));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| handle(&e.data()));
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
}

fn handle(data: &JsValue) {
    let text = Reflect::get(data, &"msg".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
    let request: Request = match serde_json::from_str(&text) {
        Ok(r) => r,
        Err(e) => return post(&Reply::Panicked { message: format!("an unreadable request ({e})") }, None),
    };
    let bytes = Reflect::get(data, &"bytes".into())
        .ok()
        .and_then(|v| v.dyn_into::<Uint8Array>().ok())
        .map(|a| a.to_vec())
        .unwrap_or_default();
    let job = request.job();
    match request.fault() {
        Some(TestFault::Panic) => panic!("a test asked the worker to panic"),
        Some(TestFault::Hang) => loop {
            std::hint::spin_loop();
        },
        None => {}
    }
    let mut progress = |stage: &str| post(&Reply::Progress { job, stage: stage.to_string() }, None);
    match request {
        Request::Prepare { .. } => match prepare_photo(&bytes, &mut progress, &js_sys::Date::now) {
            Ok(mut photo) => {
                let pixels = std::mem::take(&mut photo.working.data);
                post(&Reply::Prepared { job, photo }, Some(&pixels));
            }
            Err(e) => post(&Reply::Failed { job, message: e.to_string() }, None),
        },
        Request::Export { export, .. } => match export_full_resolution(&bytes, &export, &mut progress) {
            Ok(img) => post(&Reply::Exported { job, width: img.width, height: img.height }, Some(&img.data)),
            Err(e) => post(&Reply::Failed { job, message: e.to_string() }, None),
        },
        Request::ExportSheet { sheet, file_lengths, .. } => {
            let result = match split_files(&bytes, &file_lengths) {
                Some(files) => export_sheet(&files, &sheet, &mut progress),
                None => Err("The export could not be made: its files arrived incomplete.".to_string()),
            };
            drop(bytes);
            match result {
                Ok(img) => post(&Reply::Exported { job, width: img.width, height: img.height }, Some(&img.data)),
                Err(message) => post(&Reply::Failed { job, message }, None),
            }
        }
        Request::Decode { .. } => match decode_full_resolution(&bytes, &mut progress) {
            Ok(img) => post(&Reply::Decoded { job, width: img.width, height: img.height }, Some(&img.data)),
            Err(e) => post(&Reply::Failed { job, message: e.to_string() }, None),
        },
    }
}

fn post(reply: &Reply, pixels: Option<&[u8]>) {
    let message = Object::new();
    let _ = Reflect::set(&message, &"msg".into(), &reply.to_json().into());
    let sent = match pixels {
        Some(pixels) => {
            let array = Uint8Array::new_with_length(pixels.len() as u32);
            array.copy_from(pixels);
            let _ = Reflect::set(&message, &"pixels".into(), &array);
            scope().post_message_with_transfer(&message, &Array::of1(&array.buffer()))
        }
        None => scope().post_message(&message),
    };
    if let Err(e) = sent {
        web_sys::console::error_1(&e);
    }
}
