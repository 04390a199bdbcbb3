// Globals the page gets from classic scripts in index.html (served from node_modules under /vendor/).
declare const uPlot: typeof import('uplot').default;
declare const topojson: typeof import('topojson-client');
