#!/usr/bin/env node
// The installed command (npm bin, npx): the bundle `npm pack` builds (prepack).
import "../dist/src/main.mjs";
