/* "Copy" buttons for read-only fields marked data-copy (the campaign's link, the embed code).
   Without JavaScript the field is still there to select and copy by hand; this adds a button
   after it, labelled by data-copy-label, and announces data-copied-label in a live region. */
(function () {
    "use strict";
    function copy(field) {
        if (navigator.clipboard && window.isSecureContext) {
            return navigator.clipboard.writeText(field.value);
        }
        field.focus();
        field.select();
        return new Promise(function (resolve, reject) {
            if (document.execCommand && document.execCommand("copy")) { resolve(); } else { reject(); }
        });
    }
    document.querySelectorAll("[data-copy]").forEach(function (field) {
        var button = document.createElement("button");
        var status = document.createElement("span");
        button.type = "button";
        button.className = "button--secondary copy-button";
        button.textContent = field.getAttribute("data-copy-label");
        status.className = "copy-status";
        status.setAttribute("role", "status");
        field.insertAdjacentElement("afterend", button);
        button.insertAdjacentElement("afterend", status);
        field.addEventListener("focus", function () { field.select(); });
        button.addEventListener("click", function () {
            status.textContent = "";
            copy(field).then(function () {
                status.textContent = field.getAttribute("data-copied-label");
            }, function () {
                field.focus();
                field.select();
            });
        });
    });
}());
