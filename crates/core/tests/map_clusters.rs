//! The map's markers: far-apart problems stay single, problems that would overlap on the screen
//! merge into one cluster with their count, only what is in view is drawn, and a township's
//! 5,000 problems come down to few enough markers to draw.

use patrol_core::basemap::Bounds;
use patrol_core::map_clusters::{CELL_PX, cluster};

/// A fix on the bank of the river in the seed report's township.
const BANK: (f64, f64) = (31.251055, 107.541573);

/// `n` points spread over a square of about `side_m` metres around the bank, in a fixed
/// pseudo-random pattern.
fn scattered(n: usize, side_m: f64) -> Vec<(f64, f64)> {
    let degrees = side_m / 111_000.0;
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % 1_000_000) as f64 / 1_000_000.0
    };
    (0..n)
        .map(|_| {
            (
                BANK.0 + (next() - 0.5) * degrees,
                BANK.1 + (next() - 0.5) * degrees,
            )
        })
        .collect()
}

#[test]
fn problems_a_street_apart_stay_single_when_zoomed_in_and_merge_when_zoomed_out() {
    // 300 m apart east-west: at zoom 17 (about 1 m a pixel) far apart; at zoom 10 (about
    // 130 m a pixel) within one square.
    let points = [BANK, (BANK.0, BANK.1 + 0.00315)];
    let near = cluster(&points, 17, None);
    assert_eq!(near.len(), 2);
    assert!(near.iter().all(|c| c.is_single()));
    let far = cluster(&points, 10, None);
    assert_eq!(far.len(), 1);
    let merged = &far[0];
    assert_eq!(merged.members, vec![0, 1]);
    assert!(!merged.is_single());
    // Drawn between them, and zooming in on it shows both.
    assert!((merged.latitude - BANK.0).abs() < 1e-9);
    assert!((merged.longitude - (BANK.1 + 0.001575)).abs() < 1e-9);
    assert_eq!(
        merged.bounds,
        Bounds {
            south: BANK.0,
            west: BANK.1,
            north: BANK.0,
            east: BANK.1 + 0.00315
        }
    );
}

#[test]
fn only_problems_in_view_are_drawn() {
    let points = [BANK, (BANK.0 + 0.1, BANK.1), (f64::NAN, 0.0)];
    let view = Bounds {
        south: BANK.0 - 0.01,
        west: BANK.1 - 0.01,
        north: BANK.0 + 0.01,
        east: BANK.1 + 0.01,
    };
    let drawn = cluster(&points, 15, Some(&view));
    assert_eq!(drawn.len(), 1);
    assert_eq!(drawn[0].members, vec![0]);
    // Without a view, every point that is a number.
    let members: usize = cluster(&points, 15, None)
        .iter()
        .map(|c| c.members.len())
        .sum();
    assert_eq!(members, 2);
}

#[test]
fn five_thousand_problems_come_down_to_few_markers_and_each_is_in_exactly_one() {
    // A township of 5,000 problems over 10 km.
    let points = scattered(5_000, 10_000.0);
    for z in [10u8, 12, 14] {
        let drawn = cluster(&points, z, None);
        // 10 km at zoom 14 is about 1,100 pixels a side: at most 18 × 18 squares of 64 px.
        let side_px = 10_000.0 / (156_543.0 * BANK.0.to_radians().cos() / f64::from(1u32 << z));
        let most = ((side_px / CELL_PX).ceil() + 1.0).powi(2) as usize;
        assert!(drawn.len() <= most, "zoom {z}: {} markers", drawn.len());
        let mut seen: Vec<usize> = drawn.iter().flat_map(|c| c.members.clone()).collect();
        seen.sort();
        assert_eq!(seen, (0..5_000).collect::<Vec<_>>(), "zoom {z}");
    }
    // The same view draws the same markers.
    assert_eq!(cluster(&points, 12, None), cluster(&points, 12, None));
}
