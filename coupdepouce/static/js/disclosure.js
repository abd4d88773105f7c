/* Disclosures that are always open on wide screens (the header menu, the project filters).
   CSS does it with ::details-content; this opens them where that is unsupported, and keeps
   them open when the window grows. Without JavaScript they stay plain <details>.
   Where CSS does it, nothing runs: no media query list, no listener. */
(function () {
    "use strict";
    if (window.CSS && CSS.supports && CSS.supports("selector(::details-content)")) { return; }
    var wide = window.matchMedia("(min-width: 48em)");
    function sync() {
        if (!wide.matches) { return; }
        document.querySelectorAll("details[data-open-wide]").forEach(function (el) { el.open = true; });
    }
    sync();
    if (wide.addEventListener) { wide.addEventListener("change", sync); }
}());
