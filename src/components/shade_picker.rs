use smp_core::color::linear_to_srgb;
use smp_core::{Shade, SHADE_PRESETS};
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ShadePickerProps {
    pub value: Shade,
    pub on_change: Callback<Shade>,
}

/// CSS colour of a dot of this shade on mid skin, for the swatch.
fn swatch_css(shade: Shade) -> String {
    let skin = [0.55f32, 0.40, 0.33];
    let a = shade.absorption_rgb();
    let c: Vec<u8> = (0..3).map(|i| (linear_to_srgb(skin[i] * (1.0 - a[i])) * 255.0).round() as u8).collect();
    format!("rgb({}, {}, {})", c[0], c[1], c[2])
}

/// The named ash dilutions, darkest to lightest, plus a custom dilution.
#[component]
pub fn ShadePicker(p: &ShadePickerProps) -> Html {
    let custom = p.value.preset_name().is_none();
    let on_custom = {
        let cb = p.on_change.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(v) = input.value().parse::<f32>() {
                cb.emit(Shade::new(v / 100.0));
            }
        })
    };
    html! {
        <div class="shades">
            <div class="swatches" role="radiogroup" aria-label="Pigment shade">
                { for SHADE_PRESETS.iter().enumerate().map(|(i, preset)| {
                    let cb = p.on_change.clone();
                    let shade = preset.shade;
                    let on = p.value == shade;
                    html! {
                        <button type="button" role="radio" aria-checked={on.to_string()}
                            class={classes!("swatch", on.then_some("on"))} data-shade={i.to_string()}
                            title={preset.name} onclick={Callback::from(move |_| cb.emit(shade))}>
                            <span class="chip" style={format!("background:{}", swatch_css(shade))}></span>
                            <span class="name">{ preset.name }</span>
                        </button>
                    }
                }) }
            </div>
            <label class="slider" for="shade-custom">
                <span class="slider-label">{ if custom { "Custom dilution" } else { "Dilution" } }
                    <output>{ format!("{:.0} %", p.value.strength * 100.0) }</output></span>
                <input type="range" id="shade-custom" min={(Shade::MIN_STRENGTH * 100.0).to_string()}
                    max={(Shade::MAX_STRENGTH * 100.0).to_string()} step="1"
                    value={(p.value.strength * 100.0).round().to_string()} oninput={on_custom} />
            </label>
        </div>
    }
}
