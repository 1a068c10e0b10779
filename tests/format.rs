//! Numbers as the user reads them (`format`), in a real browser: its Intl writes them in the
//! app's language, and a browser without Intl still gets plain digits.
//!
//! Run with `cargo test -p river-patrol --target wasm32-unknown-unknown --test format`.
#![cfg(target_arch = "wasm32")]

use river_patrol::format::{decimal, plain_decimal};
use river_patrol::i18n::Locale;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn distances_are_written_with_the_locales_digits_and_separators() {
    assert_eq!(decimal(Locale::en, 1234.56, 1), "1,234.6");
    assert_eq!(decimal(Locale::en, 3.0, 2), "3.00");
    assert_eq!(decimal(Locale::en, 120.4, 0), "120");
    assert_eq!(decimal(Locale::zh_CN, 1234.56, 1), "1,234.6");
    assert_eq!(decimal(Locale::zh_CN, 0.25, 2), "0.25");
    assert_eq!(
        decimal(Locale::zh_CN, -0.0, 0),
        "0",
        "a track of no length is 0 m"
    );
    assert_eq!(decimal(Locale::en, [0.0f64; 0].iter().sum(), 2), "0.00");
}

#[wasm_bindgen_test]
fn without_intl_the_number_is_still_rounded_to_its_decimals() {
    assert_eq!(plain_decimal(1234.56, 1), "1234.6");
    assert_eq!(plain_decimal(3.0, 2), "3.00");
    assert_eq!(plain_decimal(0.05, 2), "0.05");
    assert_eq!(plain_decimal(120.5, 0), "121");
    assert_eq!(plain_decimal(-0.4, 1), "-0.4");
    assert_eq!(plain_decimal(-12.25, 1), "-12.3");
}
