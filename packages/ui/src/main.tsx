import { render } from "preact";
import { App } from "./App.js";
import "./styles.css";
import { startTheme } from "./lib/theme.js";

startTheme();

render(<App />, document.getElementById("root")!);
