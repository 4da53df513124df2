// MLflow's notebook iframe: `<tracking_uri>/static-files/lib/notebook-trace-renderer/index.html
// ?trace_id=<id>&experiment_id=<exp>&…&version=<mlflow version>` (pairs in order). Each trace gets
// a link to its page in the UI (opened in a new tab) and a one-line summary from the REST API.
(function () {
  var params = new URLSearchParams(window.location.search);
  var traceIds = params.getAll("trace_id");
  var experimentIds = params.getAll("experiment_id");
  // This page is <root>/static-files/lib/notebook-trace-renderer/index.html.
  var root = new URL("../../../", window.location.href);
  var list = document.getElementById("traces");
  if (traceIds.length === 0) {
    list.innerHTML = '<li class="muted">No traces to show.</li>';
    return;
  }
  traceIds.forEach(function (traceId, i) {
    var experimentId = experimentIds[i] || experimentIds[0] || "0";
    var item = document.createElement("li");
    var a = document.createElement("a");
    a.href = new URL("#/experiments/" + encodeURIComponent(experimentId) + "/traces/" + encodeURIComponent(traceId), root).toString();
    a.target = "_blank";
    a.rel = "noopener";
    a.textContent = "Open trace " + traceId + " in MLflow";
    var info = document.createElement("span");
    info.className = "muted";
    item.append(a, " ", info);
    list.append(item);
    fetch(new URL("ajax-api/3.0/mlflow/traces/" + encodeURIComponent(traceId), root), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        var t = body && body.trace && body.trace.trace_info;
        if (!t) return;
        var name = (t.tags && t.tags["mlflow.traceName"]) || "";
        info.textContent = [name, t.state, t.execution_duration, t.request_preview && t.request_preview.slice(0, 120)].filter(Boolean).join(" · ");
      })
      .catch(function () {});
  });
})();
