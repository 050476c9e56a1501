"use strict";
// The auditors' page. Plain JavaScript, no build step, no third-party code. Everything shown comes
// from this indexer's API; every value is inserted as text, never as HTML.
(function () {
  const $ = (id) => document.getElementById(id);
  const el = (tag, text, attributes) => {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    return node;
  };
  const iso = (seconds) => (seconds === null || seconds === undefined ? "-" : new Date(seconds * 1000).toISOString().replace(".000Z", "Z"));
  const getJson = async (path) => {
    const response = await fetch(path, { headers: { accept: "application/json" } });
    const body = await response.json();
    if (!response.ok) throw new Error(`${body.errorCode || response.status}: ${body.message || ""}`);
    return body;
  };

  async function showAuditStatus() {
    const status = await getJson("/v1/audit");
    const badge = $("audit-status");
    badge.className = `status ${status.status}`;
    badge.textContent = status.status === "green" ? "Audit status: GREEN — nothing to report" : `Audit status: RED — ${status.reasons.length} reason(s)`;
    const list = $("audit-reasons");
    list.replaceChildren(
      ...status.reasons.map((reason) => {
        const item = el("li");
        item.append(el("span", reason.code, { class: "code" }), el("span", reason.message));
        return item;
      }),
    );
    const log = status.log.mirrored
      ? `release log of ${status.log.kms || "?"}: ${status.log.treeSize} entries verified, ${status.log.leavesJudged} decisions re-checked, ${status.log.unanchoredEntries ?? "?"} not yet anchored${status.log.reachable === false ? ` (log unreachable: ${status.log.lastError})` : ""}`
      : "no release log mirrored";
    $("sync-info").textContent = `synced to block ${status.syncedBlock}${status.chainHead === null ? "" : ` (chain head ${status.chainHead})`}; ${log}`;
  }

  async function showApps() {
    const { apps } = await getJson("/v1/apps");
    const select = $("app-select");
    const selected = select.value || new URLSearchParams(location.search).get("app");
    select.replaceChildren(...apps.map((app) => el("option", `${app.appId} (${app.releases} releases${app.frozen ? ", frozen" : ""})`, { value: app.appId })));
    if (apps.length === 0) {
      $("app-summary").textContent = "no app registered yet";
      return;
    }
    if (selected && apps.some((app) => app.appId === selected)) select.value = selected;
    await showApp(select.value);
  }

  async function showApp(appId) {
    const [app, timeline, policy] = await Promise.all([
      getJson(`/v1/apps/${appId}`),
      getJson(`/v1/apps/${appId}/timeline`),
      getJson(`/v1/apps/${appId}/policy`),
    ]);
    const current = app.current;
    $("app-summary").textContent = `created by ${app.creator} in block ${app.registered.blockNumber}; ${current.threshold} of ${current.signers.length} signers, notice ${current.noticePeriod} s${app.frozen ? "; frozen" : ""}; ${app.keyReleases} key releases logged`;
    const allowed = $("allowed-now");
    allowed.replaceChildren(el("p", `Allowed at block ${policy.block}: ${policy.allowedComposeHashes.length ? "" : "none"}`));
    for (const hash of policy.allowedComposeHashes) allowed.append(el("code", hash), el("br"));
    const list = $("timeline");
    list.replaceChildren(
      ...timeline.items.map((item) => {
        const entry = el("li", undefined, { "data-kind": item.kind });
        entry.append(el("span", iso(item.time), { class: "when" }), el("span", item.kind, { class: "kind" }), el("span", item.title));
        if (item.blockNumber !== null) entry.append(el("span", ` · block ${item.blockNumber}`, { class: "muted" }));
        return entry;
      }),
    );
    if (timeline.keyReleasesOmitted > 0) list.append(el("li", `… and ${timeline.keyReleasesOmitted} older key releases`, { "data-kind": "note" }));
  }

  async function showReport(event) {
    event.preventDefault();
    const appId = $("app-select").value;
    const from = encodeURIComponent($("report-from").value);
    const to = encodeURIComponent($("report-to").value);
    const target = $("report-result");
    try {
      const report = await getJson(`/v1/apps/${appId}/report?from=${from}&to=${to}`);
      const table = el("table", undefined, { id: "report-table" });
      const header = el("tr");
      for (const title of ["compose hash", "allowed in period", "key releases", "distinct instances"]) header.append(el("th", title));
      table.append(header);
      for (const entry of report.composeHashes) {
        const row = el("tr");
        row.append(el("td", entry.composeHash, { class: "hash" }), el("td", entry.allowedInPeriod ? "yes" : "NO"), el("td", String(entry.keyReleases)), el("td", String(entry.distinctInstances)));
        table.append(row);
      }
      const totals = report.totals;
      target.replaceChildren(
        el("p", `${iso(report.period.from)} .. ${iso(report.period.to)}: ${totals.composeHashesAllowed} compose hashes allowed, ${totals.composeHashesWithKeys} received keys, ${totals.keyReleases} key releases to ${totals.distinctInstances} distinct instances`),
        table,
      );
    } catch (error) {
      target.replaceChildren(el("p", String(error.message), { class: "status red" }));
    }
  }

  async function refresh() {
    try {
      await showAuditStatus();
      await showApps();
    } catch (error) {
      $("audit-status").textContent = `Audit status: unavailable (${error.message})`;
    }
  }

  $("app-select").addEventListener("change", () => showApp($("app-select").value).catch((error) => ($("app-summary").textContent = error.message)));
  $("report-form").addEventListener("submit", showReport);
  refresh();
  setInterval(showAuditStatus, 10000);
})();
