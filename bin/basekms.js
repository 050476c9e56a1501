#!/usr/bin/env node
// The one `basekms` CLI. Sources are TypeScript; tsx compiles them on load, so the
// installed package runs exactly the code in the repository.
"use strict";
require("tsx/cjs");
require("../cli/main.ts")
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
