//! Helpers shared by the app's native unit tests.

use std::future::Future;

/// Poll a future that is ready at once (the `Inline` offload's are).
pub fn now<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("the in-line offload never waits"),
    }
}

/// A `w` x `h` JPEG of the RGB pixels `f(x, y)` at `quality` (1-100).
pub fn jpeg(w: u32, h: u32, quality: u8, f: impl Fn(u32, u32) -> [u8; 3]) -> Vec<u8> {
    use image::ImageEncoder;
    let rgb: Vec<u8> = (0..h).flat_map(|y| (0..w).map(move |x| (x, y))).flat_map(|(x, y)| f(x, y)).collect();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(&rgb, w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}
