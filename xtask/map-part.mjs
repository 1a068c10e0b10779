// Builds the map's on-demand part (issue 26) into dist/map-part/: public/map.js with the Leaflet
// modules it imports as one minified script, and public/map.css with Leaflet's styles as one
// minified stylesheet. esbuild (npm, package.json) bundles them. Run by `cargo xtask dist`
// after Trunk (xtask/src/map_part.rs); src/river_map.rs loads the two files when a map first
// opens.
//
// Leaflet's modules for the canvas renderer, old Internet Explorer's VML and marker dragging
// are left out: the map draws its lines with SVG, no browser the app runs in has VML, and no
// marker is dragged. Leaflet's code asks for each before using it (`preferCanvas`,
// `Browser.vml`, `if (MarkerDrag)`), so each becomes an empty module here.
//
// Leaflet's stylesheet is cut the same way: the rules of the parts left out or never imported
// (popups, tooltips, the layers control, box zoom, image overlays, VML, the default marker
// image, old Internet Explorer) are dropped as it is bundled. A rule with any selector still
// in use, and every @-rule, is kept as it is.
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';

const [outdir] = process.argv.slice(2);
if (!outdir) {
  console.error('usage: node xtask/map-part.mjs <dist>/map-part');
  process.exit(2);
}

const leftOut = {
  'layer/vector/Canvas': 'export var Canvas, canvas;',
  'layer/vector/SVG.VML': 'export var vmlCreate, vmlMixin;',
  'layer/marker/Marker.Drag': 'export var MarkerDrag;',
};

const leaveOut = {
  name: 'leave-out',
  setup(b) {
    b.onResolve({ filter: /\/(Canvas|SVG\.VML|Marker\.Drag)$/ }, (args) => {
      const key = Object.keys(leftOut).find((k) => args.path.endsWith(k.split('/').pop()));
      return key && args.resolveDir.includes('leaflet') ? { path: key, namespace: 'left-out' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({ contents: leftOut[args.path], loader: 'js' }));
  },
};

const unusedStyle = /\.leaflet-(popup|tooltip|control-layers|zoom-box|crosshair|image-layer|vml|oldie|retina|default-icon-path|marker-shadow)\b/;

/** `css` without its top-level rules whose every selector is of a part not in the build. */
function leafletStyleInUse(css) {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '');
  let kept = '';
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] !== '}' || --depth !== 0) continue;
    const rule = text.slice(start, i + 1);
    const prelude = rule.slice(0, rule.indexOf('{')).trim();
    const unused = !prelude.startsWith('@') && prelude.split(',').every((s) => unusedStyle.test(s));
    if (!unused) kept += rule;
    start = i + 1;
  }
  return kept + text.slice(start);
}

const trimStyle = {
  name: 'trim-leaflet-style',
  setup(b) {
    b.onLoad({ filter: /leaflet[\\/]dist[\\/]leaflet\.css$/ }, async (args) => ({
      contents: leafletStyleInUse(await readFile(args.path, 'utf8')),
      loader: 'css',
    }));
  },
};

await build({
  entryPoints: ['public/map.js', 'public/map.css'],
  outdir,
  bundle: true,
  minify: true,
  format: 'iife',
  // The oldest engines the app starts in (docs/compatibility.md): Chrome 80's cores, Safari 14.
  target: ['chrome80', 'safari14', 'firefox78'],
  plugins: [leaveOut, trimStyle],
  legalComments: 'none',
  logLevel: 'warning',
});
