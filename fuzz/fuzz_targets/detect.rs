//! Automatic detection on any small photo, then its result used to render (see harness/detect.rs).
#![no_main]

#[path = "../harness/detect.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::check(data);
});
