//! The photo stage: the preview canvas (pure result pixels), an outline canvas for the area,
//! and an SVG overlay for the hairline handles, the measuring line, the brush and the split.

use std::rc::Rc;

use smp_core::region::hairline_curve;
use smp_core::Point;
use web_sys::{Element, File, PointerEvent};
use yew::prelude::*;

use crate::platform::files::first_transferred_file;
use crate::state::{Action, State, Tool};
use crate::view::{image_from_view, image_px_per_view_px, ViewBox};
use smp_core::hairline_design::GUIDE_LEVELS_MM;

#[derive(Properties, PartialEq)]
pub struct ViewerProps {
    pub state: Rc<State>,
    pub dispatch: Callback<Action>,
    pub on_file: Callback<File>,
    pub preview_ref: NodeRef,
    pub outline_ref: NodeRef,
}

fn view_box(el: &Element) -> ViewBox {
    let r = el.get_bounding_client_rect();
    ViewBox { left: r.left(), top: r.top(), width: r.width(), height: r.height() }
}

#[component]
pub fn Viewer(p: &ViewerProps) -> Html {
    let svg_ref = use_node_ref();
    let hover = use_state(|| None::<Point>);
    let dragging_over = use_state(|| false);
    let s = &p.state;

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

    let to_image = {
        let svg_ref = svg_ref.clone();
        move |e: &PointerEvent| -> Option<(Point, f32)> {
            let el = svg_ref.cast::<Element>()?;
            let vb = view_box(&el);
            Some((image_from_view(e.client_x() as f64, e.client_y() as f64, vb, fw, fh), image_px_per_view_px(vb, fw)))
        }
    };
    let on_down = {
        let dispatch = p.dispatch.clone();
        let to_image = to_image.clone();
        Callback::from(move |e: PointerEvent| {
            if e.button() != 0 {
                return;
            }
            e.prevent_default();
            if let Some(el) = e.target_dyn_into::<Element>() {
                let _ = el.set_pointer_capture(e.pointer_id());
            }
            if let Some((at, px_per_view)) = to_image(&e) {
                // Handles can be grabbed within ~14 screen px (a fingertip on a phone).
                dispatch.emit(Action::PointerDown { at, hit_px: 14.0 * px_per_view });
            }
        })
    };
    let on_move = {
        let dispatch = p.dispatch.clone();
        let hover = hover.clone();
        let dragging = s.drag.is_some();
        let to_image = to_image.clone();
        Callback::from(move |e: PointerEvent| {
            if let Some((at, _)) = to_image(&e) {
                hover.set(Some(at));
                if dragging {
                    // Coalesced events carry the points a fast stroke passed through.
                    dispatch.emit(Action::PointerMove(at));
                }
            }
        })
    };
    let on_up = {
        let dispatch = p.dispatch.clone();
        Callback::from(move |_: PointerEvent| dispatch.emit(Action::PointerUp))
    };
    let on_leave = {
        let hover = hover.clone();
        Callback::from(move |_: PointerEvent| hover.set(None))
    };

    let handle_r = fw.max(fh) as f32 / 90.0;
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
    let split_svg = (s.compare.split_on && !s.compare.holding_original).then(|| {
        let x = s.compare.split * fw as f32;
        html! {
            <g class="split">
                <line x1={x.to_string()} y1="0" x2={x.to_string()} y2={fh.to_string()} />
                <text x={(x - handle_r).to_string()} y={(handle_r * 2.0).to_string()} text-anchor="end">{ "Before" }</text>
                <text x={(x + handle_r).to_string()} y={(handle_r * 2.0).to_string()}>{ "After" }</text>
            </g>
        }
    });

    let aspect = format!(
        "aspect-ratio: {fw} / {fh}; width: min(100%, calc(var(--stage-max-h) * {:.5}));",
        fw as f32 / fh as f32
    );
    html! {
        <div class={classes!("stage", (*dragging_over).then_some("drop-target"))}
            ondrop={on_drop} ondragover={on_drag_over} ondragleave={on_drag_leave}>
            <div class="photo-box" style={aspect}>
                <canvas id="preview-canvas" ref={p.preview_ref.clone()} width={photo.work_width.to_string()}
                    height={photo.work_height.to_string()} data-photo-id={photo.id.to_string()}
                    data-full-width={fw.to_string()} data-full-height={fh.to_string()}
                    data-px-per-mm={s.params.px_per_mm.to_string()}
                    aria-label="Preview of the treatment" />
                <canvas id="outline-canvas" ref={p.outline_ref.clone()} class="overlay" aria-hidden="true" />
                <svg ref={svg_ref} class={classes!("overlay", "interact", format!("tool-{:?}", s.tool).to_lowercase())}
                    viewBox={format!("0 0 {fw} {fh}")} preserveAspectRatio="none"
                    onpointerdown={on_down} onpointermove={on_move} onpointerup={on_up.clone()}
                    onpointercancel={on_up} onpointerleave={on_leave}>
                    { for guide_svg }
                    { for axis_svg }
                    { for hairline_svg }
                    { for measure_svg }
                    { for brush_svg }
                    { for split_svg }
                </svg>
            </div>
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
    Some(html! {
        <g class="mm-guide" id="mm-guide" data-brow-x={brow.x.to_string()} data-brow-y={brow.y.to_string()}
            data-up-x={axis.up.x.to_string()} data-up-y={axis.up.y.to_string()} data-px-per-mm={ppm.to_string()}>
            <polygon class="guide-band" points={band} />
            <line class="guide-mid" x1={brow.x.to_string()} y1={brow.y.to_string()} x2={top.x.to_string()} y2={top.y.to_string()} />
            { for GUIDE_LEVELS_MM.iter().map(|&mm| {
                let (a, b) = (axis.at(-half_width, mm * ppm), axis.at(half_width, mm * ppm));
                let label = axis.at(half_width + 0.6 * font, mm * ppm);
                html! {
                    <g class={classes!("guide-level", (mm == GUIDE_LEVELS_MM[1]).then_some("usual"))}>
                        <line data-guide-mm={mm.to_string()} x1={a.x.to_string()} y1={a.y.to_string()}
                            x2={b.x.to_string()} y2={b.y.to_string()} />
                        <text x={label.x.to_string()} y={(label.y + 0.35 * font).to_string()}
                            font-size={font.to_string()}>{ format!("{:.0} cm", mm / 10.0) }</text>
                    </g>
                }
            }) }
            <line class="guide-brows" x1={axis.at(-20.0 * ppm, 0.0).x.to_string()} y1={axis.at(-20.0 * ppm, 0.0).y.to_string()}
                x2={axis.at(20.0 * ppm, 0.0).x.to_string()} y2={axis.at(20.0 * ppm, 0.0).y.to_string()} />
        </g>
    })
}
