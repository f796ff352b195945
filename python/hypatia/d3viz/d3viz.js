// d3viz front end: draws a graph laid out by Graphviz as SVG, with zoom, pan, node dragging,
// tooltips, label editing, nested graphs (double click) and profile colours. No dependencies.
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("hypatia-graph-data").textContent);
  var svg = document.getElementById("canvas");
  var viewport = document.getElementById("viewport");
  var tip = document.getElementById("tooltip");
  var view = { x: 20, y: 20, k: 1 };
  var profileColors = false;
  var allNodes = [];  // every drawn node (top level and expanded inner graphs)

  function el(name, attrs, parent) {
    var e = document.createElementNS(SVGNS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function applyView() {
    viewport.setAttribute("transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")");
  }
  function fit() {
    var w = svg.clientWidth || 800, h = svg.clientHeight || 600;
    var k = Math.min(w / (data.graph.width + 40), h / (data.graph.height + 40), 2);
    view = { k: k, x: (w - data.graph.width * k) / 2, y: 20 };
    applyView();
  }
  // Profile time -> colour from white (no time) to red (the slowest node).
  function heat(frac) {
    var g = Math.round(255 * (1 - frac));
    return "rgb(255," + g + "," + g + ")";
  }
  function nodeFill(n) {
    if (profileColors && n.kind === "apply") return heat(data.max_profile > 0 ? (n.profile || 0) / data.max_profile : 0);
    return n.fill || "white";
  }

  // An edge through Graphviz's spline points, or straight once an end node has moved.
  function edgePath(e) {
    var a = e.fromNode, b = e.toNode;
    if (!a.moved && !b.moved && e.points.length >= 4) {
      var p = e.points, d = "M" + p[0][0] + "," + p[0][1];
      for (var i = 1; i + 2 < p.length; i += 3)
        d += " C" + p[i][0] + "," + p[i][1] + " " + p[i + 1][0] + "," + p[i + 1][1] + " " + p[i + 2][0] + "," + p[i + 2][1];
      if (e.end) d += " L" + e.end[0] + "," + e.end[1];
      return d;
    }
    var dx = b.x - a.x, dy = b.y - a.y, len = Math.sqrt(dx * dx + dy * dy) || 1;
    var ux = dx / len, uy = dy / len;
    var ra = Math.min(a.w / 2 / Math.abs(ux || 1e-9), a.h / 2 / Math.abs(uy || 1e-9));
    var rb = Math.min(b.w / 2 / Math.abs(ux || 1e-9), b.h / 2 / Math.abs(uy || 1e-9));
    return "M" + (a.x + ux * ra) + "," + (a.y + uy * ra) + " L" + (b.x - ux * rb) + "," + (b.y - uy * rb);
  }
  function redrawEdges(g) {
    g.edges.forEach(function (e) {
      e.path.setAttribute("d", edgePath(e));
      if (e.text) {
        var p = e.labelPos && !e.fromNode.moved && !e.toNode.moved ? e.labelPos
          : [(e.fromNode.x + e.toNode.x) / 2, (e.fromNode.y + e.toNode.y) / 2];
        e.text.setAttribute("x", p[0]);
        e.text.setAttribute("y", p[1]);
      }
    });
  }
  function placeNode(n) {
    n.g.setAttribute("transform", "translate(" + n.x + "," + n.y + ")");
  }

  function showTip(evt, n) {
    var lines = ["<b>" + escapeHtml(n.label) + "</b>", "kind: " + n.kind];
    if (n.vtype) lines.push("type: " + escapeHtml(n.vtype));
    if (n.vshape) lines.push("shape: " + escapeHtml(n.vshape));
    if (n.node) lines.push("node: " + escapeHtml(n.node));
    if (n.profile !== undefined) lines.push("time: " + n.profile.toFixed(4) + " ms per call (" + n.profile_pct.toFixed(1) + "%)");
    if (n.inner) lines.push("<i>double click to " + (n.expanded ? "close" : "open") + " its inner graph</i>");
    tip.innerHTML = lines.join("<br>");
    tip.style.display = "block";
    tip.style.left = evt.clientX + 12 + "px";
    tip.style.top = evt.clientY + 12 + "px";
  }
  function escapeHtml(s) {
    return String(s).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }

  // Dragging: a node, an inner graph's frame, or (on the background) the whole view.
  var drag = null;
  function startDrag(evt, kind, target) {
    evt.stopPropagation();
    evt.preventDefault();
    drag = { kind: kind, target: target, x: evt.clientX, y: evt.clientY };
  }
  svg.addEventListener("mousedown", function (evt) { if (evt.button === 0) startDrag(evt, "view", null); });
  window.addEventListener("mousemove", function (evt) {
    if (!drag) return;
    var dx = evt.clientX - drag.x, dy = evt.clientY - drag.y;
    drag.x = evt.clientX;
    drag.y = evt.clientY;
    if (drag.kind === "view") {
      view.x += dx;
      view.y += dy;
      applyView();
    } else if (drag.kind === "node") {
      var n = drag.target;
      n.x += dx / view.k / n.graph.scale;
      n.y += dy / view.k / n.graph.scale;
      n.moved = true;
      placeNode(n);
      redrawEdges(n.graph);
    } else if (drag.kind === "frame") {
      var f = drag.target;
      f.ox += dx / view.k;
      f.oy += dy / view.k;
      f.g.setAttribute("transform", "translate(" + f.ox + "," + f.oy + ")");
    }
  });
  window.addEventListener("mouseup", function () { drag = null; });
  svg.addEventListener("wheel", function (evt) {
    evt.preventDefault();
    var r = svg.getBoundingClientRect(), mx = evt.clientX - r.left, my = evt.clientY - r.top;
    var f = evt.deltaY < 0 ? 1.15 : 1 / 1.15;
    view.x = mx - (mx - view.x) * f;
    view.y = my - (my - view.y) * f;
    view.k *= f;
    applyView();
  }, { passive: false });

  // Draws graph model `m` into group `parent`; returns the drawn graph.
  function drawGraph(m, parent, depth) {
    var g = { nodes: {}, edges: [], scale: 1, model: m, depth: depth };
    var edgeLayer = el("g", { "class": "edges" }, parent);
    var nodeLayer = el("g", { "class": "nodes" }, parent);
    m.nodes.forEach(function (nm) {
      var n = Object.assign({}, nm);
      n.x0 = n.x; n.y0 = n.y; n.graph = g; n.moved = false; n.expanded = null;
      n.g = el("g", { "class": depth === 0 ? "node" : "node inner-node", "data-id": n.id, "data-kind": n.kind }, nodeLayer);
      if (n.shape === "box") n.shapeEl = el("rect", { x: -n.w / 2, y: -n.h / 2, width: n.w, height: n.h }, n.g);
      else n.shapeEl = el("ellipse", { rx: n.w / 2, ry: n.h / 2 }, n.g);
      n.shapeEl.setAttribute("fill", nodeFill(n));
      n.shapeEl.setAttribute("stroke", n.stroke || "black");
      if (n.inner) n.shapeEl.setAttribute("stroke-width", "3");
      n.textEl = el("text", { "text-anchor": "middle", "dominant-baseline": "central" }, n.g);
      n.textEl.textContent = n.label;
      placeNode(n);
      n.g.addEventListener("mousedown", function (evt) { if (evt.button === 0) startDrag(evt, "node", n); });
      n.g.addEventListener("mousemove", function (evt) { showTip(evt, n); });
      n.g.addEventListener("mouseout", function () { tip.style.display = "none"; });
      n.g.addEventListener("dblclick", function (evt) { evt.stopPropagation(); toggleInner(n); });
      n.g.addEventListener("contextmenu", function (evt) {
        evt.preventDefault();
        var label = window.prompt("Edit node label", n.label);
        if (label !== null) { n.label = label; n.textEl.textContent = label; }
      });
      g.nodes[n.id] = n;
      allNodes.push(n);
    });
    m.edges.forEach(function (em) {
      var e = Object.assign({}, em);
      e.fromNode = g.nodes[e.from];
      e.toNode = g.nodes[e.to];
      if (!e.fromNode || !e.toNode) return;
      e.path = el("path", { "class": "edge", fill: "none", "stroke-width": 1.5, stroke: e.color || "black", "marker-end": "url(#arrow-" + (e.color === "red" ? "red" : e.color === "blue" ? "blue" : "black") + ")" }, edgeLayer);
      e.path.addEventListener("mousemove", function (evt) {
        var lines = ["<b>" + escapeHtml(e.fromNode.label) + " &rarr; " + escapeHtml(e.toNode.label) + "</b>"];
        if (e.label) lines.push("input " + escapeHtml(e.label));
        if (e.color === "blue") lines.push("the node's output views this input");
        if (e.color === "red") lines.push("the node overwrites this input (destroy_map)");
        tip.innerHTML = lines.join("<br>");
        tip.style.display = "block";
        tip.style.left = evt.clientX + 12 + "px";
        tip.style.top = evt.clientY + 12 + "px";
      });
      e.path.addEventListener("mouseout", function () { tip.style.display = "none"; });
      if (e.label) {
        e.text = el("text", { "class": "edge-label", "text-anchor": "middle" }, edgeLayer);
        e.text.textContent = e.label;
      }
      g.edges.push(e);
    });
    redrawEdges(g);
    return g;
  }

  // Opens (or closes) the inner graphs of an apply node in a shaded, draggable frame.
  function toggleInner(n) {
    if (!n.inner) return;
    if (n.expanded) {
      n.expanded.g.parentNode.removeChild(n.expanded.g);
      var gone = n.expanded.drawn;
      allNodes = allNodes.filter(function (x) { return gone.indexOf(x.graph) < 0; });
      n.expanded = null;
      updateStatus();
      return;
    }
    var models = data.inner[n.path] || [];
    var parent = n.g.parentNode.parentNode;  // the group that holds the node's graph
    var frame = { ox: n.x + n.w / 2 + 20, oy: n.y + n.h / 2 + 10, drawn: [] };
    frame.g = el("g", { "class": "inner-graph", transform: "translate(" + frame.ox + "," + frame.oy + ")" }, parent);
    var y = 0, width = 0;
    var bg = el("rect", { "class": "inner-bg", rx: 8, ry: 8, fill: "rgba(230,230,250,0.97)", stroke: "#6666aa" }, frame.g);
    var title = el("text", { x: 10, y: 18, "class": "inner-title" }, frame.g);
    title.textContent = n.label + " (double click the node to close)";
    bg.addEventListener("mousedown", function (evt) { if (evt.button === 0) startDrag(evt, "frame", frame); });
    models.forEach(function (m) {
      var holder = el("g", { transform: "translate(10," + (y + 28) + ")" }, frame.g);
      var drawn = drawGraph(m, holder, n.graph.depth + 1);
      frame.drawn.push(drawn);
      y += m.height + 20;
      width = Math.max(width, m.width);
    });
    bg.setAttribute("width", width + 20);
    bg.setAttribute("height", y + 28);
    n.expanded = frame;
    updateStatus();
  }

  function updateStatus() {
    var top = allNodes.filter(function (x) { return x.graph.depth === 0; }).length;
    document.body.setAttribute("data-nodes", String(top));
    document.body.setAttribute("data-all-nodes", String(allNodes.length));
    document.getElementById("status").textContent = top + " nodes" + (allNodes.length > top ? ", " + (allNodes.length - top) + " in open inner graphs" : "");
  }

  document.getElementById("reset").addEventListener("click", function () {
    allNodes.forEach(function (n) { n.x = n.x0; n.y = n.y0; n.moved = false; placeNode(n); });
    var graphs = [];
    allNodes.forEach(function (n) { if (graphs.indexOf(n.graph) < 0) graphs.push(n.graph); });
    graphs.forEach(redrawEdges);
    fit();
  });
  // "Release nodes": lets every node of the main graph settle under springs along the edges
  // and repulsion between nodes (an automatic arrangement); "Reset nodes" undoes it.
  document.getElementById("release").addEventListener("click", function () {
    var g = window.hypatiaGraph, ns = Object.keys(g.nodes).map(function (k) { return g.nodes[k]; });
    var steps = 150;
    function step() {
      ns.forEach(function (n) { n.fx = 0; n.fy = 0; });
      for (var i = 0; i < ns.length; ++i)
        for (var j = i + 1; j < ns.length; ++j) {
          var a = ns[i], b = ns[j], dx = b.x - a.x, dy = b.y - a.y, d2 = dx * dx + dy * dy + 1;
          var f = Math.min(8000 / d2, 5), d = Math.sqrt(d2);
          a.fx -= f * dx / d; a.fy -= f * dy / d; b.fx += f * dx / d; b.fy += f * dy / d;
        }
      g.edges.forEach(function (e) {
        var a = e.fromNode, b = e.toNode, dx = b.x - a.x, dy = b.y - a.y, d = Math.sqrt(dx * dx + dy * dy) || 1;
        var f = 0.02 * (d - 90);
        a.fx += f * dx / d; a.fy += f * dy / d; b.fx -= f * dx / d; b.fy -= f * dy / d;
        a.fy -= 0.5; b.fy += 0.5;  // keep inputs above the nodes they feed
      });
      ns.forEach(function (n) { n.x += n.fx; n.y += n.fy; n.moved = true; placeNode(n); });
      redrawEdges(g);
      if (--steps > 0) window.requestAnimationFrame(step);
    }
    step();
  });
  var profileButton = document.getElementById("profile");
  if (data.max_profile === null) profileButton.style.display = "none";
  profileButton.addEventListener("click", function () {
    profileColors = !profileColors;
    allNodes.forEach(function (n) { n.shapeEl.setAttribute("fill", nodeFill(n)); });
  });

  var root = drawGraph(data.graph, viewport, 0);
  window.hypatiaGraph = root;
  fit();
  updateStatus();
  // Actions named in the URL's fragment (as "#expand-all,release,profile-colors") run at load:
  // a way to open a page in a given state, and how the tests drive the buttons headless.
  var actions = location.hash.replace(/^#/, "").split(",");
  if (actions.indexOf("expand-all") >= 0)
    allNodes.slice().forEach(function (n) { if (n.inner && n.graph.depth === 0) toggleInner(n); });
  if (actions.indexOf("release") >= 0) document.getElementById("release").click();
  if (actions.indexOf("profile-colors") >= 0) profileButton.click();
})();
