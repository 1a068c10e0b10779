//! docs/openapi.yaml describes exactly the routes the server has (`api::ROUTES`, which the sync
//! tests call one by one).

use std::collections::BTreeSet;

use river_patrol_server::routes::ROUTES;

const METHODS: &[&str] = &["get", "put", "post", "delete", "head", "patch", "options"];

/// (method, path) of every operation under `paths:`, read from the YAML's indentation (paths at
/// two spaces, methods at four).
fn documented() -> BTreeSet<(String, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.yaml");
    let text = std::fs::read_to_string(path).expect("docs/openapi.yaml");
    let mut out = BTreeSet::new();
    let mut in_paths = false;
    let mut current: Option<String> = None;
    for line in text.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            in_paths = line.trim_end() == "paths:";
            current = None;
            continue;
        }
        if !in_paths {
            continue;
        }
        if let Some(p) = line.strip_prefix("  /") {
            current = Some(format!("/{}", p.trim_end().trim_end_matches(':')));
        } else if let (Some(p), Some(m)) = (&current, line.strip_prefix("    ")) {
            let m = m.trim_end().trim_end_matches(':');
            if METHODS.contains(&m) {
                out.insert((m.to_owned(), p.clone()));
            }
        }
    }
    out
}

#[test]
fn every_route_is_documented_and_nothing_else() {
    let routes: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(routes.len(), ROUTES.len(), "ROUTES has duplicates");
    assert_eq!(documented(), routes);
}
