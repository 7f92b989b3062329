use web_sys::{File, HtmlInputElement};
use yew::prelude::*;

use crate::platform::files::first_file;

#[derive(Properties, PartialEq)]
pub struct PhotoInputProps {
    pub on_file: Callback<File>,
    pub has_photo: bool,
}

/// "Choose photo" (files) and "Take photo" (the phone's camera, via `capture`).
#[component]
pub fn PhotoInput(p: &PhotoInputProps) -> Html {
    let on_change = {
        let cb = p.on_file.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = first_file(input.files()) {
                cb.emit(file);
            }
            // Let the same file be chosen again later.
            input.set_value("");
        })
    };
    html! {
        <div class="photo-input">
            <label class="button primary" for="photo-input">
                { if p.has_photo { "Choose another photo" } else { "Choose a photo" } }
            </label>
            <input id="photo-input" class="visually-hidden" type="file"
                accept="image/jpeg,image/png,image/webp,image/*" onchange={on_change.clone()} />
            <label class="button" for="camera-input">{ "Take a photo" }</label>
            <input id="camera-input" class="visually-hidden" type="file" accept="image/*"
                capture="environment" onchange={on_change} />
        </div>
    }
}
