#!/usr/bin/env node
// The `capsule` CLI: a thin launcher for the bundled CLI in dist/.
require('../dist/cli.js');
