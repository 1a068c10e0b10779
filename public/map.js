// River Patrol's map (一张图) over Leaflet: built with the parts of Leaflet it uses into one
// file, dist/map-part/map.js (xtask/map-part.mjs bundles it with esbuild when the app is built),
// loaded when the map first opens (src/river_map.rs), never on the first screen. The app's wasm
// decides what to draw (which problems, clustered by patrol-core's map_clusters); this file only
// draws it and reports back the view and a marker worked as DOM events on the map's element
// (`rivermap-view`, `rivermap-marker`, with a `detail`). It is plain JavaScript, called through
// `window.RiverMap` with JSON, so that the first screen's JavaScript (wasm-bindgen's glue,
// which holds every import the whole app makes) does not grow by a binding for each Leaflet
// call.
//
// Only the Leaflet modules imported here are in the build (not popups, tooltips, GeoJSON,
// image overlays, the canvas renderer, box zoom, the layers control, marker dragging): the
// map's download stays small (issue 26's weight). A Leaflet feature used below must be
// imported here first.
//
// Placing a point by hand (`pick`): a crosshair marks the map's middle (map.css), the map moves
// under it (dragged, the arrow keys, or a tap, which brings the tapped spot to the middle), and
// each view reports its middle as `lat`, `lon`: the point the record form takes.
//
// Markers are buttons: Leaflet gives each keyboard-reachable marker tabindex 0 and role
// "button", Enter and Space work it, and the text inside is its accessible name (a problem's
// description, or a cluster's count). Status is told by shape and a symbol, not by colour alone.
import { createMap } from 'leaflet/src/map/Map';
// The map's handlers add themselves to every map: drag, pinch, double tap, wheel, keyboard.
import 'leaflet/src/map/handler/Map.Drag';
import 'leaflet/src/map/handler/Map.TouchZoom';
import 'leaflet/src/map/handler/Map.DoubleClickZoom';
import 'leaflet/src/map/handler/Map.ScrollWheelZoom';
import 'leaflet/src/map/handler/Map.Keyboard';
// The attribution adds itself (attributionControl); the zoom buttons are added named in the
// app's language.
import { zoom } from 'leaflet/src/control/Control.Zoom';
import 'leaflet/src/control/Control.Attribution';
import { scale } from 'leaflet/src/control/Control.Scale';
import { layerGroup } from 'leaflet/src/layer/LayerGroup';
import { marker } from 'leaflet/src/layer/marker/Marker';
import { divIcon } from 'leaflet/src/layer/marker/DivIcon';
import { tileLayer } from 'leaflet/src/layer/tile/TileLayer';
import { polyline } from 'leaflet/src/layer/vector/Polyline';
import { circle } from 'leaflet/src/layer/vector/Circle';
import { circleMarker } from 'leaflet/src/layer/vector/CircleMarker';
// Lines and circles find their (SVG) renderer through the map.
import 'leaflet/src/layer/vector/Renderer.getRenderer';

(function () {
  'use strict';
  var L = {
    map: createMap, tileLayer: tileLayer, layerGroup: layerGroup, marker: marker, divIcon: divIcon,
    polyline: polyline, circle: circle, circleMarker: circleMarker, control: { scale: scale, zoom: zoom },
  };

  function markerIcon(m) {
    var el = document.createElement('span');
    el.className = 'map-marker ' + (m.count > 1 ? 'map-cluster' : 'map-status-' + m.status) +
      (m.overdue ? ' map-overdue' : '');
    var symbol = document.createElement('span');
    symbol.className = 'map-symbol';
    symbol.setAttribute('aria-hidden', 'true');
    symbol.textContent = m.symbol;
    el.appendChild(symbol);
    var name = document.createElement('span');
    name.className = 'visually-hidden';
    name.textContent = m.name;
    el.appendChild(name);
    var size = m.count > 1 ? 40 : 32;
    return L.divIcon({ html: el, className: 'map-marker-box', iconSize: [size, size] });
  }

  function tell(element, name, detail) {
    element.dispatchEvent(new CustomEvent(name, { detail: detail }));
  }

  // `json`: {tiles, attribution, maxZoom, maxNativeZoom, crossOrigin, bounds | center + zoom,
  // pick, zoomIn, zoomOut}.
  function open(element, json) {
    var options = JSON.parse(json);
    var map = L.map(element, {
      zoomControl: false,
      attributionControl: true,
      maxZoom: options.maxZoom,
      minZoom: 3,
      keyboard: true,
    });
    map.attributionControl.setPrefix(false);
    L.control.zoom({ zoomInTitle: options.zoomIn, zoomOutTitle: options.zoomOut }).addTo(map);
    if (options.tiles) {
      L.tileLayer(options.tiles, {
        maxZoom: options.maxZoom,
        maxNativeZoom: options.maxNativeZoom,
        attribution: options.attribution,
        // A tile that cannot be had (offline, not downloaded) is left blank.
        errorTileUrl: '',
        crossOrigin: options.crossOrigin ? 'anonymous' : undefined,
      }).addTo(map);
    } else {
      element.classList.add('map-grid');
    }
    L.control.scale({ imperial: false }).addTo(map);
    if (options.bounds) {
      var b = options.bounds;
      map.fitBounds([[b.south, b.west], [b.north, b.east]], { maxZoom: 16, padding: [24, 24] });
    } else {
      map.setView([options.center[0], options.center[1]], options.zoom);
    }

    var markers = L.layerGroup().addTo(map);
    var drawn = null;
    var tracks = L.layerGroup().addTo(map);
    var here = L.layerGroup().addTo(map);

    function view() {
      var b = map.getBounds();
      var c = map.getCenter();
      tell(element, 'rivermap-view', {
        zoom: map.getZoom(), south: b.getSouth(), west: b.getWest(), north: b.getNorth(), east: b.getEast(),
        lat: c.lat, lon: c.lng,
      });
    }
    map.on('moveend', view);
    if (options.pick) {
      element.classList.add('map-picking');
      map.on('click', function (e) { map.panTo(e.latlng); });
    }

    return {
      // The current view, as a `rivermap-view` event (then after every move).
      tellView: view,
      // [{key, lat, lon, count, name, symbol, status, overdue, bounds}] as JSON.
      setMarkers: function (json) {
        // The same markers again (a sync that changed nothing on the map): nothing to redraw.
        if (json === drawn) return;
        drawn = json;
        // A marker that has the keyboard's focus keeps it through the redrawing.
        var focused = document.activeElement;
        var focusedKey = focused && element.contains(focused) ? focused.getAttribute('data-key') : null;
        markers.clearLayers();
        JSON.parse(json).forEach(function (m) {
          var marker = L.marker([m.lat, m.lon], {
            icon: markerIcon(m),
            keyboard: true,
            title: '',
            riseOnHover: true,
          });
          function act() {
            if (m.count > 1 && map.getZoom() < map.getMaxZoom()) {
              var b = m.bounds;
              map.fitBounds([[b.south, b.west], [b.north, b.east]], { padding: [48, 48] });
            } else {
              tell(element, 'rivermap-marker', { key: m.key });
            }
          }
          marker.on('click', act);
          // A marker is a button: Enter and Space work it (Leaflet itself only opens popups on
          // Enter).
          marker.on('keypress', function (e) {
            var key = e.originalEvent.key;
            if (key === 'Enter' || key === ' ') {
              e.originalEvent.preventDefault();
              act();
            }
          });
          markers.addLayer(marker);
          var icon = marker.getElement();
          icon.setAttribute('data-key', m.key);
          if (m.key === focusedKey) icon.focus();
        });
      },
      // [{points: [[lat, lon], …], active}] as JSON.
      setTracks: function (json) {
        tracks.clearLayers();
        JSON.parse(json).forEach(function (t) {
          L.polyline(t.points, {
            className: t.active ? 'map-track map-track-active' : 'map-track',
            interactive: false,
          }).addTo(tracks);
        });
      },
      // {lat, lon, accuracy} as JSON.
      setPosition: function (json) {
        var p = JSON.parse(json);
        var lat = p.lat, lon = p.lon, accuracy = p.accuracy;
        here.clearLayers();
        if (accuracy > 0) {
          L.circle([lat, lon], { radius: accuracy, className: 'map-accuracy', interactive: false })
            .addTo(here);
        }
        L.circleMarker([lat, lon], { radius: 7, className: 'map-here', interactive: false })
          .addTo(here);
      },
      // {lat, lon, zoom?} as JSON.
      centre: function (json) {
        var p = JSON.parse(json);
        map.setView([p.lat, p.lon], p.zoom || Math.max(map.getZoom(), 15));
      },
      close: function () { map.remove(); },
    };
  }

  window.RiverMap = { open: open };
})();
