//! The preview zoomed in past the working copy's detail. When the stage shows more device
//! pixels per photo pixel than the ~2 MP working copy has, the visible part (with a small
//! margin) is rendered from the full-resolution photo ([`Engine::render_part`], the same pixels
//! as the export there) once the view has settled, and drawn on canvases placed over exactly
//! that part of the zoom layer. Until then the working preview shows, upscaled. The
//! full-resolution photo is decoded in the worker the first time it is needed.
//!
//! [`wanted_part`] is pure and unit-tested; [`Detail::paint`] is the painter's step.

use std::cell::Cell;
use std::rc::Rc;

use smp_core::geometry::PixelRect;
use smp_core::{Hairline, RenderParams, RgbaImage};
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;
use yew::NodeRef;

use crate::engine::{DecodeFull, Engine, FullRes};
use crate::platform::canvas::{context_2d, ensure_size, image_data};
use crate::platform::{after_ms, now_ms};
use crate::state::State;
use crate::zoom::ViewZoom;

/// The view is taken as settled this long after its last change.
pub const SETTLE_MS: i32 = 150;

/// Share of the visible width and height rendered beyond each side (small pans need no render).
pub const MARGIN: f32 = 0.1;

/// The part of the photo (full-image px) to render at full resolution: the visible part grown
/// by [`MARGIN`], when the zoom shows more device px per photo px than the working copy has
/// (`working_scale`: working px per full-image px); `None` otherwise.
pub fn wanted_part(zoom: &ViewZoom, working_scale: f32, full_width: u32, full_height: u32) -> Option<PixelRect> {
    let more_detail = zoom.device_px_per_image_px() > working_scale * 1.02;
    if !more_detail || working_scale >= 1.0 {
        return None;
    }
    let (x0, y0, x1, y1) = zoom.visible(full_width, full_height);
    let (mx, my) = ((x1 - x0) * MARGIN, (y1 - y0) * MARGIN);
    let part = PixelRect::covering(x0 - mx, y0 - my, x1 + mx, y1 + my, full_width, full_height);
    (!part.is_empty()).then_some(part)
}

/// The visible part only (no margin), to tell whether a render still covers the view.
fn visible_part(zoom: &ViewZoom, full_width: u32, full_height: u32) -> PixelRect {
    let (x0, y0, x1, y1) = zoom.visible(full_width, full_height);
    PixelRect::covering(x0, y0, x1 - 1.0, y1 - 1.0, full_width, full_height)
}

fn contains(outer: PixelRect, inner: PixelRect) -> bool {
    outer.x0 <= inner.x0 && outer.y0 <= inner.y0 && outer.x1 >= inner.x1 && outer.y1 >= inner.y1
}

/// Everything a full-resolution render depends on besides the part.
#[derive(Clone, Debug, PartialEq)]
struct EditKey {
    photo_id: u64,
    mask_generation: u64,
    hairline: Option<Hairline>,
    params: RenderParams,
}

impl EditKey {
    fn of(engine: &Engine, state: &State) -> EditKey {
        EditKey {
            photo_id: engine.meta.id,
            mask_generation: engine.preview.mask_generation(),
            hairline: state.area.hairline.clone().filter(|_| state.params.treatment.uses_hairline()),
            params: state.params,
        }
    }
}

struct Rendered {
    key: EditKey,
    part: PixelRect,
    after: RgbaImage,
    before: RgbaImage,
}

/// What the detail canvases show.
#[derive(Clone, Debug, PartialEq)]
struct Drawn {
    key: EditKey,
    part: PixelRect,
    /// Share of the photo's width (from the left) showing the original (split, hold).
    split: f32,
    side_by_side: bool,
}

/// The canvases: the result (over the preview) and the original (over the side-by-side
/// "before" pane).
pub struct DetailCanvases {
    pub after: NodeRef,
    pub before: NodeRef,
}

/// What the painter calls back: a new frame, and decoding the photo at full resolution (the
/// result goes to [`Engine::set_full_res`], then [`Detail::settle_now`] and a new frame).
pub struct DetailHooks {
    pub repaint: Rc<dyn Fn()>,
    pub decode: Rc<dyn Fn(DecodeFull)>,
    /// Whether the worker is free (a decode must not cancel an export or an opening).
    pub worker_idle: Rc<dyn Fn() -> bool>,
}

#[derive(Default)]
pub struct Detail {
    rendered: Option<Rendered>,
    drawn: Option<Drawn>,
    /// The canvases drawn on (a re-created element must be drawn again).
    drawn_on: Option<(HtmlCanvasElement, Option<HtmlCanvasElement>)>,
    /// The settle timer last started (shared with the timers: an older one that fires does
    /// nothing), and the last one that fired.
    settle_generation: u64,
    latest_timer: Rc<Cell<u64>>,
    settled: Rc<Cell<u64>>,
    /// The edit and view the running timer waits on: frames of the same view do not restart it.
    waiting_for: Option<(EditKey, PixelRect)>,
    renders: u64,
}

impl Detail {
    /// Render now, at the next frame (the full-resolution photo just arrived).
    pub fn settle_now(&self) {
        self.settled.set(self.settle_generation);
    }

    /// The painter's step, after the working preview is drawn: show, render or wait for the
    /// full-resolution part. `split` as for the preview (0: all result, 1: all original).
    pub fn paint(
        &mut self,
        engine: &mut Engine,
        state: &State,
        split: f32,
        canvases: &DetailCanvases,
        hooks: &DetailHooks,
    ) {
        let (fw, fh) = (engine.meta.full_width, engine.meta.full_height);
        let (Some(after_canvas), before_canvas) =
            (canvases.after.cast::<HtmlCanvasElement>(), canvases.before.cast::<HtmlCanvasElement>())
        else {
            return;
        };
        let before_canvas = before_canvas.filter(|_| state.compare.side_by_side);
        let Some(want) = wanted_part(&state.zoom, engine.preview.scale(), fw, fh) else {
            self.hide(&after_canvas, before_canvas.as_ref(), "off");
            return;
        };
        let key = EditKey::of(engine, state);
        let visible = visible_part(&state.zoom, fw, fh);
        let usable = self.rendered.as_ref().is_some_and(|r| r.key == key && contains(r.part, visible));
        let settled = self.settled.get() == self.settle_generation;
        if !usable && settled {
            match &engine.full_res {
                FullRes::Ready(_) => {
                    let t0 = now_ms();
                    if let Some((after, before)) = engine.render_part(state, want) {
                        self.rendered = Some(Rendered { key: key.clone(), part: want, after, before });
                        self.renders += 1;
                        let _ = after_canvas.set_attribute("data-render-ms", &format!("{:.1}", now_ms() - t0));
                    }
                }
                FullRes::NotLoaded if (hooks.worker_idle)() => (hooks.decode)(engine.decode_full()),
                FullRes::NotLoaded => self.start_settle_timer(hooks, SETTLE_MS * 4),
                FullRes::Loading => {}
                FullRes::Failed(why) => {
                    let _ = after_canvas.set_attribute("data-failed", why);
                }
            }
            // Used up: the next change waits for the view to settle again.
            if self.settled.get() == self.settle_generation {
                self.settle_generation += 1;
                self.latest_timer.set(self.settle_generation);
            }
            self.waiting_for = None;
        }
        let usable = self.rendered.as_ref().is_some_and(|r| r.key == key && contains(r.part, visible));
        if usable {
            let drawn = Drawn {
                key,
                part: self.rendered.as_ref().expect("usable").part,
                split,
                side_by_side: before_canvas.is_some(),
            };
            let same_canvases = self.drawn_on.as_ref().is_some_and(|(a, b)| a == &after_canvas && b == &before_canvas);
            if self.drawn.as_ref() != Some(&drawn) || !same_canvases {
                if let Err(e) = self.draw(&after_canvas, before_canvas.as_ref(), &drawn, fw, fh) {
                    web_sys::console::error_1(&e);
                    return self.hide(&after_canvas, before_canvas.as_ref(), "off");
                }
                self.drawn = Some(drawn);
                self.drawn_on = Some((after_canvas.clone(), before_canvas.clone()));
            }
            set_state(&after_canvas, "shown", self.renders);
            return;
        }
        // Not there yet. Pixels drawn for another part of the same edit are still right where
        // they are (a pan): keep them; pixels of an older edit go.
        if self.drawn.as_ref().is_some_and(|d| d.key != key) {
            self.hide(&after_canvas, before_canvas.as_ref(), "stale");
        } else {
            set_state(&after_canvas, "stale", self.renders);
        }
        // Render once the view has not changed for a moment: a change (re)starts the timer;
        // another frame of the same view and edit lets the running one be.
        let waiting = (key, visible);
        if !settled && !matches!(engine.full_res, FullRes::Failed(_)) && self.waiting_for.as_ref() != Some(&waiting) {
            self.waiting_for = Some(waiting);
            self.start_settle_timer(hooks, SETTLE_MS);
        }
    }

    /// (Re)start the settle timer: the render happens `ms` after the last change.
    fn start_settle_timer(&mut self, hooks: &DetailHooks, ms: i32) {
        self.settle_generation += 1;
        self.latest_timer.set(self.settle_generation);
        let (generation, latest, settled, repaint) =
            (self.settle_generation, self.latest_timer.clone(), self.settled.clone(), hooks.repaint.clone());
        after_ms(ms, move || {
            // A newer timer took over: this one is void (it would otherwise start yet another).
            if latest.get() == generation {
                settled.set(generation);
                repaint();
            }
        });
    }

    fn draw(
        &self,
        after_canvas: &HtmlCanvasElement,
        before_canvas: Option<&HtmlCanvasElement>,
        drawn: &Drawn,
        fw: u32,
        fh: u32,
    ) -> Result<(), JsValue> {
        let r = self.rendered.as_ref().expect("drawn only when rendered");
        let part = r.part;
        // The original left of the split, as on the preview below.
        let split_x = (drawn.split.clamp(0.0, 1.0) * fw as f32).round() as u32;
        let after = if split_x > part.x0 {
            let mut mixed = r.after.clone();
            let cols = (split_x.min(part.x1) - part.x0) as usize * 4;
            let row = part.width() as usize * 4;
            for y in 0..part.height() as usize {
                mixed.data[y * row..y * row + cols].copy_from_slice(&r.before.data[y * row..y * row + cols]);
            }
            std::borrow::Cow::Owned(mixed)
        } else {
            std::borrow::Cow::Borrowed(&r.after)
        };
        put(after_canvas, &after, part, fw, fh)?;
        if let Some(before_canvas) = before_canvas {
            put(before_canvas, &r.before, part, fw, fh)?;
        }
        Ok(())
    }

    fn hide(&mut self, after: &HtmlCanvasElement, before: Option<&HtmlCanvasElement>, why: &str) {
        if self.drawn.take().is_some() || after.get_attribute("data-state").as_deref() != Some(why) {
            for c in std::iter::once(after).chain(before) {
                let _ = c.set_attribute("style", "display: none");
            }
        }
        self.drawn_on = None;
        set_state(after, why, self.renders);
    }
}

fn set_state(canvas: &HtmlCanvasElement, state: &str, renders: u64) {
    if canvas.get_attribute("data-state").as_deref() != Some(state) {
        let _ = canvas.set_attribute("data-state", state);
    }
    let _ = canvas.set_attribute("data-renders", &renders.to_string());
}

/// Draw `img` (the pixels of `part`) on `canvas`, placed over `part` of the zoom layer.
fn put(canvas: &HtmlCanvasElement, img: &RgbaImage, part: PixelRect, fw: u32, fh: u32) -> Result<(), JsValue> {
    ensure_size(canvas, img.width, img.height);
    context_2d(canvas)?.put_image_data(&image_data(img)?, 0.0, 0.0)?;
    let pct = |v: u32, of: u32| 100.0 * v as f64 / of.max(1) as f64;
    canvas.set_attribute(
        "style",
        &format!(
            "display: block; left: {:.5}%; top: {:.5}%; width: {:.5}%; height: {:.5}%; right: auto; bottom: auto;",
            pct(part.x0, fw),
            pct(part.y0, fh),
            pct(part.width(), fw),
            pct(part.height(), fh)
        ),
    )?;
    canvas.set_attribute("data-part", &format!("{} {} {} {}", part.x0, part.y0, part.x1, part.y1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zoom::ZoomAction;

    #[test]
    fn full_resolution_only_where_the_working_copy_runs_out() {
        // A 4000 x 3000 photo, working copy at 0.4 px per photo px, 1:1 at zoom 4.
        let fit = ViewZoom::fit(4000, 3000).apply(ZoomAction::Measured { one_to_one: 4.0 }, 4000, 3000);
        assert_eq!(wanted_part(&fit, 0.4, 4000, 3000), None, "fitted: 0.25 device px per photo px");
        let z = fit.apply(ZoomAction::To { zoom: 1.5, at: (0.5, 0.5) }, 4000, 3000);
        assert_eq!(wanted_part(&z, 0.4, 4000, 3000), None, "0.375 < 0.4");
        let z = fit.apply(ZoomAction::To { zoom: 4.0, at: (0.0, 0.0) }, 4000, 3000);
        // The top left 1000 x 750 at 1:1, grown by 10 % (clipped at the photo's edge).
        assert_eq!(wanted_part(&z, 0.4, 4000, 3000), Some(PixelRect { x0: 0, y0: 0, x1: 1101, y1: 826 }));
        assert!(contains(wanted_part(&z, 0.4, 4000, 3000).unwrap(), visible_part(&z, 4000, 3000)));
        // A photo smaller than its working limit is its own working copy: nothing to add.
        assert_eq!(wanted_part(&z, 1.0, 4000, 3000), None);
    }
}
