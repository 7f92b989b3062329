//! Small components; each takes `{ value, on_change }` (or only callbacks) and owns no app state.

pub mod angle_tabs;
pub mod export_panel;
pub mod hairline_designer;
pub mod photo_input;
pub mod shade_picker;
pub mod slider;
pub mod tool_bar;
pub mod treatment_picker;
pub mod viewer;
