//! SMP Try-On: a scalp micropigmentation previewer that runs entirely in the browser.
//! The binary (`main.rs`) only starts [`app::App`]; everything is here so tests can reach it.

pub mod app;
pub mod components;
pub mod engine;
pub mod platform;
pub mod state;
pub mod view;

/// Mount the app on the page's body.
pub fn start() {
    console_error_panic_hook::set_once();
    yew::Renderer::<app::App>::new().render();
}
