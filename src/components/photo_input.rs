use web_sys::{File, HtmlInputElement};
use yew::prelude::*;

use crate::platform::files::first_file;

#[derive(Properties, PartialEq)]
pub struct PhotoInputProps {
    /// A photo for the current angle (the first photo, or a replacement).
    pub on_file: Callback<File>,
    /// A photo for another angle of the same consultation.
    pub on_add: Callback<File>,
    pub has_photo: bool,
    /// Another angle can still be added.
    pub can_add: bool,
}

fn file_input_change(cb: Callback<File>) -> Callback<Event> {
    Callback::from(move |e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        if let Some(file) = first_file(input.files()) {
            cb.emit(file);
        }
        // Let the same file be chosen again later.
        input.set_value("");
    })
}

/// "Choose photo" (files), "Take photo" (the phone's camera, via `capture`) and, once a photo is
/// open, "Add an angle" (another photo of the same head: top, side, back).
#[component]
pub fn PhotoInput(p: &PhotoInputProps) -> Html {
    let on_change = file_input_change(p.on_file.clone());
    let on_add = file_input_change(p.on_add.clone());
    html! {
        <div class="photo-input">
            <label class="button primary" for="photo-input">
                { if p.has_photo { "Replace this photo" } else { "Choose a photo" } }
            </label>
            <input id="photo-input" class="visually-hidden" type="file"
                accept="image/jpeg,image/png,image/webp,image/*" onchange={on_change.clone()} />
            <label class="button" for="camera-input">{ "Take a photo" }</label>
            <input id="camera-input" class="visually-hidden" type="file" accept="image/*"
                capture="environment" onchange={on_change} />
            if p.has_photo {
                <label class={classes!("button", (!p.can_add).then_some("disabled"))} for="add-angle-input"
                    title="Another photo of the same head (top, side, back): it shares the shade, density and dots">
                    { "Add an angle" }</label>
                <input id="add-angle-input" class="visually-hidden" type="file" disabled={!p.can_add}
                    accept="image/jpeg,image/png,image/webp,image/*" onchange={on_add} />
            }
        </div>
    }
}
