#!/usr/bin/env -S node --optimize-for-size
// The installed command (npm bin, npx): the bundle `npm pack` builds (prepack), with the node
// flags of `npm start` (docs/performance.md, Memory); env -S splits them.
import "../dist/src/main.mjs";
