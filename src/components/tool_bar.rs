use yew::prelude::*;

use crate::state::Tool;

#[derive(Properties, PartialEq)]
pub struct ToolBarProps {
    pub value: Tool,
    pub on_change: Callback<Tool>,
    pub show_hairline: bool,
}

#[component]
pub fn ToolBar(p: &ToolBarProps) -> Html {
    let tools: &[(Tool, &str, &str, &str)] = &[
        (Tool::Paint, "paint", "Paint", "Paint the area to treat"),
        (Tool::Erase, "erase", "Erase", "Erase from the area"),
        (
            Tool::Hairline,
            "hairline",
            "Hairline",
            "Drag the handles to shape the front edge; click to add a handle, double-click one to remove it",
        ),
        (
            Tool::Measure,
            "measure",
            "Measure",
            "Drag a line over a known distance (e.g. pupil to pupil) to set the scale",
        ),
    ];
    html! {
        <div class="segmented tools" role="radiogroup" aria-label="Tool">
            { for tools.iter().filter(|t| p.show_hairline || t.0 != Tool::Hairline).map(|&(tool, key, label, title)| {
                let cb = p.on_change.clone();
                html! {
                    <button type="button" role="radio" aria-checked={(p.value == tool).to_string()}
                        class={classes!("seg", (p.value == tool).then_some("on"))} data-tool={key} title={title}
                        onclick={Callback::from(move |_| cb.emit(tool))}>{ label }</button>
                }
            }) }
        </div>
    }
}
