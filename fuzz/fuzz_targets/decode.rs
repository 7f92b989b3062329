//! Any bytes -> `decode_photo` / `probe_photo`, with the app's limits and with small ones.
//! They must return `Ok` or `Err`: never panic, abort, or allocate without bound (scripts/fuzz
//! runs this with `-rss_limit_mb` and `-malloc_limit_mb`). The checks: harness/decode.rs.
#![no_main]

#[path = "../harness/decode.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::check(data);
});
