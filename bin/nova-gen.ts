#!/usr/bin/env node
/**
 * nova-gen: the NIDL compiler's command line. All logic lives in
 * generator/cli; this file only wires the process to it.
 */
import { runNovaGen } from "../generator/cli/program.js";

const code = await runNovaGen(process.argv.slice(2));
process.exitCode = code;
