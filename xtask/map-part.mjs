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

await build({
  entryPoints: ['public/map.js', 'public/map.css'],
  outdir,
  bundle: true,
  minify: true,
  format: 'iife',
  // The oldest engines the app starts in (docs/compatibility.md): Chrome 80's cores, Safari 14.
  target: ['chrome80', 'safari14', 'firefox78'],
  // Images only Leaflet's unused controls and default marker refer to: never fetched.
  external: ['*.png'],
  plugins: [leaveOut],
  legalComments: 'none',
  logLevel: 'warning',
});
