/* The search page (search.html): Pagefind's JavaScript API, this theme's
   markup and styles. No inline script anywhere (Content-Security-Policy): the
   page gives its settings in data attributes. Results are built from text
   nodes only; Pagefind's excerpt keeps just its <mark> highlights. */
(function () {
  "use strict";

  var form = document.querySelector("form.search");
  if (!form) return;
  var off = document.querySelector(".search-off");
  var status = document.querySelector(".search-status");
  var list = document.querySelector(".search-results");
  var more = document.querySelector(".search-more");
  var input = form.elements.q;
  var sourceSelect = form.elements.source;
  var tagSelect = form.elements.tag;
  var PAGE = 10;
  var bundle = new URL(form.dataset.bundle, document.baseURI);
  var root = new URL("../", bundle);
  var rules = new Intl.PluralRules("ru");
  var dates = new Intl.DateTimeFormat("ru", {
    day: "numeric", month: "long", year: "numeric", timeZone: "UTC"
  });
  var pagefind = null;
  var results = [];
  var shown = 0;
  var token = 0;
  var timer = 0;

  function say(text) { status.textContent = text; }

  function plural(n, one, few, many) {
    var kind = rules.select(n);
    return n + " " + (kind === "one" ? one : kind === "few" ? few : many);
  }

  function el(name, className, text) {
    var node = document.createElement(name);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  /* Pagefind escapes the page's text and adds <mark> around the hits: keep
     the text and the marks, nothing else. */
  function excerpt(html) {
    var out = document.createDocumentFragment();
    var doc = new DOMParser().parseFromString("<body>" + html + "</body>", "text/html");
    doc.body.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") out.append(el("mark", "", node.textContent));
      else out.append(document.createTextNode(node.textContent));
    });
    return out;
  }

  function item(data) {
    var li = el("li", "entry");
    var heading = el("h2");
    var link = el("a", "", (data.meta && data.meta.title) || data.url);
    link.href = data.url;
    heading.append(link);
    li.append(heading);
    var meta = el("p", "meta");
    var source = data.filters && data.filters.source && data.filters.source[0];
    if (source) meta.append(document.createTextNode(source));
    var day = data.meta && data.meta.date;
    if (day && /^\d{4}-\d\d-\d\d$/.test(day)) {
      if (source) meta.append(document.createTextNode(" · "));
      var time = el("time", "", dates.format(new Date(day + "T00:00:00Z")).replace(/\s*г\.$/, ""));
      time.dateTime = day;
      meta.append(time);
    }
    if (meta.childNodes.length) li.append(meta);
    var text = el("p", "excerpt");
    text.append("… ", excerpt(data.excerpt || ""), " …");
    li.append(text);
    return li;
  }

  function chosenFilters() {
    var filters = {};
    if (sourceSelect.value) filters.source = sourceSelect.value;
    if (tagSelect.value) filters.tag = tagSelect.value;
    return filters;
  }

  function remember(query, filters) {
    var params = new URLSearchParams();
    if (query) params.set("q", query);
    if (filters.source) params.set("source", filters.source);
    if (filters.tag) params.set("tag", filters.tag);
    var search = params.toString();
    history.replaceState(null, "", search ? "?" + search : location.pathname);
  }

  async function showMore(mine) {
    var batch = results.slice(shown, shown + PAGE);
    shown += batch.length;
    var data = await Promise.all(batch.map(function (r) { return r.data(); }));
    if (mine !== token) return;
    data.forEach(function (d) { list.append(item(d)); });
    list.hidden = results.length === 0;
    more.hidden = shown >= results.length;
  }

  async function run() {
    var query = input.value.trim();
    var filters = chosenFilters();
    var mine = ++token;
    remember(query, filters);
    results = [];
    shown = 0;
    if (!query && !filters.source && !filters.tag) {
      list.replaceChildren();
      list.hidden = more.hidden = true;
      say("");
      return;
    }
    say("Ищем…");
    var search = await pagefind.search(query || null, { filters: filters });
    if (mine !== token || !search) return;
    results = search.results;
    list.replaceChildren();
    say(results.length
      ? "Найдено: " + plural(results.length, "статья", "статьи", "статей") + "."
      : "Ничего не найдено. Попробуйте другое слово или уберите фильтры.");
    await showMore(mine);
  }

  function fill(select, counts) {
    Object.keys(counts || {})
      .sort(function (a, b) { return a.localeCompare(b, "ru"); })
      .forEach(function (value) {
        select.add(new Option(value + " (" + counts[value] + ")", value));
      });
  }

  async function start() {
    if (location.protocol === "file:") return; // the index cannot be fetched from a folder
    try {
      pagefind = await import(new URL("pagefind.js", bundle).href);
      await pagefind.options({ baseUrl: root.pathname, excerptLength: 30 });
      await pagefind.init();
      var filters = await pagefind.filters();
      fill(sourceSelect, filters.source);
      fill(tagSelect, filters.tag);
    } catch (error) {
      say("Поиск пока недоступен: индекса нет (статей еще нет или сайт собран без поиска).");
      return;
    }
    off.hidden = true;
    form.hidden = false;
    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    sourceSelect.value = params.get("source") || "";
    tagSelect.value = params.get("tag") || "";
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      run();
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 250);
    });
    sourceSelect.addEventListener("change", run);
    tagSelect.addEventListener("change", run);
    more.querySelector("button").addEventListener("click", function () { showMore(token); });
    if (input.value || sourceSelect.value || tagSelect.value) run();
    input.focus();
  }

  start();
})();
