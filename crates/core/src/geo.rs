//! Distances on the Earth's surface, for "nearest first" and for telling how far apart two
//! fixes are. Pure arithmetic on WGS 84 degrees; no projection, no I/O.

/// Mean Earth radius in metres (IUGG mean radius R₁).
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in metres between two `(latitude, longitude)` points in decimal
/// degrees, by the haversine formula on a sphere of [`EARTH_RADIUS_M`]. Good to about 0.5%
/// against the ellipsoid, which is far below a phone's GPS error at the scale of a patrol.
/// Longitudes on either side of ±180° are handled (the difference wraps).
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let half_dlat = (lat2 - lat1) / 2.0;
    let half_dlon = (lon2 - lon1) / 2.0;
    let h = half_dlat.sin().powi(2) + lat1.cos() * lat2.cos() * half_dlon.sin().powi(2);
    // Rounding can push h a hair outside [0, 1] for (near-)antipodal points.
    2.0 * EARTH_RADIUS_M * h.clamp(0.0, 1.0).sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_within(actual: f64, expected: f64, tolerance: f64) {
        assert!(
            (actual - expected).abs() <= tolerance,
            "{actual} m is not within {tolerance} m of {expected} m"
        );
    }

    #[test]
    fn beijing_to_shanghai_is_about_1068_km() {
        let beijing = (39.9042, 116.4074);
        let shanghai = (31.2304, 121.4737);
        let d = distance_m(beijing, shanghai);
        assert_within(d, 1_068_000.0, 10_680.0);
        assert_eq!(d, distance_m(shanghai, beijing));
    }

    #[test]
    fn a_point_is_zero_from_itself() {
        assert_eq!(
            distance_m((31.251055, 107.541573), (31.251055, 107.541573)),
            0.0
        );
        assert_eq!(distance_m((0.0, 0.0), (0.0, 0.0)), 0.0);
        // Every longitude meets at the pole (cos 90° is not exactly 0 in floating point).
        assert_within(distance_m((90.0, 0.0), (90.0, 123.0)), 0.0, 1e-6);
    }

    #[test]
    fn one_degree_of_latitude_is_about_111_km() {
        assert_within(distance_m((0.0, 0.0), (1.0, 0.0)), 111_195.0, 5.0);
        assert_within(distance_m((30.0, 107.0), (31.0, 107.0)), 111_195.0, 5.0);
    }

    #[test]
    fn small_steps_along_a_river_bank_are_metres() {
        // 0.0001° of latitude ≈ 11.1 m; of longitude at 31.25° N ≈ 9.5 m.
        let here = (31.251055, 107.541573);
        assert_within(distance_m(here, (31.251155, 107.541573)), 11.12, 0.01);
        assert_within(distance_m(here, (31.251055, 107.541673)), 9.50, 0.01);
    }

    #[test]
    fn the_antimeridian_is_crossed_the_short_way() {
        // 0.2° of longitude on the equator, across ±180°.
        let d = distance_m((0.0, 179.9), (0.0, -179.9));
        assert_within(d, 22_239.0, 2.0);
        assert_within(distance_m((0.0, -180.0), (0.0, 180.0)), 0.0, 1e-6);
    }

    #[test]
    fn antipodes_are_half_the_circumference() {
        let half = std::f64::consts::PI * EARTH_RADIUS_M;
        assert_within(distance_m((0.0, 0.0), (0.0, 180.0)), half, 1e-3);
        assert_within(distance_m((90.0, 0.0), (-90.0, 0.0)), half, 1e-3);
        assert_within(distance_m((31.25, 107.54), (-31.25, -72.46)), half, 1e-3);
    }
}
