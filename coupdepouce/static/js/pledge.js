/* Pledge form, enhanced: choosing a reward fills in its minimum amount; the error summary
   takes the focus so screen readers and keyboard users start from it. Works without it. */
(function () {
    "use strict";
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
    var form = document.querySelector("[data-pledge-form]");
    if (!form) { return; }
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
}());
