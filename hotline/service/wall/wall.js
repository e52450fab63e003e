// The wall display (#30): figures from /wall/data, then live from /wall/events (server-sent
// events, one `wall` event per change). The display token is read from this page's own URL and
// passed on; every text is set with textContent (nothing stored is read as HTML).
"use strict";

(function () {
  const token = new URLSearchParams(location.search).get("token") || "";
  const q = "?token=" + encodeURIComponent(token);
  const labels = JSON.parse(document.getElementById("labels").textContent);
  const alertWaitS = parseInt(document.querySelector('meta[name="alert-wait-s"]').content, 10) || 120;
  const STATES = ["free", "ringing", "talking", "wrapup", "paused", "unregistered", "logged_out"];
  const $ = (id) => document.getElementById(id);

  let offsetMs = 0;          // the hotline's clock minus this browser's
  let longest = null;        // {seconds, at (ms, this browser's clock), waiting}
  let longWaitAlert = false;
  let source = null;
  let retryMs = 2000;
  let retryTimer = null;

  const pad = (n) => String(n).padStart(2, "0");
  const mmss = (s) => s >= 3600 ? Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60)
    : pad(Math.floor(s / 60)) + ":" + pad(s % 60);

  function parseLocal(iso) {
    // the hotline's times are its local time without a zone: read as this browser's local time
    const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?/.exec(iso || "");
    return m ? new Date(+m[1], m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0)) : null;
  }

  function shortTime(iso) {
    const d = parseLocal(iso);
    if (!d) return "";
    const now = new Date(Date.now() + offsetMs);
    const day = d.toDateString() === now.toDateString() ? "" : (d.getMonth() + 1) + "月" + d.getDate() + "日 ";
    return day + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function fill(list, items, render, empty) {
    list.replaceChildren();
    if (!items.length) {
      list.appendChild(el("li", "empty", empty));
      return;
    }
    for (const item of items) list.appendChild(render(item));
  }

  function tick() {
    const now = new Date(Date.now() + offsetMs);
    const week = "日一二三四五六"[now.getDay()];
    $("date").textContent = now.getFullYear() + "年" + (now.getMonth() + 1) + "月" + now.getDate() + "日 星期" + week;
    $("clock").textContent = pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds());
    if (longest) {
      // the longest wait keeps counting between pushes while somebody waits
      const s = longest.waiting > 0 ? longest.seconds + Math.max(0, Math.floor((Date.now() - longest.at) / 1000)) : 0;
      $("longest-wait").textContent = longest.waiting > 0 ? mmss(s) : "00:00";
      $("longest-tile").classList.toggle("over", longest.waiting > 0 && (s >= alertWaitS || longWaitAlert));
    }
  }

  function show(w) {
    const now = parseLocal(w.now);
    if (now) offsetMs = now.getTime() - Date.now();
    const s = w.summary || {};
    $("waiting").textContent = s.waiting ?? 0;
    longest = {seconds: s.longest_wait_s || 0, at: Date.now(), waiting: s.waiting || 0};
    $("service-level").textContent = s.service_level == null ? "–" : Math.round(s.service_level * 1000) / 10;
    $("answered").textContent = s.answered_today ?? 0;
    $("open-repairs").textContent = s.open_repairs ?? 0;
    $("overdue-repairs").textContent = s.overdue_repairs ?? 0;
    $("overdue-repairs").classList.toggle("bad", (s.overdue_repairs || 0) > 0);
    $("open-complaints").textContent = s.open_complaints ?? 0;
    $("open-complaints").classList.toggle("bad", (s.open_complaints || 0) > 0);

    const byState = s.agents_by_state || {};
    const agents = $("agents");
    agents.replaceChildren();
    for (const st of STATES) {
      const li = el("li", "state " + st + ((byState[st] || 0) ? "" : " zero"));
      li.append(el("span", "label", labels.states[st] || st), el("span", "num", String(byState[st] || 0)));
      agents.appendChild(li);
    }

    fill($("hot-spots"), s.hot_spots || [], (h) => {
      const li = el("li");
      const where = [h.district, h.compound, h.building ? h.building + "号楼" : ""].filter(Boolean).join(" ");
      li.append(el("span", "what", where || h.key || ""), el("span", "count", (h.repairs || 0) + " 件"));
      return li;
    }, "暂无");

    const alerts = (w.alerts || []).filter((a) => !a.cleared_at);
    longWaitAlert = alerts.some((a) => a.kind === "long_wait");
    fill($("alerts"), alerts, (a) => {
      const li = el("li", a.acked_at ? "acked" : "new");
      li.append(el("span", "kind", labels.alerts[a.kind] || a.kind), el("span", "what", a.message || ""),
                el("span", "when", shortTime(a.raised_at)));
      return li;
    }, "无告警");

    fill($("outages"), (w.outages || []).filter((o) => !o.ended_at), (o) => {
      const li = el("li");
      li.append(el("span", "what", (o.area || "").split("/").join(" ")),
                el("span", "count", "已登记 " + (o.affected || 0) + " 户"),
                el("span", "when", o.until ? "预计 " + shortTime(o.until) + " 恢复供热" : ""));
      return li;
    }, "无停热");
    tick();
  }

  function connected(ok) {
    $("status").hidden = ok;
  }

  function refused(message) {
    $("refused-message").textContent = message;
    $("refused").hidden = false;
  }

  async function probe() {
    // after the stream dropped: is the hotline there, and is this display's token still good?
    try {
      const r = await fetch("/wall/data" + q, {cache: "no-store", credentials: "omit"});
      if (r.status === 401 || r.status === 429) {
        const body = await r.json().catch(() => ({}));
        refused(body.error || "大屏令牌无效,请联系管理员");
        return r.status === 429 ? 60000 : null;    // revoked or unknown: no more tries
      }
      if (r.ok) show(await r.json());
    } catch (e) { /* the hotline is away: try again */ }
    return retryMs;
  }

  async function reconnect() {
    if (source) { source.close(); source = null; }
    connected(false);
    const wait = await probe();
    if (wait === null) return;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, wait);
    retryMs = Math.min(retryMs * 2, 30000);
  }

  function connect() {
    source = new EventSource("/wall/events" + q);
    source.addEventListener("wall", (ev) => {
      retryMs = 2000;
      $("refused").hidden = true;
      connected(true);
      show(JSON.parse(ev.data));
    });
    source.onerror = () => { reconnect(); };
  }

  tick();
  setInterval(tick, 1000);
  connect();
})();
