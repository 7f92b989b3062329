use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SliderProps {
    pub id: AttrValue,
    pub label: AttrValue,
    pub value: f32,
    pub min: f32,
    pub max: f32,
    pub step: f32,
    /// Shown after the value, e.g. "mm".
    pub unit: AttrValue,
    #[prop_or(1)]
    pub decimals: usize,
    pub on_change: Callback<f32>,
}

/// A labelled range input that reports every move (the preview coalesces redraws to frames).
#[component]
pub fn Slider(p: &SliderProps) -> Html {
    let on_input = {
        let cb = p.on_change.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(v) = input.value().parse::<f32>() {
                cb.emit(v);
            }
        })
    };
    html! {
        <label class="slider" for={p.id.clone()}>
            <span class="slider-label">{ &p.label }
                <output>{ format!("{:.*} {}", p.decimals, p.value, p.unit) }</output>
            </span>
            <input type="range" id={p.id.clone()} min={p.min.to_string()} max={p.max.to_string()}
                step={p.step.to_string()} value={p.value.to_string()} oninput={on_input} />
        </label>
    }
}
