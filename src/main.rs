fn main() {
    river_patrol::start();
}
