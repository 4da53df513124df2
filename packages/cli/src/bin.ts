#!/usr/bin/env node
// The `mlflow` executable of an installed @mlflow-ts/cli: hands argv to main().
import { main } from "./main.js";

process.exitCode = await main(process.argv);
