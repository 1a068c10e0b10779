//! Which markers the map draws at a zoom: problems that would overlap on the screen are merged
//! into one numbered cluster, and only what is in view is drawn, so that a township's 5,000
//! problems stay smooth on a cheap phone and each marker stays big enough to tap (and to reach
//! by keyboard: every drawn marker is a button).
//!
//! The grid is in Web-Mercator pixels at the zoom (256 a tile, as the basemap's tiles), so a
//! cluster is the problems within one square of [`CELL_PX`] on the screen.

use std::collections::BTreeMap;

use crate::basemap::{Bounds, world_pixel};

/// The side of a cluster's square on the screen, in CSS pixels: about two fingertips.
pub const CELL_PX: f64 = 64.0;

/// One marker to draw: a single problem, or several merged.
#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
    /// Indexes into the points given, in their order.
    pub members: Vec<usize>,
    /// Where to draw it: the members' mean position.
    pub latitude: f64,
    pub longitude: f64,
    /// The box holding every member, for zooming in on a cluster.
    pub bounds: Bounds,
}

impl Cluster {
    /// A single problem rather than several.
    pub fn is_single(&self) -> bool {
        self.members.len() == 1
    }
}

/// The markers for `points` (`(latitude, longitude)`) at zoom `z`, keeping only those inside
/// `view` (every point when `None`). Points that are not numbers are left out. The order is
/// fixed (north-west to south-east by square), so the same view draws the same markers.
pub fn cluster(points: &[(f64, f64)], z: u8, view: Option<&Bounds>) -> Vec<Cluster> {
    let mut cells: BTreeMap<(i64, i64), Vec<usize>> = BTreeMap::new();
    for (i, &(lat, lon)) in points.iter().enumerate() {
        if !(lat.is_finite() && lon.is_finite()) {
            continue;
        }
        if let Some(v) = view
            && !(lat >= v.south && lat <= v.north && lon >= v.west && lon <= v.east)
        {
            continue;
        }
        let (x, y) = world_pixel(lat, lon, z);
        let cell = ((y / CELL_PX).floor() as i64, (x / CELL_PX).floor() as i64);
        cells.entry(cell).or_default().push(i);
    }
    cells
        .into_values()
        .map(|members| {
            let n = members.len() as f64;
            let (mut lat_sum, mut lon_sum) = (0.0, 0.0);
            let (first_lat, first_lon) = points[members[0]];
            let mut bounds = Bounds {
                south: first_lat,
                west: first_lon,
                north: first_lat,
                east: first_lon,
            };
            for &i in &members {
                let (lat, lon) = points[i];
                lat_sum += lat;
                lon_sum += lon;
                bounds.south = bounds.south.min(lat);
                bounds.north = bounds.north.max(lat);
                bounds.west = bounds.west.min(lon);
                bounds.east = bounds.east.max(lon);
            }
            Cluster {
                latitude: lat_sum / n,
                longitude: lon_sum / n,
                bounds,
                members,
            }
        })
        .collect()
}
