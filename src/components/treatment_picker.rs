use smp_core::Treatment;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TreatmentPickerProps {
    pub value: Treatment,
    pub on_change: Callback<Treatment>,
}

pub fn treatment_key(t: Treatment) -> &'static str {
    match t {
        Treatment::ShavedLook => "shaved",
        Treatment::Density => "density",
        Treatment::ScarCamouflage => "scar",
    }
}

fn hint(t: Treatment) -> &'static str {
    match t {
        Treatment::ShavedLook => "Dots over the whole area: a close buzz-cut look.",
        Treatment::Density => "Dots between thinning hairs so less scalp shows.",
        Treatment::ScarCamouflage => "Paint over the scar: it is toned to the skin around it, then dotted.",
    }
}

#[component]
pub fn TreatmentPicker(p: &TreatmentPickerProps) -> Html {
    html! {
        <div class="segmented" role="radiogroup" aria-label="Treatment">
            { for Treatment::ALL.iter().map(|&t| {
                let cb = p.on_change.clone();
                html! {
                    <button type="button" role="radio" aria-checked={(p.value == t).to_string()}
                        class={classes!("seg", (p.value == t).then_some("on"))}
                        data-treatment={treatment_key(t)} title={hint(t)}
                        onclick={Callback::from(move |_| cb.emit(t))}>{ t.label() }</button>
                }
            }) }
            <p class="hint">{ hint(p.value) }</p>
        </div>
    }
}
