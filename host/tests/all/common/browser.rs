//! Debian's headless Chromium, driven from the tests: the DOM of a page after it loaded (and
//! after any form the page submits), screenshots, and a check that a screenshot is not blank.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Headless Chromium with the flags this machine's closed network needs.
pub fn chromium(profile: &Path) -> Command {
    let binary = std::env::var_os("SWFWASM_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        binary.exists(),
        "{} is missing: install Debian's chromium (scripts/setup-guest-toolchains does), or set \
         SWFWASM_CHROMIUM",
        binary.display()
    );
    let mut command = Command::new(binary);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

/// The DOM of `url` after the browser loaded it (and followed any form submission).
pub fn dom(profile: &Path, url: &str) -> String {
    let out = chromium(profile)
        .arg("--dump-dom")
        .arg(url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Whether a PNG has more than one colour.
pub fn is_not_blank(png: &Path) -> bool {
    let decoder = png::Decoder::new(std::fs::File::open(png).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    let pixels = &pixels[..frame.buffer_size()];
    let step = frame.color_type.samples();
    let first = &pixels[..step];
    pixels.chunks(step).any(|p| p != first)
}
