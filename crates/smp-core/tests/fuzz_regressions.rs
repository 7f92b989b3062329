//! Inputs on which a fuzz target (fuzz/, run by scripts/fuzz) once failed, replayed natively
//! through the very checks the targets run (fuzz/harness/*.rs): any panic or broken invariant
//! fails here. Each file in tests/fuzz-crashers/<target>/ is one minimised input, named after
//! what it found.

#[path = "../../../fuzz/harness/decode.rs"]
mod decode;
#[path = "../../../fuzz/harness/render.rs"]
mod render;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::Path;

/// The system allocator, recording this thread's largest single allocation, so a crasher that
/// was an out-of-memory report (`oom-*`, libFuzzer's `-malloc_limit_mb`) fails here too.
struct LargestAllocation;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    let _ = LARGEST.try_with(|l| l.set(l.get().max(size)));
}

unsafe impl GlobalAlloc for LargestAllocation {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: LargestAllocation = LargestAllocation;

/// Run `f`, returning the largest single allocation it made (on this thread).
fn largest_allocation(f: impl FnOnce()) -> usize {
    LARGEST.with(|l| l.set(0));
    f();
    LARGEST.with(|l| l.get())
}

/// The `-malloc_limit_mb` scripts/fuzz gives each target.
const DECODE_MALLOC_LIMIT: usize = 1024 << 20;
const RENDER_MALLOC_LIMIT: usize = 128 << 20;

/// The files of a directory, sorted by name.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            (path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap())
        })
        .filter(|(name, _)| !name.starts_with('.'))
        .collect();
    out.sort();
    out
}

fn crashers(target: &str) -> Vec<(String, Vec<u8>)> {
    files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-crashers").join(target))
}

#[test]
fn decode_crashers_are_refused_or_decoded_cleanly() {
    for (name, bytes) in crashers("decode") {
        eprintln!("decode: {name}");
        let largest = largest_allocation(|| {
            decode::check(&bytes);
        });
        assert!(largest <= DECODE_MALLOC_LIMIT, "{name}: allocated {largest} bytes at once");
    }
}

#[test]
fn render_crashers_render_cleanly() {
    let all = crashers("render");
    assert!(!all.is_empty());
    for (name, bytes) in all {
        eprintln!("render: {name}");
        let mut described = false;
        let largest = largest_allocation(|| described = render::check(&bytes));
        assert!(described, "{name} no longer describes a session (did the harness change?)");
        assert!(largest <= RENDER_MALLOC_LIMIT, "{name}: allocated {largest} bytes at once");
    }
}

/// The decode target's seeds are real small photos: they must decode under both limits.
#[test]
fn decode_seeds_decode() {
    let seeds = files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/decode"));
    assert!(seeds.len() >= 10);
    for (name, bytes) in seeds {
        assert!(decode::check(&bytes), "{name} decodes with the default limits");
        assert!(decode::check_with(&bytes, &decode::SMALL), "{name} decodes with small limits");
    }
}
