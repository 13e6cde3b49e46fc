// The gallery of a medgen report: cards drawn a page at a time from the JSON in #gallery-data.
// Sample fields (short to keep pages of thousands of samples small): id, t task, m modality, p prompt,
// a model answer, r reference answer, in / o / g input images, output image, reference image as
// [thumbnail index, link, reference], s scores [key index, value, passed 1/0/null], x problems
// [key index, reason index, kind], k failure kinds, ok passes every metric (1/0, absent: no threshold),
// e prediction error, j verdicts [judge, mode, overall, [[dimension index, score]], analysis,
// [[dimension index, explanation]], why none]; reasons and dimensions are the shared lists indexed.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("gallery-data").textContent);
  const PAGE = 40;
  const $ = (id) => document.getElementById(id);
  const state = { page: 0, shown: data.samples };

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (name === "class") node.className = value;
      else node.setAttribute(name, value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function num(value) {
    if (value === null || value === undefined) return "-";
    return String(Number(Number(value).toPrecision(3)));
  }

  function fill(select, options) {
    for (const [value, label] of options) select.append(el("option", { value: value }, label));
  }

  function setUp() {
    fill($("f-task"), [["", "all tasks"], ...data.tasks.map((t) => [t, t])]);
    fill($("f-modality"), [["", "all modalities"], ...data.modalities.map((m) => [m, m])]);
    fill($("f-metric"), [["", "every metric"], ...data.keys.map((k, i) => [String(i), k])]);
    fill($("f-outcome"), [["", "pass or fail"], ["pass", "passes"], ["fail", "fails"]]);
    fill($("f-failure"), [["", "any"], ["none", "no failure"],
      ...Object.entries(data.failure_kinds).map(([k, label]) => [k, label])]);
    for (const id of ["f-task", "f-modality", "f-metric", "f-outcome", "f-failure"]) {
      $(id).addEventListener("change", apply);
    }
    $("f-search").addEventListener("input", apply);
    $("prev").addEventListener("click", () => { state.page -= 1; draw(); });
    $("next").addEventListener("click", () => { state.page += 1; draw(); });
  }

  function outcomeFor(sample, metric) {
    if (metric === "") return sample.ok;
    const key = Number(metric);
    const score = (sample.s || []).find((s) => s[0] === key);
    if (score) return score[2];
    if ((sample.x || []).some((x) => x[0] === key && x[2] !== "not_done")) return 0;
    return undefined;
  }

  function matches(sample, f) {
    if (f.task && sample.t !== f.task) return false;
    if (f.modality && sample.m !== f.modality) return false;
    if (f.metric !== "" && !(sample.s || []).concat(sample.x || []).some((s) => s[0] === Number(f.metric))) {
      return false;
    }
    if (f.outcome) {
      const ok = outcomeFor(sample, f.metric);
      if (ok === undefined || ok === null) return false;
      if ((f.outcome === "pass") !== (ok === 1)) return false;
    }
    const kinds = sample.k || [];
    if (f.failure === "none" && kinds.length) return false;
    if (f.failure && f.failure !== "none" && !kinds.includes(f.failure)) return false;
    if (f.search && !(sample.id.toLowerCase().includes(f.search) ||
                      (sample.p || "").toLowerCase().includes(f.search))) return false;
    return true;
  }

  function apply() {
    const f = {
      task: $("f-task").value, modality: $("f-modality").value, metric: $("f-metric").value,
      outcome: $("f-outcome").value, failure: $("f-failure").value,
      search: $("f-search").value.trim().toLowerCase(),
    };
    state.shown = data.samples.filter((s) => matches(s, f));
    state.page = 0;
    draw();
  }

  function figure(image, caption) {
    if (!image) return null;
    const [index, href, ref] = image;
    const src = index === null ? null : data.images[index];
    let body;
    if (src) body = el("img", { src: src, alt: caption + ": " + ref });
    else body = el("div", { class: "missing", title: ref }, index === null ? "not on disk" : "cannot decode");
    if (href) body = el("a", { href: href, target: "_blank", title: ref }, body);
    return el("figure", {}, body, el("figcaption", {}, caption));
  }

  function text(label, value) {
    if (value === null || value === undefined || value === "") return null;
    return [el("dt", {}, label), el("dd", {}, value)];
  }

  function verdicts(sample) {
    if (!sample.j) return null;
    const box = el("details", {}, el("summary", {}, "judge analysis (" + sample.j.length + ")"));
    for (const [judge, mode, overall, dims, analysis, explanations, why] of sample.j) {
      box.append(el("h4", {}, judge + " · " + mode.replace("_", " ") + ": " + (overall === null ? why : num(overall))));
      const dimText = (dims || []).map(([d, v]) => data.dimensions[d] + " " + num(v)).join(", ");
      if (dimText) box.append(el("p", { class: "muted" }, dimText));
      if (analysis) box.append(el("p", {}, analysis));
      for (const [d, told] of explanations || []) box.append(el("p", {}, data.dimensions[d] + ": " + told));
    }
    return box;
  }

  function card(sample) {
    const status = sample.ok === 1 ? "pass" : sample.ok === 0 ? "fail" : "";
    const badge = el("span", { class: "badge " + status }, status || "no threshold");
    const head = el("header", {}, el("span", {}, el("b", {}, sample.t), " · " + sample.m + " ",
      el("span", { class: "id" }, sample.id)), badge);
    const images = el("div", { class: "images" });
    (sample.in || []).forEach((image, i) => {
      const f = figure(image, sample.in.length > 1 ? "input " + (i + 1) : "input");
      if (f) images.append(f);
    });
    for (const [image, caption] of [[sample.o, "model output"], [sample.g, "reference"]]) {
      const f = figure(image, caption);
      if (f) images.append(f);
    }
    const texts = el("dl", {});
    for (const part of [text("instruction", sample.p), text("model answer", sample.a),
      text("reference answer", sample.r)]) {
      if (part) texts.append(...part);
    }
    const scores = el("table", { class: "scores" });
    for (const [key, value, ok] of sample.s || []) {
      const mark = ok === 1 ? el("span", { class: "ok" }, "pass") : ok === 0 ? el("span", { class: "bad" }, "fail") : "";
      scores.append(el("tr", {}, el("td", {}, data.keys[key]), el("td", {}, num(value)), el("td", {}, mark)));
    }
    const problems = (sample.x || []).map(([key, reason, kind]) =>
      el("div", { class: "problem " + kind }, data.keys[key] + ": " + data.reasons[reason]));
    const error = sample.e ? el("div", { class: "problem" }, "prediction failed: " + sample.e) : null;
    return el("article", { class: "card " + status, "data-id": sample.id }, head,
      images.childNodes.length ? images : null, texts, error, scores, ...problems, verdicts(sample));
  }

  function draw() {
    const total = state.shown.length;
    const pages = Math.max(1, Math.ceil(total / PAGE));
    state.page = Math.min(Math.max(state.page, 0), pages - 1);
    const start = state.page * PAGE;
    const end = Math.min(total, start + PAGE);
    const box = $("cards");
    box.replaceChildren(...state.shown.slice(start, end).map(card));
    $("count").textContent = total ? "showing " + (start + 1) + "–" + end + " of " + total +
      " matching (" + data.samples.length + " samples in all)" : "no sample matches";
    $("prev").disabled = state.page === 0;
    $("next").disabled = state.page >= pages - 1;
  }

  setUp();
  draw();
})();
