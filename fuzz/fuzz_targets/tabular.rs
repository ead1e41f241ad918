#![no_main]
//! libFuzzer entry for reformwatch_fuzz_targets::tabular (see ../README.md).
libfuzzer_sys::fuzz_target!(|data: &[u8]| reformwatch_fuzz_targets::tabular(data));
