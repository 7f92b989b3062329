//! SMP Try-On: a scalp micropigmentation previewer that runs entirely in the browser.
//! The binary (`main.rs`) only starts [`app::App`] on the page, or [`platform::in_worker`] in
//! the Web Worker; everything is here so tests can reach it.

pub mod app;
pub mod components;
pub mod consultation;
pub mod detail;
pub mod engine;
pub mod export;
pub mod exporter;
pub mod hairline_tools;
pub mod persist;
pub mod platform;
pub mod protocol;
pub mod saving;
pub mod state;
#[cfg(test)]
mod test_support;
pub mod view;
pub mod zoom;

/// Mount the app in the page's `#app` (main thread only). The rest of the body, e.g. the
/// `#fatal` banner, is left alone.
pub fn start() {
    platform::fatal::install_panic_hook();
    let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => yew::Renderer::<app::App>::with_root(root).render(),
        None => yew::Renderer::<app::App>::new().render(),
    };
}

/// Whether this instance runs on the page (not in a worker).
pub fn on_page() -> bool {
    web_sys::window().is_some()
}
