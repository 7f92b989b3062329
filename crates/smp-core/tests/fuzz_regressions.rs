//! Inputs on which a fuzz target (fuzz/, run by scripts/fuzz) once failed, replayed natively
//! through the very checks the targets run (fuzz/harness/*.rs): any panic or broken invariant
//! fails here. Each file in tests/fuzz-crashers/<target>/ is one minimised input, named after
//! what it found.

#[path = "../../../fuzz/harness/decode.rs"]
mod decode;
#[path = "../../../fuzz/harness/detect.rs"]
mod detect;
#[path = "../../../fuzz/harness/render.rs"]
mod render;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::{Path, PathBuf};

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
const DETECT_MALLOC_LIMIT: usize = 128 << 20;

/// The entries of a directory (but hidden ones), sorted by name.
fn entries(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            (path.file_name().unwrap().to_string_lossy().into_owned(), path)
        })
        .filter(|(name, _)| !name.starts_with('.'))
        .collect();
    out.sort();
    out
}

/// Every saved crasher, replayed through the check of the target that found it (its directory).
#[test]
fn crashers_replay_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-crashers");
    let mut replayed = 0;
    for (target, dir) in entries(&root) {
        for (name, path) in entries(&dir) {
            let bytes = std::fs::read(&path).unwrap();
            eprintln!("{target}: {name}");
            let (check, limit): (fn(&[u8]) -> bool, usize) = match target.as_str() {
                "decode" => (decode::check, DECODE_MALLOC_LIMIT),
                "render" => (render::check, RENDER_MALLOC_LIMIT),
                "detect" => (detect::check, DETECT_MALLOC_LIMIT),
                _ => panic!("no fuzz target {target}"),
            };
            let mut described = false;
            let largest = largest_allocation(|| described = check(&bytes));
            // A structured crasher that no longer parses as an input would test nothing.
            assert!(described || target == "decode", "{name} no longer describes an input (harness changed?)");
            assert!(largest <= limit, "{target}/{name}: allocated {largest} bytes at once");
            replayed += 1;
        }
    }
    assert!(replayed > 0);
}

/// The decode target's seeds are real small photos: they must decode under both limits.
#[test]
fn decode_seeds_decode() {
    let seeds = entries(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/decode"));
    assert!(seeds.len() >= 10);
    for (name, path) in seeds {
        let bytes = std::fs::read(&path).unwrap();
        assert!(decode::check(&bytes), "{name} decodes with the default limits");
        assert!(decode::check_with(&bytes, &decode::SMALL), "{name} decodes with small limits");
    }
}
