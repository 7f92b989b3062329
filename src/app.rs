//! The root component: owns the state (a reducer), the engine and the frame painter, and lays
//! out the stage and the controls.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use smp_core::detect::{ScaleSource, View};
use smp_core::{RenderParams, TimeState, SHADE_PRESETS};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ClipboardEvent, File, HtmlCanvasElement, ImageData, KeyboardEvent};
use yew::prelude::*;

use crate::components::angle_tabs::{AngleTab, AngleTabs};
use crate::components::export_panel::ExportPanel;
use crate::components::hairline_designer::{HairlineDesigner, HairlineDesignerValue};
use crate::components::photo_input::PhotoInput;
use crate::components::shade_picker::ShadePicker;
use crate::components::slider::Slider;
use crate::components::tool_bar::ToolBar;
use crate::components::treatment_picker::TreatmentPicker;

use crate::components::viewer::{Viewer, ZoomBar};
use crate::detail::{Detail, DetailCanvases, DetailHooks};
use crate::engine::{DecodeFull, Engine, FullRes, WorkError};
use crate::export::{ExportKind, ExportPlan};
use crate::exporter::{self, busy_message, button_label};
use crate::persist::Saver;
use crate::platform::canvas::{clear, draw_compare, draw_outline, draw_region, image_data};
use crate::platform::download::today;
use crate::platform::files::{first_transferred_file, read_bytes};
use crate::platform::frame::request_animation_frame;
use crate::platform::test_hooks;
use crate::platform::worker::WorkerClient;
use crate::platform::{now_ms, set_body_attribute, window};
use crate::saving::Autosave;
use crate::state::{too_many_angles, Action, NoticeKind, State, Tool, BRUSH_MM, FEATHER_MM, MAX_ANGLES};

/// What the shown suggestion was computed for: (photo id, mask generation) and the detected hair.
type SuggestedFor = ((u64, u64), Option<[u8; 3]>);

/// Draws the latest state once per animation frame, however many changes arrived in between.
#[derive(Default)]
pub struct Painter {
    /// One engine per photo of the consultation (see [`Painter::engine`]).
    pub engines: Vec<Engine>,
    /// Ids of engines added whose photos the state has not shown yet.
    arriving: Vec<u64>,
    latest: Option<State>,
    pending: bool,
    /// The original as ImageData, per photo id (it never changes for a photo).
    before: Option<(u64, ImageData)>,
    /// The photo id and split of what the canvas shows now; `None` forces a full redraw.
    shown: Option<(u64, f32)>,
    outline_drawn: Option<(u64, u64)>,
    outline_buffer: Vec<u8>,
    frames: u64,
    /// The mask generation the shade suggestion was made for, and where to send a new one.
    suggested_for: Option<SuggestedFor>,
    dispatch: Option<Callback<Action>>,
    /// The full-resolution part of the zoomed-in preview, and what it calls back.
    detail: Detail,
    detail_hooks: Option<DetailHooks>,
    /// The last state painted (a repaint asked by the detail step draws it again).
    painted: Option<State>,
    /// The photo id and canvas the side-by-side original was drawn on.
    before_drawn: Option<(u64, HtmlCanvasElement)>,
}

struct Canvases {
    preview: NodeRef,
    outline: NodeRef,
    /// The side-by-side original (working copy).
    before: NodeRef,
    detail: DetailCanvases,
}

/// Paint the latest state again (or the last one painted) at the next frame.
fn repaint(painter: &Rc<RefCell<Painter>>, canvases: Rc<Canvases>) {
    let state = {
        let p = painter.borrow();
        p.latest.clone().or_else(|| p.painted.clone())
    };
    if let Some(state) = state {
        schedule(painter, state, canvases);
    }
}

/// The detail step's callbacks: a repaint, and the full-resolution decode in the worker.
fn detail_hooks(painter: &Rc<RefCell<Painter>>, canvases: &Rc<Canvases>, work: &Rc<WorkerClient>) -> DetailHooks {
    let weak = Rc::downgrade(painter);
    let repaint: Rc<dyn Fn()> = {
        let (weak, canvases) = (weak.clone(), canvases.clone());
        Rc::new(move || {
            if let Some(painter) = weak.upgrade() {
                repaint(&painter, canvases.clone());
            }
        })
    };
    let decode: Rc<dyn Fn(DecodeFull)> = {
        let (work, repaint) = (work.clone(), repaint.clone());
        Rc::new(move |job: DecodeFull| {
            let (weak, work, repaint) = (weak.clone(), work.clone(), repaint.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let id = job.photo_id;
                let decoded = job.run(&*work).await;
                let Some(painter) = weak.upgrade() else { return };
                {
                    let mut p = painter.borrow_mut();
                    if let Some(engine) = p.engines.iter_mut().find(|e| e.meta.id == id) {
                        engine.set_full_res(decoded);
                    }
                    p.detail.settle_now();
                }
                repaint();
            });
        })
    };
    let worker_idle: Rc<dyn Fn() -> bool> = {
        let work = work.clone();
        Rc::new(move || work.is_idle())
    };
    DetailHooks { repaint, decode, worker_idle }
}

impl Painter {
    /// The engine of photo `id`.
    pub fn engine(&self, id: u64) -> Option<&Engine> {
        self.engines.iter().find(|e| e.meta.id == id)
    }

    /// Add engines whose photos are on their way into the state (their action is dispatched
    /// right after).
    pub fn add_engines(&mut self, engines: impl IntoIterator<Item = Engine>) {
        for engine in engines {
            self.arriving.push(engine.meta.id);
            self.engines.push(engine);
        }
    }

    /// Drop the engines of photos the state no longer holds (removed, replaced, or a new
    /// consultation), keeping those whose photos have not reached the state yet.
    fn forget_removed(&mut self, state: &State) {
        let known: Vec<u64> = state.angles.iter().map(|a| a.meta.id).collect();
        self.arriving.retain(|id| !known.contains(id));
        let arriving = &self.arriving;
        self.engines.retain(|e| known.contains(&e.meta.id) || arriving.contains(&e.meta.id));
        // Only the photo on screen keeps its full-resolution copy (~50 MB at 12 MP); another
        // angle decodes it again if it is zoomed to 1:1.
        let current = state.photo.as_ref().map(|m| m.id);
        for e in self.engines.iter_mut().filter(|e| Some(e.meta.id) != current) {
            if matches!(e.full_res, FullRes::Ready(_)) {
                e.full_res = FullRes::NotLoaded;
            }
        }
    }
}

fn schedule(painter: &Rc<RefCell<Painter>>, state: State, canvases: Rc<Canvases>) {
    let mut p = painter.borrow_mut();
    p.latest = Some(state);
    if p.pending {
        return;
    }
    p.pending = true;
    let painter = painter.clone();
    request_animation_frame(move || paint(&painter, &canvases));
}

fn paint(painter: &Rc<RefCell<Painter>>, canvases: &Canvases) {
    let mut guard = painter.borrow_mut();
    let p = &mut *guard;
    p.pending = false;
    let Some(state) = p.latest.take() else { return };
    p.forget_removed(&state);
    let Some(current) = state.photo.as_ref().map(|m| m.id) else { return };
    let Some(engine) = p.engines.iter_mut().find(|e| e.meta.id == current) else { return };
    let (Some(preview), Some(outline)) =
        (canvases.preview.cast::<HtmlCanvasElement>(), canvases.outline.cast::<HtmlCanvasElement>())
    else {
        return;
    };
    let t0 = now_ms();
    let dirty = engine.render(&state);
    let id = engine.meta.id;
    let split = if state.compare.holding_original {
        1.0
    } else if state.compare.split_on && !state.compare.side_by_side {
        state.compare.split
    } else {
        0.0
    };
    let drawn = if p.shown == Some((id, 0.0)) && split == 0.0 {
        // The usual case while editing: only the changed rectangle travels to the canvas.
        draw_region(&preview, engine.preview.output(), dirty)
    } else {
        if p.before.as_ref().map(|b| b.0) != Some(id) {
            match image_data(engine.preview.original()) {
                Ok(d) => p.before = Some((id, d)),
                Err(e) => return web_sys::console::error_1(&e),
            }
        }
        let before = &p.before.as_ref().expect("set above").1;
        image_data(engine.preview.output()).and_then(|after| draw_compare(&preview, &after, before, split))
    };
    match drawn {
        Ok(()) => p.shown = Some((id, split)),
        Err(e) => {
            p.shown = None;
            web_sys::console::error_1(&e);
        }
    }
    // Side by side: the original in the "before" pane.
    match canvases.before.cast::<HtmlCanvasElement>().filter(|_| state.compare.side_by_side) {
        Some(canvas) if p.before_drawn.as_ref() != Some(&(id, canvas.clone())) => {
            if p.before.as_ref().map(|b| b.0) != Some(id) {
                if let Ok(d) = image_data(engine.preview.original()) {
                    p.before = Some((id, d));
                }
            }
            if let Some((_, before)) = &p.before {
                crate::platform::canvas::ensure_size(&canvas, before.width(), before.height());
                let drawn =
                    crate::platform::canvas::context_2d(&canvas).and_then(|c| c.put_image_data(before, 0.0, 0.0));
                match drawn {
                    Ok(()) => p.before_drawn = Some((id, canvas)),
                    Err(e) => web_sys::console::error_1(&e),
                }
            }
        }
        Some(_) => {}
        None => p.before_drawn = None,
    }
    // Zoomed in past the working copy: the full-resolution part over it.
    if let Some(hooks) = &p.detail_hooks {
        p.detail.paint(engine, &state, split, &canvases.detail, hooks);
    }
    // The outline only changes with the mask.
    let outline_key = (id, engine.preview.mask_generation());
    if state.compare.holding_original {
        clear(&outline);
        p.outline_drawn = None;
    } else if p.outline_drawn != Some(outline_key) {
        if let Err(e) = draw_outline(&outline, engine.preview.mask(), &mut p.outline_buffer) {
            web_sys::console::error_1(&e);
        }
        p.outline_drawn = Some(outline_key);
    }
    // Suggest a shade for the area once a stroke is finished (not on every frame of a drag).
    let detected_hair = state.detection.as_ref().and_then(|d| d.hair_rgb);
    if state.drag.is_none() && p.suggested_for != Some((outline_key, detected_hair)) {
        p.suggested_for = Some((outline_key, detected_hair));
        // Hair within ~5 mm of the area tells the stubble's colour.
        let ring_px = (5.0 * state.params.px_per_mm * engine.preview.scale()).round() as u32;
        let suggestion = smp_core::photo_stats::suggest_shade(
            engine.preview.original(),
            engine.preview.mask(),
            ring_px,
            state.params.dot_diameter_mm,
            detected_hair,
        );
        if suggestion != state.suggestion {
            if let Some(dispatch) = &p.dispatch {
                dispatch.emit(Action::SetSuggestion(suggestion));
            }
        }
    }
    p.frames += 1;
    // Read by the end-to-end tests and the in-browser benchmark.
    let _ = preview.set_attribute("data-frames", &p.frames.to_string());
    let _ = preview.set_attribute("data-render-ms", &format!("{:.2}", now_ms() - t0));
    p.painted = Some(state);
}

#[component]
pub fn App() -> Html {
    let state = use_reducer(State::default);
    let painter = use_mut_ref(Painter::default);
    let canvases = use_memo((), |_| Canvases {
        preview: NodeRef::default(),
        outline: NodeRef::default(),
        before: NodeRef::default(),
        detail: DetailCanvases { after: NodeRef::default(), before: NodeRef::default() },
    });
    let open_counter = use_mut_ref(|| Cell::new(0u64));

    // Redraw after every change, coalesced to animation frames.
    {
        let painter = painter.clone();
        let snapshot = (*state).clone();
        let canvases = canvases.clone();
        use_effect(move || schedule(&painter, snapshot, canvases));
    }

    let dispatch = {
        let state = state.clone();
        Callback::from(move |a: Action| state.dispatch(a))
    };
    if painter.borrow().dispatch.is_none() {
        painter.borrow_mut().dispatch = Some(dispatch.clone());
    }
    // Opening and export run in a Web Worker; its progress shows beside the busy message.
    let work = {
        let dispatch = dispatch.clone();
        use_memo((), move |_| WorkerClient::new(move |step| dispatch.emit(Action::BusyProgress(step.to_string()))))
    };
    {
        let work = work.clone();
        use_effect_with((), move |_| test_hooks::install(&work));
    }
    if painter.borrow().detail_hooks.is_none() {
        let hooks = detail_hooks(&painter, &canvases, &work);
        painter.borrow_mut().detail_hooks = Some(hooks);
    }

    // Autosave, restore at start-up, consultation files (see `persist`).
    let saver = {
        let (painter, open_counter, work, dispatch) =
            (painter.clone(), open_counter.clone(), work.clone(), dispatch.clone());
        use_memo((), move |_| Saver {
            painter,
            autosave: Rc::new(RefCell::new(Autosave::default())),
            store: Rc::new(RefCell::new(None)),
            restoring: Rc::new(Cell::new(true)),
            open_counter,
            work,
            dispatch,
            unavailable: Rc::new(RefCell::new(None)),
            latest: Rc::new(RefCell::new(None)),
            slot: Rc::new(RefCell::new(None)),
        })
    };
    {
        let saver = (*saver).clone();
        use_effect_with((*state).clone(), move |s| saver.schedule(s.clone()));
    }
    // How many angles the consultation holds (read when a file is chosen, before decoding it).
    let angle_count = use_mut_ref(|| Cell::new(0usize));
    angle_count.borrow().set(state.angles.len());
    // A photo chosen while the start-up restore runs, opened when it ends.
    let pending_open = use_mut_ref(|| None::<(File, OpenMode)>);
    let open_file = {
        let dispatch = dispatch.clone();
        let painter = painter.clone();
        let open_counter = open_counter.clone();
        let work = work.clone();
        let angle_count = angle_count.clone();
        let restoring = saver.restoring.clone();
        let pending = pending_open.clone();
        Callback::from(move |(file, mode): (File, OpenMode)| {
            if restoring.get() {
                // Chosen before the start-up restore finished (a fast user, or a page opened
                // with a photo at hand): it opens as soon as the restore is done.
                *pending.borrow_mut() = Some((file, mode));
                return;
            }
            if mode == OpenMode::Add && angle_count.borrow().get() >= MAX_ANGLES {
                return dispatch.emit(Action::PhotoFailed(too_many_angles()));
            }
            let name = file.name();
            let token = {
                let c = open_counter.borrow();
                c.set(c.get() + 1);
                c.get()
            };
            dispatch.emit(Action::PhotoOpening { name: name.clone() });
            let dispatch = dispatch.clone();
            let painter = painter.clone();
            let open_counter = open_counter.clone();
            let work = work.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let is_current = || open_counter.borrow().get() == token;
                let bytes = read_bytes(&file).await;
                if !is_current() {
                    return; // a newer file was chosen meanwhile
                }
                let bytes = match bytes {
                    Ok(bytes) => bytes,
                    Err(message) => return dispatch.emit(Action::PhotoFailed(message)),
                };
                // Decoding runs in the worker: the page stays responsive, the current photo usable.
                let opened = Engine::open(&*work, token, &name, bytes).await;
                if !is_current() {
                    return;
                }
                match opened {
                    Ok(mut engine) => {
                        add_thumbnail(&mut engine);
                        // Detection ran in the worker too: prefill the area, scale and advice.
                        let (meta, prefill) = (engine.meta.clone(), engine.prefill());
                        set_body_attribute("data-detect-ms", &format!("{:.1}", engine.detected.ms));
                        painter.borrow_mut().add_engines([engine]);
                        dispatch.emit(match mode {
                            OpenMode::Replace => Action::PhotoOpened(meta),
                            OpenMode::Add => Action::AngleAdded(meta),
                        });
                        dispatch.emit(Action::Prefill(prefill));
                        set_body_attribute("data-detected-photo", &token.to_string());
                    }
                    Err(WorkError::Cancelled) => {}
                    Err(e) => dispatch.emit(Action::PhotoFailed(e.to_string())),
                }
            });
        })
    };

    // Paste a photo anywhere; Ctrl+Z / Ctrl+Shift+Z (or Ctrl+Y) undo and redo.
    {
        let open_file = open_file.clone();
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            let document = window().document().expect("document");
            let on_paste = Closure::<dyn Fn(ClipboardEvent)>::new(move |e: ClipboardEvent| {
                if let Some(file) = first_transferred_file(e.clipboard_data()) {
                    e.prevent_default();
                    open_file.emit((file, OpenMode::Add));
                }
            });
            let on_key = Closure::<dyn Fn(KeyboardEvent)>::new(move |e: KeyboardEvent| {
                if !(e.ctrl_key() || e.meta_key()) {
                    return;
                }
                match e.key().to_lowercase().as_str() {
                    "z" if e.shift_key() => dispatch.emit(Action::Redo),
                    "z" => dispatch.emit(Action::Undo),
                    "y" => dispatch.emit(Action::Redo),
                    _ => return,
                }
                e.prevent_default();
            });
            let _ = document.add_event_listener_with_callback("paste", on_paste.as_ref().unchecked_ref());
            let _ = document.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
            move || {
                let _ = document.remove_event_listener_with_callback("paste", on_paste.as_ref().unchecked_ref());
                let _ = document.remove_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
            }
        });
    }

    let on_export = {
        let dispatch = dispatch.clone();
        let painter = painter.clone();
        let state = state.clone();
        let work = work.clone();
        Callback::from(move |_| {
            let dispatch = dispatch.clone();
            let snapshot = (*state).clone();
            let work = work.clone();
            let date = today();
            // The files are taken now (a short borrow): the export holds them, not the engines.
            let plan = {
                let p = painter.borrow();
                ExportPlan::from_state(&snapshot, |id| p.engine(id).map(|e| e.file().clone()), &date)
            };
            set_body_attribute("data-exported-files", "");
            dispatch.emit(Action::BusyStarted(busy_message(snapshot.export.kind).into()));
            wasm_bindgen_futures::spawn_local(async move {
                let t0 = now_ms();
                let outcome = match plan {
                    Err(message) => Err(Some(message)),
                    Ok(plan) => exporter::run(&work, plan, &snapshot.export, &date, &dispatch).await,
                };
                set_body_attribute("data-export-ms", &format!("{:.0}", now_ms() - t0));
                match outcome {
                    // A new photo took over (and its own busy message): nothing to say.
                    Err(None) => {}
                    Err(Some(message)) => {
                        dispatch.emit(Action::BusyFinished);
                        dispatch.emit(Action::PhotoFailed(message));
                    }
                    Ok(done) => {
                        // Read by the end-to-end tests (set before the busy message goes).
                        let layout = done.layout.as_ref().and_then(|l| serde_json::to_string(l).ok());
                        set_body_attribute("data-export-layout", layout.as_deref().unwrap_or(""));
                        set_body_attribute("data-exported-files", &done.files.to_string());
                        dispatch.emit(Action::BusyFinished);
                        let shrunk =
                            done.layout.as_ref().filter(|l| l.downscaled && snapshot.export.kind == ExportKind::Pair);
                        if let Some(l) = shrunk {
                            dispatch.emit(Action::ShowInfo(format!(
                                "The pair was made smaller ({} × {} px) to stay within what a browser can draw.",
                                l.width, l.height
                            )));
                        }
                    }
                }
            });
        })
    };

    {
        let saver = (*saver).clone();
        let (pending, open_file) = (pending_open.clone(), open_file.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let restored = saver.restore_at_start().await;
                let chosen = pending.borrow_mut().take();
                if let Some((file, mode)) = chosen {
                    // Work came back: the photo joins it rather than replacing any of it.
                    open_file.emit((file, if restored > 0 { OpenMode::Add } else { mode }));
                }
            })
        });
    }
    let replace_file = open_file.reform(|f: File| (f, OpenMode::Replace));
    let add_file = open_file.reform(|f: File| (f, OpenMode::Add));
    let s = &*state;
    let has_photo = s.photo.is_some();
    let cb = |f: fn(f32) -> Action| {
        let d = dispatch.clone();
        Callback::from(move |v: f32| d.emit(f(v)))
    };
    let act = |a: Action| {
        let d = dispatch.clone();
        Callback::from(move |_| d.emit(a.clone()))
    };
    let hold = |on: bool| {
        let d = dispatch.clone();
        Callback::from(move |_: PointerEvent| d.emit(Action::HoldOriginal(on)))
    };
    let uses_hairline = s.params.treatment.uses_hairline();
    let photo_width_cm = s.photo.as_ref().map(|p| p.full_width as f32 / s.params.px_per_mm / 10.0);
    let measured_px = s.measure.map(|(a, b)| a.distance(b));

    html! {
        <div class="app">
            <header class="top">
                <h1>{ "SMP Try-On" }</h1>
                <p class="privacy">{ "Your photo stays on this device: nothing is uploaded." }</p>
            </header>
            <main class="layout">
                <section class="stage-col">
                    <AngleTabs value={s.angles().into_iter().map(|a| AngleTab { id: a.meta.id, name: a.meta.name, view: a.view, thumbnail: a.meta.thumbnail }).collect::<Vec<_>>()}
                        current={s.photo.as_ref().map(|m| m.id)}
                        on_select={{ let d = dispatch.clone(); Callback::from(move |id| d.emit(Action::SelectAngle(id))) }}
                        on_remove={{ let d = dispatch.clone(); Callback::from(move |id| d.emit(Action::RemoveAngle(id))) }}
                        on_change={{ let d = dispatch.clone(); Callback::from(move |v| d.emit(Action::SetAngleView(v))) }} />
                    <Viewer state={Rc::new(s.clone())} dispatch={dispatch.clone()} on_file={add_file.clone()}
                        preview_ref={canvases.preview.clone()} outline_ref={canvases.outline.clone()}
                        before_ref={canvases.before.clone()} detail_ref={canvases.detail.after.clone()}
                        before_detail_ref={canvases.detail.before.clone()} />
                    // The photo's own controls sit right under it (in view on a laptop).
                    if has_photo {
                        <div class="compare-bar">
                            <button type="button" id="hold-original" class="button"
                                onpointerdown={hold(true)} onpointerup={hold(false)} onpointerleave={hold(false)}
                                onpointercancel={hold(false)}>{ "Hold to see original" }</button>
                            <label class="check"><input type="checkbox" id="split-on" checked={s.compare.split_on}
                                onchange={{
                                    let d = dispatch.clone();
                                    let on = !s.compare.split_on;
                                    Callback::from(move |_: Event| d.emit(Action::SetSplitOn(on)))
                                }} />{ "Before / after split" }</label>
                            <label class="check"><input type="checkbox" id="side-by-side" checked={s.compare.side_by_side}
                                onchange={{
                                    let d = dispatch.clone();
                                    let on = !s.compare.side_by_side;
                                    Callback::from(move |_: Event| d.emit(Action::SetSideBySide(on)))
                                }} />{ "Side by side" }</label>
                            <ZoomBar zoom={s.zoom} dispatch={dispatch.clone()} />
                            if s.compare.split_on && !s.compare.side_by_side {
                                <input type="range" id="split" min="0" max="1" step="0.005" value={s.compare.split.to_string()}
                                    aria-label="Split position"
                                    oninput={{
                                        let d = dispatch.clone();
                                        Callback::from(move |e: InputEvent| {
                                            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                                            if let Ok(v) = input.value().parse::<f32>() { d.emit(Action::SetSplit(v)) }
                                        })
                                    }} />
                            }
                        </div>
                    }
                    if let Some(busy) = &s.busy {
                        <div class="busy" role="status" id="busy"><span class="spinner"></span>{ busy }
                            if let Some(step) = &s.busy_step { <span class="step" id="busy-step">{ step }</span> }
                        </div>
                    }
                    if let Some(n) = &s.notice {
                        <div id="notice" role={if n.kind == NoticeKind::Error { "alert" } else { "status" }}
                            class={classes!("notice", (n.kind == NoticeKind::Error).then_some("error"))}>
                            <span>{ &n.text }</span>
                            <button type="button" class="link" onclick={act(Action::DismissNotice)}>{ "Dismiss" }</button>
                        </div>
                    }
                    { detection_panel(s) }
                </section>
                <aside class="panel">
                    <section>
                        <h2>{ "1. Photo" }</h2>
                        <PhotoInput on_file={replace_file} on_add={add_file} has_photo={has_photo}
                            can_add={s.angles.len() < MAX_ANGLES} />
                    </section>
                    <fieldset disabled={!has_photo}>
                        <section>
                            <h2>{ "2. Treatment" }</h2>
                            <TreatmentPicker value={s.params.treatment} on_change={{
                                let d = dispatch.clone();
                                Callback::from(move |t| d.emit(Action::SetTreatment(t)))
                            }} />
                        </section>
                        <section>
                            <h2>{ "3. Area" }</h2>
                            <ToolBar value={s.tool} show_hairline={uses_hairline} on_change={{
                                let d = dispatch.clone();
                                Callback::from(move |t| d.emit(Action::SetTool(t)))
                            }} />
                            { tool_hint(s) }
                            if matches!(s.tool, Tool::Paint | Tool::Erase) {
                                <Slider id="brush-mm" label="Brush size" value={s.brush_mm} min={BRUSH_MM.0} max={BRUSH_MM.1}
                                    step={1.0} unit="mm" decimals={0} on_change={cb(Action::SetBrushMm)} />
                            }
                            <div class="row">
                                <button type="button" class="button" id="undo" disabled={s.undo.is_empty()} onclick={act(Action::Undo)}>{ "Undo" }</button>
                                <button type="button" class="button" id="redo" disabled={s.redo.is_empty()} onclick={act(Action::Redo)}>{ "Redo" }</button>
                                <button type="button" class="button" id="clear" disabled={s.area.is_empty()} onclick={act(Action::ClearArea)}>{ "Clear area" }</button>
                            </div>
                            if uses_hairline {
                                <div class="sub">
                                    <HairlineDesigner value={hairline_designer_value(s)} on_change={dispatch.clone()} />
                                </div>
                            }
                            if let (true, Some(h)) = (uses_hairline, &s.area.hairline) {
                                <div class="sub">
                                    <Slider id="feather-mm" label="Hairline: sharp … soft" value={h.feather_mm} min={FEATHER_MM.0}
                                        max={FEATHER_MM.1} step={0.5} unit="mm" on_change={cb(Action::SetFeather)} />
                                    <div class="row">
                                        <button type="button" class="button" onclick={act(Action::FlipHairlineSide)}>{ "Flip treated side" }</button>
                                        <button type="button" class="button" onclick={act(Action::RemoveHairline)}>{ "Remove hairline" }</button>
                                    </div>
                                </div>
                            }
                        </section>
                        <section>
                            <h2>{ "4. Pigment shade" }</h2>
                            <ShadePicker value={s.params.shade} on_change={{
                                let d = dispatch.clone();
                                Callback::from(move |v| d.emit(Action::SetShade(v)))
                            }} />
                            if let Some(sug) = &s.suggestion {
                                <p class="hint suggestion" id="suggestion">
                                    { format!("Suggested for this photo: {} ({}). ", SHADE_PRESETS[sug.preset].name, sug.reason) }
                                    if s.params.shade != SHADE_PRESETS[sug.preset].shade
                                        || sug.stubble_density_per_cm2.is_some_and(|d| d != s.params.density_per_cm2) {
                                        <button type="button" class="link" id="use-suggested"
                                            onclick={{
                                                let d = dispatch.clone();
                                                let (shade, density) = (SHADE_PRESETS[sug.preset].shade, sug.stubble_density_per_cm2);
                                                Callback::from(move |_| {
                                                    d.emit(Action::SetShade(shade));
                                                    if let Some(density) = density {
                                                        d.emit(Action::SetDensity(density));
                                                    }
                                                })
                                            }}>{ "Use it" }</button>
                                    }
                                </p>
                            }
                        </section>
                        <section>
                            <h2>{ "5. Dots" }</h2>
                            <Slider id="dot-mm" label="Dot diameter" value={s.params.dot_diameter_mm}
                                min={RenderParams::DOT_DIAMETER_MM.0} max={RenderParams::DOT_DIAMETER_MM.1} step={0.05}
                                unit="mm" decimals={2} on_change={cb(Action::SetDotDiameter)} />
                            <Slider id="density" label="Density" value={s.params.density_per_cm2}
                                min={RenderParams::DENSITY_PER_CM2.0} max={RenderParams::DENSITY_PER_CM2.1} step={1.0}
                                unit="dots/cm²" decimals={0} on_change={cb(Action::SetDensity)} />
                            <p class="hint">{ "Natural hair: about 80 follicles/cm², a hairline about 50." }</p>
                            <label class="check"><input type="checkbox" id="follow-curve" checked={s.params.follow_curve}
                                onchange={{
                                    let d = dispatch.clone();
                                    let on = !s.params.follow_curve;
                                    Callback::from(move |_: Event| d.emit(Action::SetFollowCurve(on)))
                                }} />{ "Follow the head's curve" }</label>
                            <p class="hint">{ "For top and side views painted up to the head's outline: dots crowd and flatten toward the edge, as on a real head." }</p>
                        </section>
                        <section>
                            <h2>{ "6. Time" }</h2>
                            <div class="segmented" role="radiogroup" aria-label="Sessions done">
                                { for (1..=3u8).map(|n| html! {
                                    <button type="button" role="radio" aria-checked={(s.params.time.sessions == n).to_string()}
                                        class={classes!("seg", (s.params.time.sessions == n).then_some("on"))}
                                        data-session={n.to_string()} onclick={act(Action::SetSessions(n))}>
                                        { format!("Session {n}") }</button>
                                }) }
                            </div>
                            <div class="segmented" role="radiogroup" aria-label="Healing">
                                <button type="button" role="radio" aria-checked={s.params.time.fresh.to_string()} id="fresh"
                                    class={classes!("seg", s.params.time.fresh.then_some("on"))}
                                    onclick={act(Action::SetFresh(true))}>{ "Just done" }</button>
                                <button type="button" role="radio" aria-checked={(!s.params.time.fresh).to_string()} id="healed"
                                    class={classes!("seg", (!s.params.time.fresh).then_some("on"))}
                                    onclick={act(Action::SetFresh(false))}>{ "Healed" }</button>
                            </div>
                            <Slider id="years" label="Years later" value={s.params.time.years} min={0.0}
                                max={TimeState::MAX_YEARS} step={0.5} unit="y" on_change={cb(Action::SetYears)} />
                            <label class="check"><input type="checkbox" id="too-deep" checked={s.params.time.too_deep}
                                onchange={{
                                    let d = dispatch.clone();
                                    let on = !s.params.time.too_deep;
                                    Callback::from(move |_: Event| d.emit(Action::SetTooDeep(on)))
                                }} />{ "Pigment placed too deep (the blue cast to avoid)" }</label>
                            <p class="hint">{ "Each session adds density; healed dots are lighter and smaller than fresh ones; results fade over 3-5 years." }</p>
                        </section>
                        <section>
                            <h2>{ "7. Scale" }</h2>
                            <p class="hint" id="scale-readout">
                                { format!("{:.2} photo pixels per mm", s.params.px_per_mm) }
                                if let Some(cm) = photo_width_cm { { format!(" (photo ≈ {cm:.0} cm wide)") } }
                                { match s.detection.as_ref().and_then(|d| d.scale_source) {
                                    Some(ScaleSource::EyeDistance) if s.measure.is_none() => " from the distance between the eyes (≈63 mm; ±10 %).",
                                    // Side views measure the head from front to back (detect.rs).
                                    Some(ScaleSource::HeadWidth) if s.measure.is_none() && s.detection.as_ref().and_then(|d| d.view) == Some(View::Side) =>
                                        " from the head's length, front to back (≈19.5 cm; ±15 %): measure a known distance to be exact.",
                                    Some(ScaleSource::HeadWidth) if s.measure.is_none() => " from the head's width (≈15.5 cm; ±15 %): measure a known distance to be exact.",
                                    _ => "",
                                } }
                            </p>
                            if s.tool == Tool::Measure {
                                <div class="row measure-row">
                                    <label>{ "The line is " }
                                        <input type="number" id="measure-mm" min="1" max="1000" step="1"
                                            value={s.measure_mm.to_string()}
                                            oninput={{
                                                let d = dispatch.clone();
                                                Callback::from(move |e: InputEvent| {
                                                    let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                                                    if let Ok(v) = input.value().parse::<f32>() { d.emit(Action::SetMeasureMm(v)) }
                                                })
                                            }} />{ " mm" }</label>
                                    <button type="button" class="button" id="apply-measure"
                                        disabled={measured_px.is_none_or(|l| l < 5.0)} onclick={act(Action::ApplyMeasure)}>{ "Set scale" }</button>
                                </div>
                            } else {
                                <button type="button" class="button" onclick={act(Action::SetTool(Tool::Measure))}>{ "Measure a known distance" }</button>
                            }
                        </section>
                        <section>
                            <h2>{ "8. Export" }</h2>
                            <ExportPanel value={s.export.clone()} on_change={{
                                let d = dispatch.clone();
                                Callback::from(move |o| d.emit(Action::SetExport(o)))
                            }} />
                            <button type="button" class="button primary" id="download" disabled={s.busy.is_some()}
                                data-kind={s.export.kind.key()} onclick={on_export}>{ button_label(&s.export) }</button>
                            <p class="hint">{ "Every image is marked “Simulation”. The real result depends on your skin and your artist." }</p>
                        </section>
                    </fieldset>
                    <section class="consultation">
                        <h2>{ "Consultation" }</h2>
                        <p class="hint">{ "Your work is kept in this browser and comes back when you reopen the page. A consultation file holds every photo and edit: open it in any browser." }</p>
                        <div class="row">
                            <button type="button" class="button" id="save-consultation" disabled={!has_photo || s.busy.is_some()}
                                onclick={{
                                    let (saver, state, d) = ((*saver).clone(), state.clone(), dispatch.clone());
                                    Callback::from(move |_| if let Err(m) = saver.save_file(&state) { d.emit(Action::PhotoFailed(m)) })
                                }}>{ "Save consultation file" }</button>
                            <label class="button" for="open-consultation-input">{ "Open a consultation file" }</label>
                            <input id="open-consultation-input" class="visually-hidden" type="file" accept={crate::persist::accept()}
                                onchange={{
                                    let (saver, has_work) = ((*saver).clone(), has_photo);
                                    Callback::from(move |e: Event| {
                                        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                                        if let Some(file) = crate::platform::files::first_file(input.files()) {
                                            wasm_bindgen_futures::spawn_local(saver.clone().open_file(file, has_work));
                                        }
                                        input.set_value("");
                                    })
                                }} />
                            if has_photo {
                                <button type="button" class="button" id="new-consultation" onclick={{
                                    let d = dispatch.clone();
                                    Callback::from(move |_| {
                                        let sure = window().confirm_with_message("Start a new consultation? The photos and edits open now are removed from this browser (save them to a file first to keep them).").unwrap_or(false);
                                        if sure { d.emit(Action::NewConsultation) }
                                    })
                                }}>{ "New consultation" }</button>
                            }
                        </div>
                    </section>
                </aside>
            </main>
        </div>
    }
}

/// Give the photo its small picture for the angle tabs.
pub fn add_thumbnail(engine: &mut Engine) {
    match crate::platform::canvas::thumbnail_data_url(engine.preview.original(), 96) {
        Ok(url) => engine.meta.thumbnail = Some(Rc::from(url)),
        Err(e) => web_sys::console::warn_1(&e),
    }
}

/// What a newly chosen photo does to the consultation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OpenMode {
    /// It takes the current photo's place (the first photo, "Replace this photo").
    Replace,
    /// It joins as another angle ("Add an angle", a drop or a paste while a photo is open).
    Add,
}

/// What detection found, and its advice, in words.
fn detection_panel(s: &State) -> Html {
    let Some(d) = &s.detection else { return html! {} };
    let found = if d.area_found {
        "The scalp to treat is marked: correct it with Paint and Erase."
    } else {
        "No area was marked automatically: paint it yourself if you want to see dots."
    };
    html! {
        <div class="detection" id="detection" data-view={d.view.map(|v| v.label()).unwrap_or("none")}
            data-area-found={d.area_found.to_string()}>
            <p class="hint">
                if !d.summary.is_empty() { { format!("Found: {}. ", d.summary) } }
                { found }
            </p>
            if !d.advice.is_empty() {
                <div class="advice" id="advice" role="status">
                    { for d.advice.iter().map(|a| html! { <p data-advice={format!("{a:?}")}>{ a.message() }</p> }) }
                </div>
            }
        </div>
    }
}

fn hairline_designer_value(s: &State) -> HairlineDesignerValue {
    HairlineDesignerValue {
        shape: s.design.shape,
        edge: s.area.hairline.as_ref().map(smp_core::hairline_design::HairlineEdge::of),
        mfp_above_brows_mm: s.mfp_above_brows_mm(),
        symmetric: s.design.symmetric,
        guide: s.design.guide,
        face_found: s.face().is_some(),
        scale_known: s.scale_known(),
        front_tools: s.front_hairline_tools(),
    }
}

fn tool_hint(s: &State) -> Html {
    let text = match s.tool {
        Tool::Paint if s.area.is_empty() => "Paint over the scalp where the dots should go.",
        Tool::Paint => "Paint to add to the area.",
        Tool::Erase => "Paint to remove from the area.",
        Tool::Hairline => "Drag the handles to shape the hairline; click the line to add a handle, double-click a handle to remove it. Dots go on the treated side only.",
        Tool::Measure => "Drag a line between two points you know the distance of, e.g. pupil to pupil (about 63 mm).",
    };
    html! { <p class="hint" id="tool-hint">{ text }</p> }
}
