//! The hairline designer: shape presets (juvenile / mature), the edge (sharp / soft / broken),
//! the front point's height above the brows, symmetry and the millimetre guide.

use smp_core::hairline_design::{HairlineEdge, HairlineShape, MFP_ABOVE_BROWS_MM};
use yew::prelude::*;

use crate::components::slider::Slider;
use crate::state::Action;

/// What the designer shows (derived from the state by the caller).
#[derive(Clone, Debug, PartialEq)]
pub struct HairlineDesignerValue {
    /// The last shape preset applied.
    pub shape: Option<HairlineShape>,
    /// The current line's edge (`None` without a line).
    pub edge: Option<HairlineEdge>,
    /// The current line's mid-frontal point above the brows, mm (only when a face was found).
    pub mfp_above_brows_mm: Option<f32>,
    pub symmetric: bool,
    pub guide: bool,
    pub face_found: bool,
    pub scale_known: bool,
    /// Shape presets and symmetry apply (not on side and back views: `State::front_hairline_tools`).
    pub front_tools: bool,
}

#[derive(Properties, PartialEq)]
pub struct HairlineDesignerProps {
    pub value: HairlineDesignerValue,
    pub on_change: Callback<Action>,
}

fn shape_hint(shape: HairlineShape) -> &'static str {
    match shape {
        HairlineShape::Juvenile => "Low and fairly straight across, temples filled",
        HairlineShape::Mature => "Higher, the temple corners set back: a gentle M",
    }
}

fn edge_hint(edge: HairlineEdge) -> &'static str {
    match edge {
        HairlineEdge::Sharp => "A crisp edge: the dots stop within about 1 mm",
        HairlineEdge::Soft => "A gradual ramp over about 6 mm",
        HairlineEdge::Broken => "A soft ramp broken up: uneven, with a few stray dots ahead of it",
    }
}

#[component]
pub fn HairlineDesigner(p: &HairlineDesignerProps) -> Html {
    let v = &p.value;
    let emit = |a: Action| {
        let cb = p.on_change.clone();
        Callback::from(move |_| cb.emit(a.clone()))
    };
    let on_mfp = {
        let cb = p.on_change.clone();
        Callback::from(move |mm: f32| cb.emit(Action::SetMfpAboveBrows(mm)))
    };
    let toggle = |id: &'static str, on: bool, make: fn(bool) -> Action, label: &'static str| {
        let cb = p.on_change.clone();
        html! {
            <label class="check"><input type="checkbox" id={id} checked={on}
                onchange={Callback::from(move |_: Event| cb.emit(make(!on)))} />{ label }</label>
        }
    };
    html! {
        <div class="hairline-designer" id="hairline-designer">
            if v.front_tools {
                <div class="segmented" role="radiogroup" aria-label="Hairline shape">
                    { for HairlineShape::ALL.iter().map(|&shape| html! {
                        <button type="button" role="radio" aria-checked={(v.shape == Some(shape)).to_string()}
                            class={classes!("seg", (v.shape == Some(shape)).then_some("on"))}
                            id={format!("preset-{}", shape.label().to_lowercase())} title={shape_hint(shape)}
                            onclick={emit(Action::ApplyHairlinePreset(shape))}>{ shape.label() }</button>
                    }) }
                </div>
            }
            <div class="segmented" role="radiogroup" aria-label="Hairline edge">
                { for HairlineEdge::ALL.iter().map(|&edge| html! {
                    <button type="button" role="radio" aria-checked={(v.edge == Some(edge)).to_string()}
                        class={classes!("seg", (v.edge == Some(edge)).then_some("on"))}
                        id={format!("edge-{}", edge.label().to_lowercase())} title={edge_hint(edge)}
                        onclick={emit(Action::SetHairlineEdge(edge))}>{ edge.label() }</button>
                }) }
            </div>
            if let Some(mm) = v.mfp_above_brows_mm {
                <Slider id="mfp-mm" label="Front point above the brows" value={mm}
                    min={MFP_ABOVE_BROWS_MM.0} max={MFP_ABOVE_BROWS_MM.1} step={1.0} unit="mm" decimals={0}
                    on_change={on_mfp} />
                <p class="hint">{ "Usually 80 mm; 70 is aggressive (young), 100 conservative (keeps with future loss)." }</p>
            }
            <div class="row">
                if v.front_tools {
                    { toggle("hairline-symmetric", v.symmetric, Action::SetHairlineSymmetric,
                        if v.face_found { "Symmetric about the face's mid-line" } else { "Symmetric about the line's middle" }) }
                }
                if v.face_found && v.scale_known {
                    { toggle("mm-guide-on", v.guide, Action::SetHairlineGuide, "7-10 cm guide") }
                }
            </div>
            if !v.front_tools {
                <p class="hint" id="hairline-side-view">
                    { "On a side or back view, shape the line with its handles: on a side view it runs from the \
                       forehead over the temple and down in front of the ear; on a back view it is the nape line. \
                       Shape presets and symmetry are for front views." }
                </p>
            } else if !v.face_found {
                <p class="hint" id="hairline-no-face">
                    { "No face was found in this photo, so presets keep your line's middle" }
                    { if v.scale_known { " (sized in mm from the scale)" } else { " and width" } }
                    { ". Heights in mm above the brows need a face (a front photo, eyes visible)" }
                    { if v.scale_known { "." } else { " and a known scale (Measure, below)." } }
                </p>
            }
        </div>
    }
}
