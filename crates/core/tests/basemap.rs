//! The basemap's tile arithmetic against figures worked out by hand (and with the usual
//! slippy-map formula): which tile a GPS fix falls in, which tiles a village's area needs, and
//! the count and size told to the official before an offline area downloads.

use patrol_core::basemap::{
    AREA_MARGIN_M, AREA_MAX_TILES, AreaPlan, Basemap, BasemapError, Bounds, SERVER_TILES_TEMPLATE,
    TYPICAL_TILE_BYTES, TileId,
};

/// A fix on the bank of the river in the seed report's township.
const BANK: (f64, f64) = (31.251055, 107.541573);

const TIANDITU: &str = "https://t0.tianditu.gov.cn/img_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=img&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=KEY";

#[test]
fn a_fix_falls_in_the_tile_the_slippy_map_formula_gives() {
    assert_eq!(TileId::at(0.0, 0.0, 1), TileId { z: 1, x: 1, y: 1 });
    assert_eq!(TileId::at(0.0, 0.0, 0), TileId { z: 0, x: 0, y: 0 });
    // Tiananmen at zoom 10, as every slippy map has it.
    assert_eq!(
        TileId::at(39.9042, 116.4074, 10),
        TileId {
            z: 10,
            x: 843,
            y: 388
        }
    );
    assert_eq!(
        TileId::at(BANK.0, BANK.1, 17),
        TileId {
            z: 17,
            x: 104_690,
            y: 53_547
        }
    );
    // The poles and the antimeridian stay on the grid.
    assert_eq!(TileId::at(90.0, 180.0, 3), TileId { z: 3, x: 7, y: 0 });
    assert_eq!(TileId::at(-90.0, -180.0, 3), TileId { z: 3, x: 0, y: 7 });
}

#[test]
fn a_tianditu_wmts_url_and_a_tms_template_get_their_tile() {
    let map = Basemap::new(TIANDITU, "天地图", 18).unwrap();
    let url = map.tile_url(TileId {
        z: 17,
        x: 104_690,
        y: 53_547,
    });
    assert!(
        url.contains("TILEMATRIX=17&TILEROW=53547&TILECOL=104690&tk=KEY"),
        "{url}"
    );
    assert_eq!(map.origin(), Some("https://t0.tianditu.gov.cn"));

    let tms = Basemap::new("http://10.0.0.2:8000/{z}/{x}/{-y}.png", "", 16).unwrap();
    // Row 1 of 4 from the north is row 2 from the south.
    assert_eq!(
        tms.tile_url(TileId { z: 2, x: 3, y: 1 }),
        "http://10.0.0.2:8000/2/3/2.png"
    );
    assert_eq!(tms.origin(), Some("http://10.0.0.2:8000"));

    let own = Basemap::new(SERVER_TILES_TEMPLATE, "", 18).unwrap();
    assert_eq!(
        own.tile_url(TileId { z: 5, x: 6, y: 7 }),
        "/api/v1/tiles/5/6/7"
    );
    assert_eq!(own.origin(), None, "the sync server itself");
}

#[test]
fn a_template_that_cannot_give_tiles_is_refused_with_its_reason() {
    assert_eq!(
        Basemap::new("tiles/{z}/{x}/{y}.png", "", 18),
        Err(BasemapError::NotAUrl)
    );
    assert_eq!(
        Basemap::new("https://天地图.中国/{z}/{x}/{y}", "", 18),
        Err(BasemapError::NotAUrl),
        "a host as punycode, as a browser's policy must name it"
    );
    assert_eq!(
        Basemap::new("https:///{z}/{x}/{y}", "", 18),
        Err(BasemapError::NotAUrl)
    );
    assert_eq!(
        Basemap::new("https://tiles.example.org/{z}/{y}.png", "", 18),
        Err(BasemapError::MissingPlaceholder("{x}"))
    );
    assert_eq!(
        Basemap::new("https://tiles.example.org/{z}/{x}.png", "", 18),
        Err(BasemapError::MissingPlaceholder("{y}"))
    );
    assert_eq!(
        Basemap::new("https://tiles.example.org/{z}/{x}/{y}.png", "", 23),
        Err(BasemapError::ZoomTooDeep(23))
    );
    let message = Basemap::new("https://t/{x}/{y}", "", 18)
        .unwrap_err()
        .to_string();
    assert!(message.contains("{z}"), "{message}");
}

#[test]
fn a_village_area_is_its_points_with_a_margin_and_its_tiles_are_counted_before_download() {
    // One problem on the bank: 500 m either way is 0.004497° of latitude and, at 31.25° N,
    // 0.005260° of longitude.
    let area = Bounds::around([BANK], AREA_MARGIN_M).unwrap();
    assert!(
        (area.north - area.south - 2.0 * 0.004_497).abs() < 1e-5,
        "{area:?}"
    );
    assert!(
        (area.east - area.west - 2.0 * 0.005_260).abs() < 1e-5,
        "{area:?}"
    );

    let map = Basemap::new(TIANDITU, "天地图", 18).unwrap();
    let plan = AreaPlan::new(area, &map);
    // Zooms 10 to 14 need the one tile each; 15 a 2×2 block, 16 3×3, 17 5×5.
    assert_eq!((plan.min_zoom, plan.max_zoom), (10, 17));
    assert_eq!(plan.tiles, 5 + 4 + 9 + 25);
    assert_eq!(plan.estimated_bytes, 43 * TYPICAL_TILE_BYTES);
    assert!(!plan.too_large());
    let tiles: Vec<TileId> = plan.tiles().collect();
    assert_eq!(tiles.len() as u64, plan.tiles);
    // The overview first, so a download cut short still shows the township.
    assert_eq!(tiles[0].z, 10);
    assert!(tiles.windows(2).all(|w| w[0].z <= w[1].z));
    assert!(tiles.contains(&TileId::at(BANK.0, BANK.1, 17)));
    // No tile twice.
    let mut unique = tiles.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), tiles.len());

    // A basemap that stops at zoom 16 stops the plan there.
    let shallow = Basemap::new(TIANDITU, "", 16).unwrap();
    assert_eq!(AreaPlan::new(area, &shallow).tiles, 5 + 4 + 9);
}

#[test]
fn a_whole_county_is_too_large_for_one_area() {
    let county = Bounds {
        south: 31.0,
        west: 107.3,
        north: 31.5,
        east: 107.8,
    };
    let plan = AreaPlan::new(county, &Basemap::new(TIANDITU, "", 18).unwrap());
    assert!(plan.tiles > AREA_MAX_TILES, "{}", plan.tiles);
    assert!(plan.too_large());
}

#[test]
fn an_area_spans_every_point_and_skips_what_is_not_a_number() {
    let area = Bounds::around([(31.20, 107.50), (f64::NAN, 1.0), (31.30, 107.60)], 0.0).unwrap();
    assert_eq!(
        area,
        Bounds {
            south: 31.20,
            west: 107.50,
            north: 31.30,
            east: 107.60
        }
    );
    assert_eq!(Bounds::around([], 100.0), None);
}

#[test]
fn an_area_download_goes_on_from_where_it_stopped_and_counts_what_it_kept() {
    use patrol_core::basemap::{AreaDownload, TileOutcome};
    let area = Bounds::around([BANK], AREA_MARGIN_M).unwrap();
    let plan = AreaPlan::new(area, &Basemap::new(TIANDITU, "", 18).unwrap());
    let all: Vec<TileId> = plan.tiles().collect();
    let mut download = AreaDownload::new(plan, TIANDITU);
    assert!(!download.finished());
    assert_eq!(download.expected_bytes(), 43 * TYPICAL_TILE_BYTES);
    assert_eq!(download.next_tiles(4), all[..4]);

    download.record(TileOutcome::Stored(10_000));
    download.record(TileOutcome::Missing);
    download.record(TileOutcome::Stored(20_000));
    assert_eq!(
        (download.done, download.stored, download.missing),
        (3, 2, 1)
    );
    assert_eq!(download.bytes, 30_000);
    // Once tiles arrived, the estimate is theirs: 15 kB each for the 40 left.
    assert_eq!(download.expected_bytes(), 30_000 + 40 * 15_000);

    // Saved and read back (a reload), it goes on with the fourth tile.
    let text = serde_json::to_string(&download).unwrap();
    let mut again: AreaDownload = serde_json::from_str(&text).unwrap();
    assert_eq!(again, download);
    assert_eq!(again.next_tiles(2), all[3..5]);
    for _ in 3..43 {
        again.record(TileOutcome::Missing);
    }
    assert!(again.finished());
    assert!(again.next_tiles(4).is_empty());
    // Nothing more is counted after the end.
    again.record(TileOutcome::Stored(1));
    assert_eq!((again.done, again.bytes), (43, 30_000));
}
