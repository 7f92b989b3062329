//! No panic reaches the user as a blank or frozen page: the panic hook shows the page's
//! pre-existing `#fatal` banner (in index.html, so it needs nothing from the wasm instance,
//! which is dead after the abort that follows a panic). The loader (`web/boot.js`) shows the
//! same banner for any other trap of the instance (e.g. out of memory).

use wasm_bindgen::JsCast;

/// Install the main thread's panic hook: log the panic, then show the banner. (Through yew,
/// whose renderer would otherwise put its own hook in place.)
pub fn install_panic_hook() {
    yew::set_custom_panic_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_banner();
    }));
}

/// Unhide `#fatal` (a calm message and a reload link; the photo never left the device).
pub fn show_banner() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    if let Some(banner) = document.get_element_by_id("fatal") {
        let _ = banner.remove_attribute("hidden");
        if let Ok(banner) = banner.dyn_into::<web_sys::HtmlElement>() {
            let _ = banner.focus();
        }
    }
}
