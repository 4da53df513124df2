#!/usr/bin/env node
// The `mlflow` executable: everything lives in @mlflow-ts/cli; this file only hands it argv.
import { main } from "@mlflow-ts/cli";

process.exitCode = await main(process.argv);
