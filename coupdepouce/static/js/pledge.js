/* Pledge form, enhanced. Everything works without this file.
   - On the pledge form: choosing a reward fills in its minimum amount; the error summary
     takes the focus so screen readers and keyboard users start from it.
   - On a campaign page: "Soutenir ce projet" opens the same form in place, below the
     funding box, instead of loading another page. The form still posts to its own page,
     so errors and the checkout follow the ordinary no-JavaScript path. */
(function () {
    "use strict";

    function enhanceForm(form) {
        var amount = form.querySelector("input[name='amount']");
        if (!amount) { return; }
        var minimums = Array.prototype.map.call(form.querySelectorAll("input[name='reward']"), function (radio) {
            return radio.getAttribute("data-min-amount") || "";
        });
        form.addEventListener("change", function (event) {
            var radio = event.target;
            if (radio.name !== "reward") { return; }
            var min = radio.getAttribute("data-min-amount") || "";
            var current = amount.value.trim();
            // Only replace an empty amount or one that was a tier's minimum: never what was typed.
            if (min && (current === "" || minimums.indexOf(current) !== -1)) { amount.value = min; }
        });
    }

    function openInPlace(link) {
        var url = link.getAttribute("href");
        return fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
            .then(function (response) {
                if (!response.ok) { throw new Error(String(response.status)); }
                return response.text();
            })
            .then(function (html) {
                var doc = new DOMParser().parseFromString(html, "text/html");
                var form = doc.querySelector("[data-pledge-form]");
                var title = doc.querySelector("main h1");
                if (!form) { throw new Error("no form"); }
                form.setAttribute("action", url);
                var section = document.createElement("section");
                section.className = "pledge-inline";
                section.id = "pledge-inline";
                var heading = document.createElement("h2");
                heading.id = "pledge-inline-title";
                heading.tabIndex = -1;
                heading.textContent = title ? title.textContent : link.textContent;
                section.setAttribute("aria-labelledby", heading.id);
                section.appendChild(heading);
                section.appendChild(document.importNode(form, true));
                var anchor = link.closest("aside") || link.parentNode;
                anchor.parentNode.insertBefore(section, anchor.nextSibling);
                link.setAttribute("aria-expanded", "true");
                link.setAttribute("aria-controls", section.id);
                link.setAttribute("href", "#" + section.id);
                enhanceForm(section.querySelector("form"));
                heading.focus();
            });
    }

    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
    var page = document.querySelector("[data-pledge-form]");
    if (page) { enhanceForm(page); }

    var opener = document.querySelector("[data-pledge-open]");
    if (opener && window.fetch && window.DOMParser) {
        opener.addEventListener("click", function (event) {
            if (opener.getAttribute("aria-expanded") === "true") { return; }
            event.preventDefault();
            openInPlace(opener).catch(function () { window.location.href = opener.getAttribute("href"); });
        });
    }
}());
