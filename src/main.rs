fn main() {
    #[cfg(target_arch = "wasm32")]
    smp_tryon::start();
}
