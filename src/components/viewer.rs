//! The photo stage: the preview canvas (pure result pixels), the full-resolution detail canvas
//! over it when zoomed in, an outline canvas for the area, and an SVG overlay for the hairline
//! handles, the measuring line, the brush and the split; all in a layer that zooms and pans
//! (wheel, pinch, keyboard, middle-button / space / two-finger drag). Side by side, a second
//! pane shows the original at the same zoom and pan. A caption says the time shown.

use std::rc::Rc;

use smp_core::region::hairline_curve;
use smp_core::Point;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, File, HtmlElement, KeyboardEvent, PointerEvent, WheelEvent};
use yew::prelude::*;

use crate::platform::files::first_transferred_file;
use crate::platform::window;
use crate::state::{time_caption, Action, State, Tool};
use crate::view::{image_from_view, image_px_per_view_px, ViewBox};
use crate::zoom::{ViewZoom, ZoomAction, KEY_PAN_STEP, KEY_ZOOM_STEP};
use smp_core::hairline_design::{MidLine, GUIDE_LEVELS_MM};

#[derive(Properties, PartialEq)]
pub struct ViewerProps {
    pub state: Rc<State>,
    pub dispatch: Callback<Action>,
    pub on_file: Callback<File>,
    pub preview_ref: NodeRef,
    pub outline_ref: NodeRef,
    /// The side-by-side original (working copy) and the full-resolution canvases (filled by the
    /// painter, see `detail`).
    pub before_ref: NodeRef,
    pub detail_ref: NodeRef,
    pub before_detail_ref: NodeRef,
}

/// Pointers down on the stage that are not a stroke: touches (two make a pinch) and a pan.
#[derive(Default)]
struct Gesture {
    /// Touch pointers down: (id, client x, client y).
    touches: Vec<(i32, f64, f64)>,
    /// Two fingers came down: no stroke until all are lifted.
    pinching: bool,
    /// A pointer dragging the view (middle button, or with space held): (id, client x, y).
    pan: Option<(i32, f64, f64)>,
    /// Space is held on the stage: a drag pans.
    space: bool,
}

/// The zoom at which one full-image px spans one device px on a stage of `css_width` px.
fn measured_one_to_one(full_width: u32, css_width: f64) -> Option<f32> {
    let dpr = window().device_pixel_ratio();
    (css_width > 0.0 && dpr > 0.0).then(|| (full_width as f64 / (css_width * dpr)) as f32)
}

/// How much one wheel event zooms: a mouse notch (100 px) about 1.2x; a trackpad pinch
/// (ctrl + wheel, small deltas) faster per px.
fn wheel_factor(e: &WheelEvent) -> f32 {
    let px = match e.delta_mode() {
        1 => e.delta_y() * 16.0,
        2 => e.delta_y() * 400.0,
        _ => e.delta_y(),
    };
    let per_px = if e.ctrl_key() { 0.01 } else { 0.0018 };
    (-px * per_px).clamp(-2.0, 2.0).exp() as f32
}

#[derive(Properties, PartialEq)]
pub struct ZoomBarProps {
    pub zoom: ViewZoom,
    pub dispatch: Callback<Action>,
}

/// The zoom level ("100 %": one photo pixel per screen pixel) with -, + and Fit.
#[component]
pub fn ZoomBar(p: &ZoomBarProps) -> Html {
    let act = |a: ZoomAction| {
        let d = p.dispatch.clone();
        Callback::from(move |_: MouseEvent| d.emit(Action::Zoom(a)))
    };
    let z = p.zoom;
    html! {
        <div class="zoom-bar" role="group" aria-label="Zoom">
            <button type="button" class="button icon" id="zoom-out" aria-label="Zoom out" disabled={z.is_fit()}
                onclick={act(ZoomAction::By { factor: 1.0 / KEY_ZOOM_STEP, at: (0.5, 0.5) })}>{ "−" }</button>
            <span class="zoom-level" id="zoom-level" title="100 % = one photo pixel per screen pixel">
                { format!("{:.0} %", z.percent()) }</span>
            <button type="button" class="button icon" id="zoom-in" aria-label="Zoom in" disabled={z.zoom >= z.max_zoom()}
                onclick={act(ZoomAction::By { factor: KEY_ZOOM_STEP, at: (0.5, 0.5) })}>{ "+" }</button>
            <button type="button" class="button" id="zoom-fit" disabled={z.is_fit()} onclick={act(ZoomAction::Fit)}>{ "Fit" }</button>
            <button type="button" class="button" id="zoom-1to1" title="One photo pixel per screen pixel"
                onclick={act(ZoomAction::To { zoom: z.one_to_one, at: (0.5, 0.5) })}>{ "1:1" }</button>
        </div>
    }
}

#[component]
pub fn Viewer(p: &ViewerProps) -> Html {
    let box_ref = use_node_ref();
    let before_box_ref = use_node_ref();
    let hover = use_state(|| None::<Point>);
    let dragging_over = use_state(|| false);
    let gesture = use_mut_ref(Gesture::default);
    let pan_ready = use_state(|| false);
    let s = &p.state;

    // Measure the stage after every render and when the window changes size: the zoom of 1:1
    // depends on its width and the screen's pixel ratio.
    {
        let (box_ref, dispatch, state) = (box_ref.clone(), p.dispatch.clone(), p.state.clone());
        use_effect(move || {
            let measure = move || {
                let (Some(el), Some(photo)) = (box_ref.cast::<Element>(), state.photo.as_ref()) else { return };
                let width = el.get_bounding_client_rect().width();
                if let Some(one) = measured_one_to_one(photo.full_width, width) {
                    if (one / state.zoom.one_to_one - 1.0).abs() > 1e-3 {
                        dispatch.emit(Action::Zoom(ZoomAction::Measured { one_to_one: one }));
                    }
                }
            };
            measure();
            let on_resize = Closure::<dyn Fn()>::new(measure);
            let _ = window().add_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
            move || {
                let _ = window().remove_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
            }
        });
    }

    let on_drop = {
        let on_file = p.on_file.clone();
        let dragging_over = dragging_over.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging_over.set(false);
            if let Some(file) = first_transferred_file(e.data_transfer()) {
                on_file.emit(file);
            }
        })
    };
    let on_drag_over = {
        let dragging_over = dragging_over.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging_over.set(true);
        })
    };
    let on_drag_leave = {
        let dragging_over = dragging_over.clone();
        Callback::from(move |_| dragging_over.set(false))
    };

    let Some(photo) = s.photo.clone() else {
        return html! {
            <div class={classes!("stage", "empty", (*dragging_over).then_some("drop-target"))}
                ondrop={on_drop} ondragover={on_drag_over} ondragleave={on_drag_leave}>
                <div class="empty-hint">
                    <p class="big">{ "Bring a head photo" }</p>
                    <p>{ "Choose one, take one, drop it here or paste it (Ctrl+V)." }</p>
                    <p class="small">{ "Best: even light, the treatment area in view, taken from about 50 cm." }</p>
                </div>
            </div>
        };
    };
    let (fw, fh) = (photo.full_width, photo.full_height);
    let zoom = s.zoom;
    let side_by_side = s.compare.side_by_side;

    // Both panes take the same gestures; each maps the pointer through its own box.
    let handlers = |pane: &NodeRef| {
        let pane = pane.clone();
        let view_box = {
            let pane = pane.clone();
            move || -> Option<(HtmlElement, ViewBox)> {
                let el = pane.cast::<HtmlElement>()?;
                let r = el.get_bounding_client_rect();
                Some((el, ViewBox { left: r.left(), top: r.top(), width: r.width(), height: r.height() }))
            }
        };
        let to_image = {
            let view_box = view_box.clone();
            move |e: &PointerEvent| -> Option<(Point, f32)> {
                let (_, vb) = view_box()?;
                Some((
                    image_from_view(e.client_x() as f64, e.client_y() as f64, vb, &zoom, fw, fh),
                    image_px_per_view_px(vb, &zoom, fw),
                ))
            }
        };
        let dragging = s.drag.is_some();
        let on_down = {
            let (dispatch, gesture, view_box, to_image) =
                (p.dispatch.clone(), gesture.clone(), view_box.clone(), to_image.clone());
            Callback::from(move |e: PointerEvent| {
                let Some((el, _)) = view_box() else { return };
                // The stage takes the keyboard once used (+ / - / 0 / arrows / space).
                let options = web_sys::FocusOptions::new();
                options.set_prevent_scroll(true);
                let _ = el.focus_with_options(&options);
                let mut g = gesture.borrow_mut();
                let (id, x, y) = (e.pointer_id(), e.client_x() as f64, e.client_y() as f64);
                if e.pointer_type() == "touch" {
                    g.touches.retain(|t| t.0 != id);
                    g.touches.push((id, x, y));
                    if g.touches.len() >= 2 {
                        // A second finger: a pinch, not a stroke.
                        if !g.pinching && dragging {
                            dispatch.emit(Action::AbortDrag);
                        }
                        g.pinching = true;
                        e.prevent_default();
                        let _ = el.set_pointer_capture(id);
                        return;
                    }
                }
                if e.button() == 1 || (e.button() == 0 && g.space) {
                    g.pan = Some((id, x, y));
                    e.prevent_default();
                    let _ = el.set_pointer_capture(id);
                    return;
                }
                if e.button() != 0 || g.pinching {
                    return;
                }
                drop(g);
                e.prevent_default();
                let _ = el.set_pointer_capture(id);
                if let Some((at, px_per_view)) = to_image(&e) {
                    // Handles can be grabbed within ~14 screen px (a fingertip on a phone).
                    dispatch.emit(Action::PointerDown { at, hit_px: 14.0 * px_per_view });
                }
            })
        };
        let on_move = {
            let (dispatch, gesture, hover, view_box) = (p.dispatch.clone(), gesture.clone(), hover.clone(), view_box);
            Callback::from(move |e: PointerEvent| {
                let (id, x, y) = (e.pointer_id(), e.client_x() as f64, e.client_y() as f64);
                let mut g = gesture.borrow_mut();
                if g.pinching {
                    let Some(i) = g.touches.iter().position(|t| t.0 == id) else { return };
                    let Some((_, vb)) = view_box() else { return };
                    if g.touches.len() >= 2 {
                        let other = g.touches[1 - i.min(1)];
                        let (old, new) = ((g.touches[i].1, g.touches[i].2), (x, y));
                        let d0 = (old.0 - other.1).hypot(old.1 - other.2);
                        let d1 = (new.0 - other.1).hypot(new.1 - other.2);
                        let mid0 = vb.fractions((old.0 + other.1) / 2.0, (old.1 + other.2) / 2.0);
                        let mid1 = vb.fractions((new.0 + other.1) / 2.0, (new.1 + other.2) / 2.0);
                        if d0 > 4.0 && d1 > 0.0 {
                            dispatch.emit(Action::Zoom(ZoomAction::By { factor: (d1 / d0) as f32, at: mid0 }));
                        }
                        dispatch.emit(Action::Zoom(ZoomAction::Pan { dx: mid1.0 - mid0.0, dy: mid1.1 - mid0.1 }));
                    }
                    g.touches[i] = (id, x, y);
                    return;
                }
                if let Some((pid, px, py)) = g.pan.filter(|p| p.0 == id) {
                    if let Some((_, vb)) = view_box() {
                        let (dx, dy) = ((x - px) / vb.width, (y - py) / vb.height);
                        dispatch.emit(Action::Zoom(ZoomAction::Pan { dx: dx as f32, dy: dy as f32 }));
                    }
                    g.pan = Some((pid, x, y));
                    return;
                }
                drop(g);
                if let Some((at, _)) = to_image(&e) {
                    hover.set(Some(at));
                    if dragging {
                        dispatch.emit(Action::PointerMove(at));
                    }
                }
            })
        };
        let on_up = {
            let (dispatch, gesture) = (p.dispatch.clone(), gesture.clone());
            Callback::from(move |e: PointerEvent| {
                let id = e.pointer_id();
                let mut g = gesture.borrow_mut();
                g.touches.retain(|t| t.0 != id);
                if g.touches.is_empty() {
                    g.pinching = false;
                }
                if g.pan.is_some_and(|p| p.0 == id) {
                    g.pan = None;
                }
                drop(g);
                dispatch.emit(Action::PointerUp);
            })
        };
        let on_leave = {
            let hover = hover.clone();
            Callback::from(move |_: PointerEvent| hover.set(None))
        };
        let on_wheel = {
            let (dispatch, view_box) = (p.dispatch.clone(), view_box_fn(&pane));
            Callback::from(move |e: WheelEvent| {
                let Some(vb) = view_box() else { return };
                e.prevent_default();
                let at = vb.fractions(e.client_x() as f64, e.client_y() as f64);
                dispatch.emit(Action::Zoom(ZoomAction::By { factor: wheel_factor(&e), at }));
            })
        };
        let on_key_down = {
            let (dispatch, gesture, pan_ready) = (p.dispatch.clone(), gesture.clone(), pan_ready.clone());
            Callback::from(move |e: KeyboardEvent| {
                if e.ctrl_key() || e.meta_key() || e.alt_key() {
                    return; // the browser's own zoom, undo…
                }
                let z = match e.key().as_str() {
                    "+" | "=" => ZoomAction::By { factor: KEY_ZOOM_STEP, at: (0.5, 0.5) },
                    "-" | "_" => ZoomAction::By { factor: 1.0 / KEY_ZOOM_STEP, at: (0.5, 0.5) },
                    "0" => ZoomAction::Fit,
                    "1" => ZoomAction::To { zoom: zoom.one_to_one, at: (0.5, 0.5) },
                    "ArrowLeft" => ZoomAction::Pan { dx: KEY_PAN_STEP, dy: 0.0 },
                    "ArrowRight" => ZoomAction::Pan { dx: -KEY_PAN_STEP, dy: 0.0 },
                    "ArrowUp" => ZoomAction::Pan { dx: 0.0, dy: KEY_PAN_STEP },
                    "ArrowDown" => ZoomAction::Pan { dx: 0.0, dy: -KEY_PAN_STEP },
                    " " => {
                        e.prevent_default();
                        gesture.borrow_mut().space = true;
                        pan_ready.set(true);
                        return;
                    }
                    _ => return,
                };
                e.prevent_default();
                dispatch.emit(Action::Zoom(z));
            })
        };
        let on_key_up = {
            let (gesture, pan_ready) = (gesture.clone(), pan_ready.clone());
            Callback::from(move |e: KeyboardEvent| {
                if e.key() == " " {
                    gesture.borrow_mut().space = false;
                    pan_ready.set(false);
                }
            })
        };
        let on_blur = {
            let (gesture, pan_ready) = (gesture.clone(), pan_ready.clone());
            Callback::from(move |_: FocusEvent| {
                gesture.borrow_mut().space = false;
                pan_ready.set(false);
            })
        };
        (on_down, on_move, on_up, on_leave, on_wheel, on_key_down, on_key_up, on_blur)
    };
    // The middle button pans the photo, not the page (the browser's autoscroll).
    let no_autoscroll = Callback::from(|e: MouseEvent| {
        if e.button() == 1 {
            e.prevent_default();
        }
    });

    let handle_r = fw.max(fh) as f32 / 90.0 / zoom.zoom;
    let hairline_visible = s.params.treatment.uses_hairline() && s.area.hairline.is_some();
    let hairline_svg = s.area.hairline.as_ref().filter(|_| hairline_visible).map(|h| {
        let curve = hairline_curve(&h.points, 16);
        let d: String = curve
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{}{:.1},{:.1}", if i == 0 { "M" } else { " L" }, p.x, p.y))
            .collect();
        let editing = s.tool == Tool::Hairline;
        html! {
            <g class={classes!("hairline", editing.then_some("editing"))}>
                <path d={d.clone()} class="hairline-shadow" />
                <path d={d} class="hairline-path" />
                if editing {
                    { for h.points.iter().enumerate().map(|(i, pt)| {
                        let dispatch = p.dispatch.clone();
                        html! {
                            <circle class="handle" cx={pt.x.to_string()} cy={pt.y.to_string()} r={handle_r.to_string()}
                                data-handle={i.to_string()}
                                ondblclick={Callback::from(move |_| dispatch.emit(Action::RemoveHandle(i)))} />
                        }
                    }) }
                }
            </g>
        }
    });
    let editing_hairline = s.tool == Tool::Hairline && s.params.treatment.uses_hairline();
    let guide_svg = editing_hairline.then(|| mm_guide(s, handle_r)).flatten();
    let axis_svg = (editing_hairline && s.design.symmetric).then(|| s.hairline_axis()).flatten().map(|axis| {
        let far = (fw + fh) as f32;
        let (a, b) = (axis.at(0.0, -far), axis.at(0.0, far));
        html! {
            <line class="sym-axis" x1={a.x.to_string()} y1={a.y.to_string()} x2={b.x.to_string()} y2={b.y.to_string()} />
        }
    });
    let measure_svg = s.measure.filter(|_| s.tool == Tool::Measure).map(|(a, b)| {
        html! {
            <g class="measure">
                <line x1={a.x.to_string()} y1={a.y.to_string()} x2={b.x.to_string()} y2={b.y.to_string()} />
                <circle cx={a.x.to_string()} cy={a.y.to_string()} r={(handle_r * 0.5).to_string()} />
                <circle cx={b.x.to_string()} cy={b.y.to_string()} r={(handle_r * 0.5).to_string()} />
            </g>
        }
    });
    let brush_svg = (*hover).filter(|_| matches!(s.tool, Tool::Paint | Tool::Erase)).map(|at| {
        html! {
            <circle class={classes!("brush", (s.tool == Tool::Erase).then_some("erase"))}
                cx={at.x.to_string()} cy={at.y.to_string()} r={s.brush_radius_px().to_string()} />
        }
    });
    let split_svg = (s.compare.split_on && !s.compare.holding_original && !side_by_side).then(|| {
        let x = s.compare.split * fw as f32;
        html! {
            <g class="split">
                <line x1={x.to_string()} y1="0" x2={x.to_string()} y2={fh.to_string()} />
                <text x={(x - handle_r).to_string()} y={(handle_r * 2.0).to_string()} text-anchor="end">{ "Before" }</text>
                <text x={(x + handle_r).to_string()} y={(handle_r * 2.0).to_string()}>{ "After" }</text>
            </g>
        }
    });

    let ratio = fw as f32 / fh as f32;
    let aspect = if side_by_side {
        format!("aspect-ratio: {fw} / {fh}; width: min(calc(50% - 3px), calc(var(--stage-max-h) * {ratio:.5}));")
    } else {
        format!("aspect-ratio: {fw} / {fh}; width: min(100%, calc(var(--stage-max-h) * {ratio:.5}));")
    };
    let layer = zoom.layer_transform(fw, fh);
    let pan_class = (*pan_ready).then_some("pan-ready");
    let caption = time_caption(&s.params.time);
    let (down, mv, up, leave, wheel, key_down, key_up, blur) = handlers(&box_ref);
    let after_pane = html! {
        <div class={classes!("photo-box", pan_class)} id="photo-box" ref={box_ref.clone()} style={aspect.clone()}
            tabindex="0" aria-label="Photo: wheel, + and - zoom, 0 fits, arrows pan, space + drag pans"
            data-zoom={format!("{:.4}", zoom.zoom)} data-percent={format!("{:.1}", zoom.percent())}
            data-centre={format!("{:.2} {:.2}", zoom.centre.x, zoom.centre.y)}
            onpointerdown={down} onpointermove={mv} onpointerup={up.clone()} onpointercancel={up}
            onpointerleave={leave} onwheel={wheel} onkeydown={key_down} onkeyup={key_up} onblur={blur}
            onmousedown={no_autoscroll.clone()}>
            <div class="zoom-layer" style={layer.clone()}>
                <canvas id="preview-canvas" ref={p.preview_ref.clone()} width={photo.work_width.to_string()}
                    height={photo.work_height.to_string()} data-photo-id={photo.id.to_string()}
                    data-full-width={fw.to_string()} data-full-height={fh.to_string()}
                    data-px-per-mm={s.params.px_per_mm.to_string()}
                    aria-label="Preview of the treatment" />
                <canvas id="detail-canvas" ref={p.detail_ref.clone()} class="detail" aria-hidden="true" />
                <canvas id="outline-canvas" ref={p.outline_ref.clone()} class="overlay" aria-hidden="true" />
                <svg class={classes!("overlay", "interact", format!("tool-{:?}", s.tool).to_lowercase())}
                    viewBox={format!("0 0 {fw} {fh}")} preserveAspectRatio="none">
                    { for guide_svg }
                    { for axis_svg }
                    { for hairline_svg }
                    { for measure_svg }
                    { for brush_svg }
                    { for split_svg }
                </svg>
            </div>
            if side_by_side { <span class="pane-label">{ "After" }</span> }
            <span class="caption" id="time-caption">{ caption }</span>
        </div>
    };
    let before_pane = side_by_side.then(|| {
        let (down, mv, up, leave, wheel, key_down, key_up, blur) = handlers(&before_box_ref);
        html! {
            <div class={classes!("photo-box", "before-pane", pan_class)} id="before-box" ref={before_box_ref.clone()}
                style={aspect.clone()} tabindex="0" aria-label="The original photo"
                onpointerdown={down} onpointermove={mv} onpointerup={up.clone()} onpointercancel={up}
                onpointerleave={leave} onwheel={wheel} onkeydown={key_down} onkeyup={key_up} onblur={blur}
                onmousedown={no_autoscroll}>
                <div class="zoom-layer" style={layer.clone()}>
                    <canvas id="before-canvas" ref={p.before_ref.clone()} width={photo.work_width.to_string()}
                        height={photo.work_height.to_string()} aria-label="The original photo" />
                    <canvas id="before-detail-canvas" ref={p.before_detail_ref.clone()} class="detail" aria-hidden="true" />
                </div>
                <span class="pane-label">{ "Before" }</span>
            </div>
        }
    });
    html! {
        <div class={classes!("stage", (*dragging_over).then_some("drop-target"), side_by_side.then_some("side-by-side"))}
            ondrop={on_drop} ondragover={on_drag_over} ondragleave={on_drag_leave}>
            { for before_pane }
            { after_pane }
        </div>
    }
}

/// The millimetre guide: the 70 / 80 / 100 mm levels above the brows along the face's mid-line
/// (a light band from 7 to 10 cm, labelled), when the face and the scale are known.
fn mm_guide(s: &State, handle_r: f32) -> Option<Html> {
    if !(s.design.guide && s.scale_known()) {
        return None;
    }
    let face = s.face()?;
    let axis = face.mid_line()?;
    let ppm = s.params.px_per_mm;
    if !(ppm.is_finite() && ppm > 0.0) {
        return None;
    }
    // Wider than a hairline (its temple points are ~70 mm out), so the labels stay clear of it.
    let half_width = 80.0 * ppm;
    let (lo, hi) = (GUIDE_LEVELS_MM[0] * ppm, GUIDE_LEVELS_MM[2] * ppm);
    let band: String = [(-half_width, lo), (half_width, lo), (half_width, hi), (-half_width, hi)]
        .iter()
        .map(|&(l, h)| {
            let p = axis.at(l, h);
            format!("{:.1},{:.1}", p.x, p.y)
        })
        .collect::<Vec<_>>()
        .join(" ");
    let top = axis.at(0.0, (GUIDE_LEVELS_MM[2] + 10.0) * ppm);
    let brow = face.brow_mid;
    let font = handle_r * 2.0;
    let photo_size = s.photo.as_ref().map(|p| (p.full_width as f32, p.full_height as f32));
    Some(html! {
        <g class="mm-guide" id="mm-guide" data-brow-x={brow.x.to_string()} data-brow-y={brow.y.to_string()}
            data-up-x={axis.up.x.to_string()} data-up-y={axis.up.y.to_string()} data-px-per-mm={ppm.to_string()}>
            <polygon class="guide-band" points={band} />
            <line class="guide-mid" x1={brow.x.to_string()} y1={brow.y.to_string()} x2={top.x.to_string()} y2={top.y.to_string()} />
            { for GUIDE_LEVELS_MM.iter().map(|&mm| {
                let (a, b) = (axis.at(-half_width, mm * ppm), axis.at(half_width, mm * ppm));
                let label = guide_label_place(&axis, half_width, mm * ppm, font, photo_size);
                html! {
                    <g class={classes!("guide-level", (mm == GUIDE_LEVELS_MM[1]).then_some("usual"))}>
                        <line data-guide-mm={mm.to_string()} x1={a.x.to_string()} y1={a.y.to_string()}
                            x2={b.x.to_string()} y2={b.y.to_string()} />
                        <text x={label.at.x.to_string()} y={(label.at.y + 0.35 * font).to_string()}
                            text-anchor={label.anchor} data-guide-label={mm.to_string()}
                            font-size={font.to_string()}>{ format!("{:.0} cm", mm / 10.0) }</text>
                    </g>
                }
            }) }
            <line class="guide-brows" x1={axis.at(-20.0 * ppm, 0.0).x.to_string()} y1={axis.at(-20.0 * ppm, 0.0).y.to_string()}
                x2={axis.at(20.0 * ppm, 0.0).x.to_string()} y2={axis.at(20.0 * ppm, 0.0).y.to_string()} />
        </g>
    })
}

/// Where a guide level's label goes (full-image px) and how it is anchored.
#[derive(Clone, Copy)]
struct GuideLabel {
    at: Point,
    anchor: &'static str,
}

impl GuideLabel {
    /// The label's left and right x (full-image px) at this font size: "10 cm" is about 2.7 ems
    /// wide in the page's font.
    fn span(&self, font_px: f32) -> (f32, f32) {
        let text_w = 2.8 * font_px;
        if self.anchor == "end" {
            (self.at.x - text_w, self.at.x)
        } else {
            (self.at.x, self.at.x + text_w)
        }
    }
}

/// A guide level's label inside the photo: beyond the band's right end, else beyond its left
/// end, else just inside the band's right end, else wherever it is pulled into the photo. A
/// front photo often shows the head to its edges, where a label beyond the band would be cut.
fn guide_label_place(
    axis: &MidLine,
    half_width_px: f32,
    height_px: f32,
    font_px: f32,
    photo_size: Option<(f32, f32)>,
) -> GuideLabel {
    let gap = 0.6 * font_px;
    let candidates = [
        GuideLabel { at: axis.at(half_width_px + gap, height_px), anchor: "start" },
        GuideLabel { at: axis.at(-half_width_px - gap, height_px), anchor: "end" },
        GuideLabel { at: axis.at(half_width_px - gap, height_px - 0.7 * font_px), anchor: "end" },
    ];
    let Some((width, height)) = photo_size else { return candidates[0] };
    let inside = |l: &&GuideLabel| {
        let (x0, x1) = l.span(font_px);
        x0 >= 0.0 && x1 <= width && l.at.y >= font_px && l.at.y + 0.5 * font_px <= height
    };
    if let Some(&fits) = candidates.iter().find(inside) {
        return fits;
    }
    // None fits: the last, pulled into the photo (anchored at its end, the text runs left).
    let last = candidates[2];
    let (x0, x1) = last.span(font_px);
    let text_w = x1 - x0;
    let x = last.at.x.clamp(text_w.min(width), width);
    let y = last.at.y.clamp(font_px.min(height), (height - 0.5 * font_px).max(0.0));
    GuideLabel { at: Point::new(x, y), anchor: last.anchor }
}

fn view_box_fn(pane: &NodeRef) -> impl Fn() -> Option<ViewBox> {
    let pane = pane.clone();
    move || {
        let el = pane.cast::<Element>()?;
        let r = el.get_bounding_client_rect();
        Some(ViewBox { left: r.left(), top: r.top(), width: r.width(), height: r.height() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guide_labels_stay_inside_the_photo() {
        let font = 20.0;
        // Brows in the middle of a 1000 px wide photo; the band reaches 400 px each side.
        let axis = MidLine::vertical(500.0);
        let axis = MidLine { origin: Point::new(500.0, 700.0), ..axis };
        // Room on the right of the band (a wide photo): beyond its right end.
        let wide = guide_label_place(&axis, 300.0, 320.0, font, Some((1000.0, 1000.0)));
        assert_eq!(wide.anchor, "start");
        assert!(wide.at.x > 800.0);
        // The band reaches the photo's edges: the label goes inside its right end.
        for (half, size) in [(480.0, (1000.0, 1000.0)), (600.0, (1000.0, 1000.0)), (400.0, (900.0, 1000.0))] {
            let l = guide_label_place(&axis, half, 320.0, font, Some(size));
            let (x0, x1) = l.span(font);
            assert!(x0 >= 0.0 && x1 <= size.0, "{half} {size:?}: {x0}..{x1}");
            assert!((font..=size.1).contains(&l.at.y), "{half} {size:?}: y {}", l.at.y);
        }
        // The head sits at the photo's right edge: beyond the band's left end.
        let right = MidLine { origin: Point::new(800.0, 700.0), ..axis };
        let l = guide_label_place(&right, 250.0, 320.0, font, Some((1000.0, 1000.0)));
        assert_eq!(l.anchor, "end");
        assert!(l.span(font).0 >= 0.0 && l.at.x < 550.0);
        // A level above the photo's top is pulled into it.
        let l = guide_label_place(&axis, 600.0, 900.0, font, Some((1000.0, 1000.0)));
        assert!(l.at.y >= font);
    }
}
