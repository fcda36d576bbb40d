// The office map. Nothing is fetched from the tile server until the visitor
// presses "Show map": only then are Leaflet, its CSS and the office's GeoJSON
// loaded and the map made. Texts come translated from the page's data-* attributes.
(function () {
  "use strict";

  var widget = document.querySelector(".office-map");
  if (!widget) {
    return;
  }
  var data = widget.dataset;

  function make(tag, attributes, text) {
    var element = document.createElement(tag);
    Object.keys(attributes).forEach(function (name) {
      element.setAttribute(name, attributes[name]);
    });
    element.textContent = text || "";
    return element;
  }

  // Made here rather than sent in the HTML, where a browser without JavaScript
  // or one that ignores `hidden` (w3m) would show a button that does nothing.
  var button = make(
    "button",
    { type: "button", class: "office-map__toggle", "aria-expanded": "false", "aria-controls": "office-map", "aria-describedby": "office-map-note" },
    data.labelShow
  );
  var note = make("p", { class: "office-map__note", id: "office-map-note" }, data.note);
  var status = make("div", { class: "office-map__status", role: "status" });
  var figure = make("figure", { class: "office-map__figure", id: "office-map", hidden: "" });
  var canvas = make("div", { class: "office-map__canvas", role: "region", "aria-labelledby": "office-map-caption" });
  figure.append(canvas, make("figcaption", { id: "office-map-caption" }, data.caption));
  widget.append(button, note, status, figure);

  var map = null;
  var making = null;
  var leaflet = null;

  function load(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var element = make(tag, attributes);
      element.addEventListener("load", resolve);
      element.addEventListener("error", reject);
      document.head.appendChild(element);
    });
  }

  // Once loaded, Leaflet stays; after a failed load the next press tries again.
  function loadLeaflet() {
    if (!leaflet) {
      leaflet = Promise.all([
        load("link", { rel: "stylesheet", href: data.leafletCss }),
        load("script", { src: data.leafletJs }),
      ]).catch(function (error) {
        leaflet = null;
        throw error;
      });
    }
    return leaflet;
  }

  function fetchFeature() {
    return fetch(data.geojson, { headers: { Accept: "application/geo+json" } }).then(function (response) {
      if (!response.ok) {
        throw new Error("GeoJSON: HTTP " + response.status);
      }
      return response.json();
    });
  }

  // Built from text nodes, never HTML, so the GeoJSON's text cannot become markup.
  function popupContent(properties) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = properties.title;
    var address = document.createElement("span");
    address.textContent = properties.content;
    box.append(title, document.createElement("br"), address);
    return box;
  }

  function makeMap(feature) {
    var L = window.L;
    // Leaflet's corners are physical (zoom top left, credit bottom right): mirror them on a
    // right-to-left page, so the controls sit where its lines begin.
    var rtl = getComputedStyle(canvas).direction === "rtl";
    map = L.map(canvas, { zoomControl: false, attributionControl: false, scrollWheelZoom: false });
    L.control.zoom({ position: rtl ? "topright" : "topleft", zoomInTitle: data.labelZoomIn, zoomOutTitle: data.labelZoomOut }).addTo(map);
    var credit = L.control.attribution({ position: rtl ? "bottomleft" : "bottomright" }).addTo(map);
    // The credit is Latin text with Leaflet's flag before it: kept in that order in Arabic.
    credit.getContainer().setAttribute("dir", "ltr");
    L.tileLayer(data.tileUrl, { attribution: data.attribution, maxZoom: 19 }).addTo(map);
    var marker = null;
    var layer = L.geoJSON(feature, {
      pointToLayer: function (point, latlng) {
        marker = L.marker(latlng, { alt: point.properties.title });
        return marker;
      },
    });
    layer.bindPopup(popupContent(feature.properties)).addTo(map);
    // Leaflet labels the popup's close button in English only.
    map.on("popupopen", function (event) {
      var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) {
        close.setAttribute("aria-label", data.labelClose);
      }
    });
    // Closing the popup from its own button would drop keyboard focus to the
    // top of the page; send it back to the marker instead.
    map.on("popupclose", function (event) {
      var active = document.activeElement;
      var popup = event.popup.getElement();
      if (!active || active === document.body || (popup && popup.contains(active))) {
        marker.getElement().focus();
      }
    });
    // Leaflet closes a popup on Escape only while the map itself has focus;
    // do so too while the marker or the popup's button has it.
    canvas.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        map.closePopup();
      }
    });
    map.setView(layer.getBounds().getCenter(), 17);
  }

  function show() {
    figure.hidden = false;
    button.setAttribute("aria-expanded", "true");
    button.textContent = data.labelHide;
    if (map) {
      map.invalidateSize();
      return;
    }
    if (!making) {
      status.textContent = "";
      making = Promise.all([loadLeaflet(), fetchFeature()])
        .then(function (results) {
          makeMap(results[1]);
        })
        .catch(function () {
          making = null;
          hide();
          status.textContent = data.labelFailed;
        });
    }
  }

  function hide() {
    figure.hidden = true;
    button.setAttribute("aria-expanded", "false");
    button.textContent = data.labelShow;
  }

  button.addEventListener("click", function () {
    if (figure.hidden) {
      show();
    } else {
      hide();
    }
  });
  widget.hidden = false;
})();
