//! The export panel: what to export (one angle, a before/after pair, a sequence over time, a
//! contact sheet of every angle, or every angle as its own file), PNG or JPEG (and its
//! quality), an optional clinic name and the date printed on it.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::slider::Slider;
use crate::export::{ExportFormat, ExportKind, ExportOptions, CLINIC_MAX_CHARS, JPEG_QUALITY};

#[derive(Properties, PartialEq)]
pub struct ExportPanelProps {
    pub value: ExportOptions,
    pub on_change: Callback<ExportOptions>,
}

#[component]
pub fn ExportPanel(p: &ExportPanelProps) -> Html {
    // A change of one field: the whole options, that field replaced.
    let set = |f: fn(&mut ExportOptions)| {
        let (value, cb) = (p.value.clone(), p.on_change.clone());
        Callback::from(move |_| {
            let mut v = value.clone();
            f(&mut v);
            cb.emit(v);
        })
    };
    let kind_button = |kind: ExportKind| {
        let (value, cb) = (p.value.clone(), p.on_change.clone());
        let on = p.value.kind == kind;
        html! {
            <button type="button" role="radio" aria-checked={on.to_string()} id={format!("export-{}", kind.key())}
                class={classes!("seg", on.then_some("on"))} title={kind.hint()}
                onclick={Callback::from(move |_| cb.emit(ExportOptions { kind, ..value.clone() }))}>{ kind.label() }</button>
        }
    };
    let format_button = |format: ExportFormat, id: &'static str, label: &'static str| {
        let (value, cb) = (p.value.clone(), p.on_change.clone());
        let on = p.value.format == format;
        html! {
            <button type="button" role="radio" aria-checked={on.to_string()} {id}
                class={classes!("seg", on.then_some("on"))}
                onclick={Callback::from(move |_| cb.emit(ExportOptions { format, ..value.clone() }))}>{ label }</button>
        }
    };
    let on_quality = {
        let (value, cb) = (p.value.clone(), p.on_change.clone());
        Callback::from(move |percent: f32| cb.emit(ExportOptions { jpeg_quality: percent / 100.0, ..value.clone() }))
    };
    let on_clinic = {
        let (value, cb) = (p.value.clone(), p.on_change.clone());
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            cb.emit(ExportOptions { clinic: input.value(), ..value.clone() })
        })
    };
    html! {
        <div class="export-panel">
            <div class="segmented" role="radiogroup" aria-label="What to export">
                { for ExportKind::ALL.into_iter().map(kind_button) }
                <p class="hint" id="export-hint">{ p.value.kind.hint() }</p>
            </div>
            <div class="segmented" role="radiogroup" aria-label="File format">
                { format_button(ExportFormat::Png, "export-png", "PNG") }
                { format_button(ExportFormat::Jpeg, "export-jpeg", "JPEG") }
            </div>
            if p.value.format == ExportFormat::Jpeg {
                <Slider id="jpeg-quality" label="JPEG quality" value={(p.value.jpeg_quality * 100.0).round()}
                    min={JPEG_QUALITY.0 * 100.0} max={JPEG_QUALITY.1 * 100.0} step={1.0} unit="%" decimals={0}
                    on_change={on_quality} />
            }
            <label class="text-field">{ "Clinic name (optional)" }
                <input type="text" id="export-clinic" maxlength={CLINIC_MAX_CHARS.to_string()} autocomplete="organization"
                    value={p.value.clinic.clone()} oninput={on_clinic} />
            </label>
            <label class="check"><input type="checkbox" id="export-date" checked={p.value.include_date}
                onchange={set(|v| v.include_date = !v.include_date)} />{ "Print today's date" }</label>
        </div>
    }
}
