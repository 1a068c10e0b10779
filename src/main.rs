//! The app's binary: mounts the app (src/lib.rs) on the page.

fn main() {
    river_patrol::start();
}
