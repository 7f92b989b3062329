//! The page's side of the Web Worker that runs the heavy steps (opening a photo, the
//! full-resolution export): [`WorkerClient`], the page's [`Offload`].
//!
//! - One job at a time: a new request terminates the worker busy with the old one (its future
//!   ends with [`WorkError::Cancelled`]) and goes to a fresh worker.
//! - A worker that fails (an `error` event, a panic it reports) or stays silent longer than
//!   the time limit (progress messages count as signs of life) is terminated; the job ends
//!   with [`WorkError::Failed`], the page carries on with what it has, and the next job starts
//!   a new worker.
//! - After every job the worker is replaced by a fresh one, so the memory a 12 MP decode took
//!   goes back to the system.
//!
//! The worker is created by `__smpSpawnWorker()`, which the page's loader (`web/boot.js`)
//! defines: a module worker (from a `blob:` URL, so the page's Content-Security-Policy covers
//! it) running this same wasm module, already compiled, handed over in its first message.
//! Messages: `{ msg: <JSON of protocol::Request>, bytes: Uint8Array }` in, `{ msg: <JSON of
//! protocol::Reply>, pixels?: Uint8Array }` out; the buffers are transferred, not copied.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array, Uint8ClampedArray};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ErrorEvent, Event, ImageData, MessageEvent, Worker};

use super::window;
use smp_core::RgbaImage;

use crate::engine::{ExportJob, Offload, PreparedPhoto, WorkError};
use crate::export::SheetJob;
use crate::protocol::{Reply, Request, TestFault};

/// A worker silent for this long is taken for hung (decoding a 12 MP photo takes well under
/// 2 s on a laptop; a slow phone gets plenty of margin).
pub const DEFAULT_TIMEOUT_MS: i32 = 60_000;

type Outcome = Result<(Reply, Option<Uint8Array>), WorkError>;

pub struct WorkerClient {
    inner: Rc<RefCell<Inner>>,
}

struct Inner {
    live: Option<Live>,
    pending: Option<Pending>,
    /// Counts workers spawned and jobs sent: events from an older worker are ignored.
    generation: u64,
    next_job: u64,
    timeout_ms: i32,
    /// A fault the next job should show (test hooks only).
    fault: Option<TestFault>,
    on_progress: Rc<dyn Fn(&str)>,
}

struct Live {
    worker: Worker,
    generation: u64,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

impl Drop for Live {
    /// Stop the worker and detach the handlers first: an event already queued must not reach
    /// a dropped closure.
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.set_onmessageerror(None);
        self.worker.terminate();
    }
}

struct Pending {
    job: u64,
    resolve: Function,
    outcome: Rc<RefCell<Option<Outcome>>>,
    /// Signs of life so far; the watchdog fires only if none came since it was set.
    heard: u64,
    watchdog: Option<i32>,
}

impl WorkerClient {
    /// Starts the first worker at once, so the first photo opens without waiting for it.
    /// `on_progress` hears each step of a job as the worker starts it.
    pub fn new(on_progress: impl Fn(&str) + 'static) -> WorkerClient {
        let inner = Rc::new(RefCell::new(Inner {
            live: None,
            pending: None,
            generation: 0,
            next_job: 1,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            fault: None,
            on_progress: Rc::new(on_progress),
        }));
        if let Err(e) = spawn(&inner) {
            web_sys::console::warn_1(&e);
        }
        WorkerClient { inner }
    }

    pub fn set_timeout_ms(&self, ms: i32) {
        self.inner.borrow_mut().timeout_ms = ms.max(1);
    }

    /// No job under way: a new request would cancel nothing.
    pub fn is_idle(&self) -> bool {
        self.inner.borrow().pending.is_none()
    }

    /// Make the next job show `fault` (test hooks only).
    pub fn fail_next_job(&self, fault: TestFault) {
        self.inner.borrow_mut().fault = Some(fault);
    }

    async fn run(&self, request: impl FnOnce(u64, Option<TestFault>) -> Request, bytes: &[u8]) -> Outcome {
        let (promise, outcome) = {
            // A job still under way is for something the user moved on from: stop it.
            if self.inner.borrow().pending.is_some() {
                replace_worker(&self.inner, WorkError::Cancelled);
            }
            if self.inner.borrow().live.is_none() {
                spawn(&self.inner).map_err(|e| WorkError::Failed(super::js_error_text(&e)))?;
            }
            let mut inner = self.inner.borrow_mut();
            let job = inner.next_job;
            inner.next_job += 1;
            let request = request(job, inner.fault.take());
            let json = serde_json::to_string(&request)
                .map_err(|e| WorkError::Failed(format!("the request could not be encoded: {e}")))?;
            let file = Uint8Array::new_with_length(bytes.len() as u32);
            file.copy_from(bytes);
            let message = Object::new();
            let _ = Reflect::set(&message, &"msg".into(), &json.into());
            let _ = Reflect::set(&message, &"bytes".into(), &file);
            let live = inner.live.as_ref().expect("spawned above");
            live.worker
                .post_message_with_transfer(&message, &Array::of1(&file.buffer()))
                .map_err(|e| WorkError::Failed(super::js_error_text(&e)))?;
            let mut resolve = None;
            let promise = Promise::new(&mut |res, _rej| resolve = Some(res));
            let outcome = Rc::new(RefCell::new(None));
            inner.pending = Some(Pending {
                job,
                resolve: resolve.expect("the Promise executor runs at once"),
                outcome: outcome.clone(),
                heard: 0,
                watchdog: None,
            });
            drop(inner);
            arm_watchdog(&self.inner);
            (promise, outcome)
        };
        let _ = JsFuture::from(promise).await;
        let result = outcome.borrow_mut().take();
        result.unwrap_or(Err(WorkError::Cancelled))
    }
}

impl Drop for WorkerClient {
    fn drop(&mut self) {
        replace_worker_without_respawn(&self.inner, WorkError::Cancelled);
    }
}

impl Offload for WorkerClient {
    type Image = ImageData;

    async fn prepare(&self, bytes: Rc<[u8]>) -> Result<PreparedPhoto, WorkError> {
        let (reply, pixels) = self.run(|job, fault| Request::Prepare { job, fault }, &bytes).await?;
        match (reply, pixels) {
            (Reply::Prepared { mut photo, .. }, Some(pixels)) => {
                let expected = photo.working.width as usize * photo.working.height as usize * 4;
                if pixels.length() as usize != expected {
                    return Err(WorkError::Failed("the working copy came back the wrong size".into()));
                }
                photo.working.data = pixels.to_vec();
                Ok(photo)
            }
            (Reply::Failed { message, .. }, _) => Err(WorkError::Photo(message)),
            _ => Err(WorkError::Failed("an unexpected reply".into())),
        }
    }

    async fn export(&self, bytes: Rc<[u8]>, export: ExportJob) -> Result<ImageData, WorkError> {
        let outcome = self.run(|job, fault| Request::Export { job, export, fault }, &bytes).await?;
        image_reply(outcome)
    }

    async fn export_sheet(&self, files: Vec<Rc<[u8]>>, sheet: SheetJob) -> Result<ImageData, WorkError> {
        // The files one after the other (the worker splits them by their lengths).
        let file_lengths: Vec<u64> = files.iter().map(|f| f.len() as u64).collect();
        let bytes: Vec<u8> = files.iter().flat_map(|f| f.iter().copied()).collect();
        drop(files);
        let outcome = self.run(|job, fault| Request::ExportSheet { job, sheet, file_lengths, fault }, &bytes).await?;
        image_reply(outcome)
    }

    async fn decode(&self, bytes: Rc<[u8]>) -> Result<RgbaImage, WorkError> {
        let (reply, pixels) = self.run(|job, fault| Request::Decode { job, fault }, &bytes).await?;
        match (reply, pixels) {
            (Reply::Decoded { width, height, .. }, Some(pixels)) => {
                if pixels.length() as usize != width as usize * height as usize * 4 {
                    return Err(WorkError::Failed("the full-resolution photo came back the wrong size".into()));
                }
                Ok(RgbaImage { width, height, data: pixels.to_vec() })
            }
            (Reply::Failed { message, .. }, _) => Err(WorkError::Photo(message)),
            _ => Err(WorkError::Failed("an unexpected reply".into())),
        }
    }
}

/// The worker's reply to an export: its pixels as an `ImageData`.
fn image_reply(outcome: (Reply, Option<Uint8Array>)) -> Result<ImageData, WorkError> {
    match outcome {
        (Reply::Exported { width, height, .. }, Some(pixels)) => {
            // A view on the transferred buffer: the 12 MP result never enters wasm memory.
            let clamped = Uint8ClampedArray::new_with_byte_offset_and_length(
                &pixels.buffer(),
                pixels.byte_offset(),
                pixels.length(),
            );
            ImageData::new_with_js_u8_clamped_array_and_sh(&clamped, width, height)
                .map_err(|e| WorkError::Failed(super::js_error_text(&e)))
        }
        (Reply::Failed { message, .. }, _) => Err(WorkError::Photo(message)),
        _ => Err(WorkError::Failed("an unexpected reply".into())),
    }
}

/// Start a fresh worker (the page's loader compiles nothing again: it hands over the module).
fn spawn(inner: &Rc<RefCell<Inner>>) -> Result<(), JsValue> {
    let spawner: Function = Reflect::get(&js_sys::global(), &"__smpSpawnWorker".into())?
        .dyn_into()
        .map_err(|_| JsValue::from_str("the page's worker loader is missing"))?;
    let worker: Worker = spawner.call0(&JsValue::NULL)?.dyn_into()?;
    let generation = {
        let mut i = inner.borrow_mut();
        i.generation += 1;
        i.generation
    };
    let weak = Rc::downgrade(inner);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        on_message(&weak, generation, &e.data());
    });
    let weak = Rc::downgrade(inner);
    let on_error = Closure::<dyn FnMut(Event)>::new(move |e: Event| {
        // Handled here: the page lives on (the worker's own console already has the details).
        e.prevent_default();
        let what = match e.dyn_ref::<ErrorEvent>() {
            Some(err) if !err.message().is_empty() => format!("the worker stopped: {}", err.message()),
            _ => "the worker stopped".to_string(),
        };
        on_failure(&weak, generation, what);
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    worker.set_onmessageerror(Some(on_error.as_ref().unchecked_ref()));
    let old =
        inner.borrow_mut().live.replace(Live { worker, generation, _on_message: on_message, _on_error: on_error });
    drop(old); // (outside the borrow) terminates it
    Ok(())
}

fn on_message(weak: &Weak<RefCell<Inner>>, generation: u64, data: &JsValue) {
    let Some(inner) = weak.upgrade() else { return };
    if inner.borrow().live.as_ref().map(|l| l.generation) != Some(generation) {
        return; // from a worker already replaced
    }
    let text = Reflect::get(data, &"msg".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
    let reply = match serde_json::from_str::<Reply>(&text) {
        Ok(reply) => reply,
        Err(e) => return on_failure(weak, generation, format!("an unreadable reply ({e})")),
    };
    let pixels = Reflect::get(data, &"pixels".into()).ok().and_then(|v| v.dyn_into::<Uint8Array>().ok());
    let current = inner.borrow().pending.as_ref().map(|p| p.job);
    match reply {
        Reply::Progress { job, stage } if Some(job) == current => {
            inner.borrow_mut().pending.as_mut().expect("current").heard += 1;
            arm_watchdog(&inner);
            let on_progress = inner.borrow().on_progress.clone();
            on_progress(&stage);
        }
        Reply::Prepared { job, .. }
        | Reply::Exported { job, .. }
        | Reply::Decoded { job, .. }
        | Reply::Failed { job, .. }
            if Some(job) == current =>
        {
            let pending = inner.borrow_mut().pending.take().expect("current");
            finish(pending, Ok((reply, pixels)));
            // A fresh worker for the next job: the memory this one grew goes back.
            replace_worker(&inner, WorkError::Cancelled);
        }
        Reply::Panicked { message } => on_failure(weak, generation, format!("the worker panicked: {message}")),
        _ => {} // a late reply for a job already given up
    }
}

fn on_failure(weak: &Weak<RefCell<Inner>>, generation: u64, what: String) {
    let Some(inner) = weak.upgrade() else { return };
    if inner.borrow().live.as_ref().map(|l| l.generation) != Some(generation) {
        return;
    }
    web_sys::console::warn_1(&format!("SMP Try-On: {what}; the next job gets a new worker").into());
    // Not respawned here: a worker that cannot start would otherwise be restarted forever.
    replace_worker_without_respawn(&inner, WorkError::Failed(what));
}

fn finish(pending: Pending, outcome: Outcome) {
    if let Some(id) = pending.watchdog {
        window().clear_timeout_with_handle(id);
    }
    *pending.outcome.borrow_mut() = Some(outcome);
    let _ = pending.resolve.call0(&JsValue::NULL);
}

/// Terminate the current worker, end its job (if any) with `why`, and start a fresh one.
fn replace_worker(inner: &Rc<RefCell<Inner>>, why: WorkError) {
    replace_worker_without_respawn(inner, why);
    if let Err(e) = spawn(inner) {
        web_sys::console::warn_1(&e);
    }
}

fn replace_worker_without_respawn(inner: &Rc<RefCell<Inner>>, why: WorkError) {
    let (live, pending) = {
        let mut i = inner.borrow_mut();
        i.generation += 1;
        (i.live.take(), i.pending.take())
    };
    drop(live); // terminates it
    if let Some(pending) = pending {
        finish(pending, Err(why));
    }
}

/// (Re)start the silence timer of the job under way.
fn arm_watchdog(inner: &Rc<RefCell<Inner>>) {
    let mut i = inner.borrow_mut();
    let (timeout_ms, generation) = (i.timeout_ms, i.live.as_ref().map_or(0, |l| l.generation));
    let Some(pending) = i.pending.as_mut() else { return };
    if let Some(id) = pending.watchdog.take() {
        window().clear_timeout_with_handle(id);
    }
    let (job, heard) = (pending.job, pending.heard);
    let weak = Rc::downgrade(inner);
    let fire = Closure::once_into_js(move || {
        let Some(inner) = weak.upgrade() else { return };
        let silent = inner.borrow().pending.as_ref().is_some_and(|p| p.job == job && p.heard == heard);
        if silent {
            on_failure(
                &weak,
                generation,
                format!("the worker gave no sign of life for {:.1} s", timeout_ms as f64 / 1000.0),
            );
        }
    });
    pending.watchdog =
        window().set_timeout_with_callback_and_timeout_and_arguments_0(fire.unchecked_ref(), timeout_ms).ok();
}
