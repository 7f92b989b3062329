//! SMP Try-On: a scalp micropigmentation previewer that runs entirely in the browser.
//! The binary (`main.rs`) only starts [`app::App`] on the page, or [`platform::in_worker`] in
//! the Web Worker; everything is here so tests can reach it.

pub mod app;
pub mod components;
pub mod engine;
pub mod platform;
pub mod protocol;
pub mod state;
pub mod view;

/// Mount the app on the page's body (main thread only).
pub fn start() {
    platform::fatal::install_panic_hook();
    yew::Renderer::<app::App>::new().render();
}

/// Whether this instance runs on the page (not in a worker).
pub fn on_page() -> bool {
    web_sys::window().is_some()
}
