//! The consultation's photos (angles) as tabs: select one, name its view, remove it.

use smp_core::detect::View;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// One tab: the photo's id, its file name and what the user calls it.
#[derive(Clone, Debug, PartialEq)]
pub struct AngleTab {
    pub id: u64,
    pub name: String,
    pub view: Option<View>,
    /// A small picture of the photo (`data:` URL).
    pub thumbnail: Option<std::rc::Rc<str>>,
}

#[derive(Properties, PartialEq)]
pub struct AngleTabsProps {
    pub value: Vec<AngleTab>,
    /// The current photo's id.
    pub current: Option<u64>,
    pub on_select: Callback<u64>,
    pub on_remove: Callback<u64>,
    /// The current angle's view was named.
    pub on_change: Callback<Option<View>>,
}

const VIEWS: [View; 4] = [View::Front, View::Top, View::Side, View::Back];

pub fn view_title(view: Option<View>) -> &'static str {
    match view {
        Some(View::Front) => "Front",
        Some(View::Top) => "Top",
        Some(View::Side) => "Side",
        Some(View::Back) => "Back",
        None => "Photo",
    }
}

#[component]
pub fn AngleTabs(p: &AngleTabsProps) -> Html {
    if p.value.is_empty() {
        return html! {};
    }
    let current = p.value.iter().find(|t| Some(t.id) == p.current);
    html! {
        <div class="angles" id="angles">
            <div class="angle-tabs" role="tablist" aria-label="Photos of this consultation">
                { for p.value.iter().enumerate().map(|(i, t)| {
                    let on = Some(t.id) == p.current;
                    let select = { let cb = p.on_select.clone(); let id = t.id; Callback::from(move |_| cb.emit(id)) };
                    html! {
                        <button type="button" role="tab" aria-selected={on.to_string()} title={t.name.clone()}
                            class={classes!("angle-tab", on.then_some("on"))} data-photo-id={t.id.to_string()}
                            onclick={select}>
                            if let Some(src) = &t.thumbnail { <img src={src.to_string()} alt="" /> }
                            <span>{ format!("{}. {}", i + 1, view_title(t.view)) }</span>
                        </button>
                    }
                }) }
            </div>
            if let Some(t) = current {
                <div class="angle-tools">
                    <label>{ "This photo shows the " }
                        <select id="angle-view" aria-label="Which view this photo shows" onchange={{
                            let cb = p.on_change.clone();
                            Callback::from(move |e: Event| {
                                let select: HtmlSelectElement = e.target_unchecked_into();
                                let view = VIEWS.iter().copied().find(|v| v.label() == select.value());
                                cb.emit(view);
                            })
                        }}>
                            <option value="" selected={t.view.is_none()}>{ "(not set)" }</option>
                            { for VIEWS.iter().map(|v| html! {
                                <option value={v.label()} selected={t.view == Some(*v)}>{ view_title(Some(*v)) }</option>
                            }) }
                        </select>
                    </label>
                    if p.value.len() > 1 {
                        <button type="button" class="link" id="remove-angle" onclick={{
                            let cb = p.on_remove.clone();
                            let id = t.id;
                            Callback::from(move |_| cb.emit(id))
                        }}>{ "Remove this photo" }</button>
                    }
                </div>
            }
        </div>
    }
}
