// Injected by cli_html_chromium.sh into a copy of the report page (the page
// itself has no script): checks the layout at the window's width and writes
// the result into <body data-layout="...">, which --dump-dom then shows.
(function () {
  var vw = document.documentElement.clientWidth, out = {width: vw, small: [], wide: [], overlap: []};
  var all = document.querySelectorAll("body *");
  for (var i = 0; i < all.length; i++) {
    var el = all[i], own = "";
    for (var c = el.firstChild; c; c = c.nextSibling)
      if (c.nodeType === 3) own += c.nodeValue;
    if (!own.trim()) continue;
    var st = getComputedStyle(el);
    if (st.display === "none" || st.visibility === "hidden") continue;
    var px = parseFloat(st.fontSize), svg = el.ownerSVGElement;
    if (svg) {                      // SVG text is scaled by its viewBox
      var m = svg.getScreenCTM();
      px *= m ? Math.abs(m.a) : 1;
    }
    if (px < 11 - 1e-6) out.small.push(el.tagName + " " + px.toFixed(2) + " " + own.trim().slice(0, 30));
  }
  var tables = document.querySelectorAll("table");
  for (var t = 0; t < tables.length; t++) {
    var r = tables[t].getBoundingClientRect();
    if (r.right > vw + 1) out.wide.push(Math.round(r.right) + " > " + vw);
  }
  if (document.documentElement.scrollWidth > vw + 1)  // the page itself scrolls sideways
    out.wide.push("page " + document.documentElement.scrollWidth + " > " + vw);
  var boxes = [];
  document.querySelectorAll("#quadrant text.quad, #quadrant g.rec circle").forEach(function (e) {
    boxes.push([e.tagName + (e.textContent ? ":" + e.textContent : ""), e.getBoundingClientRect()]);
  });
  for (var a = 0; a < boxes.length; a++)
    for (var b = a + 1; b < boxes.length; b++) {
      var p = boxes[a][1], q = boxes[b][1], hit;
      if (boxes[a][0] === "circle" && boxes[b][0] === "circle") { // two points: as circles
        var dx = (p.left + p.right - q.left - q.right) / 2, dy = (p.top + p.bottom - q.top - q.bottom) / 2;
        hit = Math.sqrt(dx * dx + dy * dy) < (p.width + q.width) / 2 - 0.5;
      } else {                                                   // a label: as boxes
        hit = p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom;
      }
      if (hit) out.overlap.push(boxes[a][0] + " / " + boxes[b][0]);
    }
  // In a frame (the test's way to get a 400 px viewport), report to the page around it.
  var host = window.parent !== window ? window.parent.document.body : document.body;
  host.setAttribute("data-layout", JSON.stringify(out));
})();
