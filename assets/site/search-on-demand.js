// The site-search index is downloaded on first use of search, not on every page load. Material's bundle fetches
// search/search_index.json (by XMLHttpRequest) as soon as it starts; this script (loaded in <head>, before the bundle) holds that one
// request back until the reader opens or focuses the search box, or presses a search shortcut (/, s, f).
(function () {
  "use strict";
  var proto = window.XMLHttpRequest && window.XMLHttpRequest.prototype;
  if (!proto) return;
  var open = proto.open;
  var send = proto.send;
  var INDEX = /\/search\/search_index\.json(\?|$)/;
  var release = null;
  var wanted = new Promise(function (resolve) { release = resolve; });
  function use() {
    if (!release) return;
    release();
    release = null;
    document.removeEventListener("focusin", onFocus, true);
    document.removeEventListener("click", onClick, true);
    document.removeEventListener("keydown", onKey, true);
  }
  function onFocus(event) {
    if (event.target && event.target.matches && event.target.matches("[data-md-component=search-query]")) use();
  }
  function onClick(event) {
    if (event.target && event.target.closest && event.target.closest("label[for=__search], [data-md-component=search]")) use();
  }
  function onKey(event) {
    var field = event.target && event.target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName);
    if (!field && (event.key === "/" || event.key === "s" || event.key === "f")) use();
  }
  document.addEventListener("focusin", onFocus, true);
  document.addEventListener("click", onClick, true);
  document.addEventListener("keydown", onKey, true);
  // Material requests the index with XMLHttpRequest: the request is opened at once and sent on first use.
  proto.open = function (method, url) {
    this.__knollmIndex = INDEX.test(String(url));
    return open.apply(this, arguments);
  };
  proto.send = function () {
    var request = this;
    var args = arguments;
    if (request.__knollmIndex && release) {
      wanted.then(function () { send.apply(request, args); });
      return undefined;
    }
    return send.apply(request, args);
  };
})();
