//! Limits for field capture: how many photos, how big, and what counts as a poor GPS fix.
//! One place, so the app, its tests and the benchmarks agree on the numbers.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaptureConfig {
    /// Photos per record (visit).
    pub max_photos: usize,
    /// Long edge of a stored photo, in pixels; larger photos are scaled down.
    pub long_edge_px: u32,
    /// JPEG quality of stored photos, 0.0–1.0.
    pub jpeg_quality: f64,
    /// A GPS fix less accurate than this (radius in metres) is flagged as poor and needs the
    /// user's confirmation.
    pub poor_accuracy_m: f64,
}

impl Default for CaptureConfig {
    fn default() -> Self {
        CaptureConfig {
            max_photos: 6,
            long_edge_px: 1600,
            jpeg_quality: 0.8,
            poor_accuracy_m: 50.0,
        }
    }
}

impl CaptureConfig {
    /// Size a `width`×`height` image is scaled to: the long edge at most `long_edge_px`, the
    /// aspect ratio kept, never enlarged, never below 1 px.
    pub fn scaled_size(&self, width: u32, height: u32) -> (u32, u32) {
        let long = width.max(height);
        if long <= self.long_edge_px || long == 0 {
            return (width, height);
        }
        let scale = f64::from(self.long_edge_px) / f64::from(long);
        let w = (f64::from(width) * scale).round().max(1.0) as u32;
        let h = (f64::from(height) * scale).round().max(1.0) as u32;
        (w.min(self.long_edge_px), h.min(self.long_edge_px))
    }

    /// Whether a fix with this accuracy radius is too coarse to accept without asking.
    pub fn is_poor(&self, accuracy_m: f64) -> bool {
        !accuracy_m.is_finite() || accuracy_m > self.poor_accuracy_m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_12_megapixel_photo_is_scaled_to_the_long_edge() {
        let c = CaptureConfig::default();
        assert_eq!(c.scaled_size(4000, 3000), (1600, 1200));
        assert_eq!(c.scaled_size(3000, 4000), (1200, 1600));
        assert_eq!(c.scaled_size(1600, 900), (1600, 900));
        assert_eq!(c.scaled_size(800, 600), (800, 600));
        assert_eq!(c.scaled_size(100_000, 10), (1600, 1));
    }

    #[test]
    fn coarse_fixes_are_poor() {
        let c = CaptureConfig::default();
        assert!(!c.is_poor(12.0));
        assert!(!c.is_poor(50.0));
        assert!(c.is_poor(200.0));
        assert!(c.is_poor(f64::NAN));
    }
}
