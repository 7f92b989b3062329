//! An editing session on any small photo with any parameters (see harness/render.rs).
#![no_main]

#[path = "../harness/render.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::check(data);
});
